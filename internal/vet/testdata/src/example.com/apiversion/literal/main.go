package main

import "github.com/pluginctl/pluginctl/pluginapi"

var APIVersion = "v1" // want `APIVersion is the hand-copied literal "v1": it equals pluginapi.APIVersion today but goes stale`

type plug struct{}

func (plug) Name() string { return "x" }

func (plug) Handle(req *pluginapi.Request) (*pluginapi.Response, error) { return nil, nil }

func New() pluginapi.Plugin { return plug{} }

func main() {}

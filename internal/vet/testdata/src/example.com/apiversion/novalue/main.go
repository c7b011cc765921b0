package main

import "github.com/pluginctl/pluginctl/pluginapi"

var APIVersion string // want `APIVersion has no initializer`

func init() { APIVersion = pluginapi.APIVersion }

type plug struct{}

func (plug) Name() string { return "x" }

func (plug) Handle(req *pluginapi.Request) (*pluginapi.Response, error) { return nil, nil }

func New() pluginapi.Plugin { return plug{} }

func main() {}

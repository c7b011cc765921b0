package main

import "github.com/pluginctl/pluginctl/pluginapi"

const APIVersion = pluginapi.APIVersion // want `APIVersion is a constant: constants are not plugin symbols`

type plug struct{}

func (plug) Name() string { return "x" }

func (plug) Handle(req *pluginapi.Request) (*pluginapi.Response, error) { return nil, nil }

func New() pluginapi.Plugin { return plug{} }

func main() {}

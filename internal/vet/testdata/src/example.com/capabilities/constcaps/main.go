package main

import "github.com/pluginctl/pluginctl/pluginapi"

const Capabilities = "filter,text" // want `Capabilities is a constant, not a function`

type plug struct{}

func (plug) Name() string { return "x" }

func (plug) Handle(req *pluginapi.Request) (*pluginapi.Response, error) { return nil, nil }

func New() pluginapi.Plugin { return plug{} }

func main() {}

package main

import "github.com/pluginctl/pluginctl/pluginapi"

type plug struct{}

func (plug) Name() string { return "varnew" }

func (plug) Handle(req *pluginapi.Request) (*pluginapi.Response, error) { return nil, nil }

var New = func() pluginapi.Plugin { return plug{} } // want `New is a variable of type func\(\) pluginapi.Plugin: Lookup gives the host a pointer to it`

func main() {}

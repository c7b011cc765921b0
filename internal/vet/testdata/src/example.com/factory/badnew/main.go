package main

import "github.com/pluginctl/pluginctl/pluginapi"

type plug struct{}

func (plug) Name() string { return "badnew" }

func (plug) Handle(req *pluginapi.Request) (*pluginapi.Response, error) { return nil, nil }

func New() (pluginapi.Plugin, error) { return plug{}, nil } // want `New has type func\(\) \(pluginapi.Plugin, error\), want func\(\) pluginapi.Plugin: the host's assertion to pluginapi.NewFunc fails`

func main() {}

package main

import "github.com/pluginctl/pluginctl/pluginapi"

type plug struct{}

func (plug) Name() string { return "twonew" }

func (plug) Handle(req *pluginapi.Request) (*pluginapi.Response, error) { return nil, nil }

func NewFilter() pluginapi.Plugin { return plug{} } // want `plugin has no New; found NewFilter, makePlugin`

func makePlugin() plug { return plug{} }

func main() {}

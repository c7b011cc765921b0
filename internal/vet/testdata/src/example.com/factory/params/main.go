package main

import "github.com/pluginctl/pluginctl/pluginapi"

type plug struct{ name string }

func (p plug) Name() string { return p.name }

func (plug) Handle(req *pluginapi.Request) (*pluginapi.Response, error) { return nil, nil }

func New(name string) pluginapi.Plugin { return plug{name} } // want `New has type func\(name string\) pluginapi.Plugin, want func\(\) pluginapi.Plugin`

func main() {}

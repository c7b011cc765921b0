package main

import "github.com/pluginctl/pluginctl/pluginapi"

type plug struct{}

func (*plug) Name() string { return "concrete" }

func (*plug) Handle(req *pluginapi.Request) (*pluginapi.Response, error) { return nil, nil }

func New() *plug { return &plug{} } // want `New has type func\(\) \*plug, want func\(\) pluginapi.Plugin`

func main() {}

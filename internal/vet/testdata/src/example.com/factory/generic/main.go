package main

import "github.com/pluginctl/pluginctl/pluginapi"

type plug struct{}

func (plug) Name() string { return "generic" }

func (plug) Handle(req *pluginapi.Request) (*pluginapi.Response, error) { return nil, nil }

func New[T any]() pluginapi.Plugin { return plug{} } // want `New is a generic function`

func main() {}

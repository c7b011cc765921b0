package main

import "github.com/pluginctl/pluginctl/pluginapi"

type plug struct{}

func (plug) Name() string { return "x" }

func (plug) Handle(req *pluginapi.Request) (*pluginapi.Response, error) { return nil, nil }

func New() pluginapi.Plugin { return plug{} } // want `plugin declares no APIVersion: the host checks it before anything else`

func main() {}

package main

import "github.com/pluginctl/pluginctl/pluginapi"

var v = pluginapi.APIVersion

var APIVersion = &v // want `APIVersion has type \*string: Lookup gives the host a \*\*string`

type plug struct{}

func (plug) Name() string { return "x" }

func (plug) Handle(req *pluginapi.Request) (*pluginapi.Response, error) { return nil, nil }

func New() pluginapi.Plugin { return plug{} }

func main() {}

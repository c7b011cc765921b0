package main

import "github.com/pluginctl/pluginctl/pluginapi"

type version string

var APIVersion version = pluginapi.APIVersion // want `APIVersion has type version: Lookup gives the host a \*version, not the \*string it asserts`

type plug struct{}

func (plug) Name() string { return "x" }

func (plug) Handle(req *pluginapi.Request) (*pluginapi.Response, error) { return nil, nil }

func New() pluginapi.Plugin { return plug{} }

func main() {}

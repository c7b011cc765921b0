package main

import "github.com/pluginctl/pluginctl/pluginapi"

func version() (string, error) { return pluginapi.APIVersion, nil }

var APIVersion, versionErr = version() // want `APIVersion is set from a function call, not pluginapi.APIVersion`

type plug struct{}

func (plug) Name() string { return "x" }

func (plug) Handle(req *pluginapi.Request) (*pluginapi.Response, error) { return nil, nil }

func New() pluginapi.Plugin { return plug{} }

func main() {}

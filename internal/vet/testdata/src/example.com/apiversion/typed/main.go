package main

import "github.com/pluginctl/pluginctl/pluginapi"

var (
	other             = 1
	APIVersion string = (pluginapi.APIVersion)
)

type plug struct{}

func (plug) Name() string { return "x" }

func (plug) Handle(req *pluginapi.Request) (*pluginapi.Response, error) { return nil, nil }

func New() pluginapi.Plugin { return plug{} }

func main() {}

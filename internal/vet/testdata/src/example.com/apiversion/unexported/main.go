package main

import "github.com/pluginctl/pluginctl/pluginapi"

var apiVersion = pluginapi.APIVersion // want `plugin declares no APIVersion \(found apiVersion\)`

type plug struct{}

func (plug) Name() string { return "x" }

func (plug) Handle(req *pluginapi.Request) (*pluginapi.Response, error) { return nil, nil }

func New() pluginapi.Plugin { return plug{} }

func main() {}

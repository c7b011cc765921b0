package main

import "github.com/pluginctl/pluginctl/pluginapi"

// APIVersion was copied by hand.
var APIVersion = "v0" // want `APIVersion is the hand-copied literal "v0", but pluginapi.APIVersion is "v1": the host refuses this plugin`

type plug struct{}

func (plug) Name() string { return "x" }

func (plug) Handle(req *pluginapi.Request) (*pluginapi.Response, error) { return nil, nil }

func New() pluginapi.Plugin { return plug{} }

func main() {}

package main

import "github.com/pluginctl/pluginctl/pluginapi"

type plug struct{}

func (plug) Name() string { return "nonew" }

func (plug) Handle(req *pluginapi.Request) (*pluginapi.Response, error) { return nil, nil }

// NewPlugin is the factory under the wrong name.
func NewPlugin() pluginapi.Plugin { return plug{} } // want `plugin has no New; found NewPlugin`

var _ = NewPlugin

func main() {}

package main

import "github.com/pluginctl/pluginctl/pluginapi"

func Capabilities() ([]string, error) { return nil, nil } // want `Capabilities has type func\(\) \(\[\]string, error\), want func\(\) \[\]string: the host's assertion fails and the loader skips the plugin \(ErrBadCapabilities\)`

type plug struct{}

func (plug) Name() string { return "x" }

func (plug) Handle(req *pluginapi.Request) (*pluginapi.Response, error) { return nil, nil }

func New() pluginapi.Plugin { return plug{} }

func main() {}

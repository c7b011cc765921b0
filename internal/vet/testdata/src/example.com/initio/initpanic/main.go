package main

import "github.com/pluginctl/pluginctl/pluginapi"

func init() {
	panic("cannot read /etc/initpanic.conf") // want `init panics \(init → panic at main.go:6\): a panic during plugin.Open kills the host`
}

type plug struct{}

func (plug) Name() string { return "x" }

func (plug) Handle(req *pluginapi.Request) (*pluginapi.Response, error) { return nil, nil }

func New() pluginapi.Plugin { return plug{} }

func main() {}

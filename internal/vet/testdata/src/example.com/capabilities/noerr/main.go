package main

import "github.com/pluginctl/pluginctl/pluginapi"

func Init(h pluginapi.Host) {} // want `Init has type func\(h pluginapi.Host\), want func\(host pluginapi.Host\) error: the host's assertion fails and the loader skips the plugin \(ErrBadInit\)`

type plug struct{}

func (plug) Name() string { return "x" }

func (plug) Handle(req *pluginapi.Request) (*pluginapi.Response, error) { return nil, nil }

func New() pluginapi.Plugin { return plug{} }

func main() {}

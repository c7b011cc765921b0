package main

import "github.com/pluginctl/pluginctl/pluginapi"

func Init() error { return nil } // want `Init has type func\(\) error, want func\(host pluginapi.Host\) error`

type plug struct{}

func (plug) Name() string { return "x" }

func (plug) Handle(req *pluginapi.Request) (*pluginapi.Response, error) { return nil, nil }

func New() pluginapi.Plugin { return plug{} }

func main() {}

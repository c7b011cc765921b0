package main

import (
	_ "example.com/initio/a" // want `imports example.com/initio/a, which imports example.com/initio/b, whose initialization does network I/O \(init → net.Dial at b.go:8\): it runs inside the host's plugin.Open unless the host links example.com/initio/b too`
	"example.com/initio/cfg" // want `imports example.com/initio/cfg, whose initialization does file I/O \(var Defaults → load → os.ReadFile at cfg.go:10\)`
	_ "example.com/initio/clean"

	"github.com/pluginctl/pluginctl/pluginapi"
)

var _ = cfg.Defaults

type plug struct{}

func (plug) Name() string { return "x" }

func (plug) Handle(req *pluginapi.Request) (*pluginapi.Response, error) { return nil, nil }

func New() pluginapi.Plugin { return plug{} }

func main() {}

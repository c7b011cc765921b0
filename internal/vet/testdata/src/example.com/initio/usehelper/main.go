package main

import (
	"example.com/initio/helperlib"

	"github.com/pluginctl/pluginctl/pluginapi"
)

var answer = helperlib.Pure()

func init() {
	_ = helperlib.Load("/etc/x") // want `init does file I/O \(init → helperlib.Load → readAll → os.ReadFile at lib.go:12\)`
}

type plug struct{}

func (plug) Name() string { return "x" }

func (plug) Handle(req *pluginapi.Request) (*pluginapi.Response, error) { return nil, nil }

func New() pluginapi.Plugin { return plug{} }

func main() {}

package main

import (
	"os"

	"github.com/pluginctl/pluginctl/pluginapi"
)

var config []byte

func loadConfig() {
	b, err := os.ReadFile("/etc/plugin.conf")
	if err == nil {
		config = b
	}
}

func init() {
	loadConfig() // want `init does file I/O \(init → loadConfig → os.ReadFile at main.go:12\): package initialization runs inside the host's plugin.Open`
}

type plug struct{}

func (plug) Name() string { return "x" }

func (plug) Handle(req *pluginapi.Request) (*pluginapi.Response, error) { return nil, nil }

func New() pluginapi.Plugin { return plug{} }

func main() {}

package main

import (
	"log"
	"os"

	"github.com/pluginctl/pluginctl/pluginapi"
)

func mustEnv(k string) string {
	v := os.Getenv(k)
	if v == "" {
		log.Fatalf("%s is not set", k)
	}
	return v
}

var home = mustEnv("HOME") // want `the initializer of home exits the process \(var home → mustEnv → log.Fatalf at main.go:13\): it ends the host inside plugin.Open`

func init() {
	if os.Getenv("PLUGIN_OFF") != "" {
		os.Exit(3) // want `init exits the process \(init → os.Exit at main.go:22\)`
	}
}

type plug struct{}

func (plug) Name() string { return "x" }

func (plug) Handle(req *pluginapi.Request) (*pluginapi.Response, error) { return nil, nil }

func New() pluginapi.Plugin { return plug{} }

func main() {}

package main

import (
	"time"

	"github.com/pluginctl/pluginctl/pluginapi"
)

func init() {
	for { // want `init loops forever \(init → for \{\} at main.go:10\): plugin.Open waits for it`
		time.Sleep(time.Hour) // want `init sleeps \(init → time.Sleep at main.go:11\)`
	}
}

func init() {
	for i := 0; ; i++ {
		if i > 3 {
			break
		}
	}
	select {} // want `init blocks forever`
}

type plug struct{}

func (plug) Name() string { return "x" }

func (plug) Handle(req *pluginapi.Request) (*pluginapi.Response, error) { return nil, nil }

func New() pluginapi.Plugin { return plug{} }

func main() {}

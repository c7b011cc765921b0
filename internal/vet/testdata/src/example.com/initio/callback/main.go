package main

import (
	"example.com/initio/hostreg"

	"github.com/pluginctl/pluginctl/pluginapi"
)

func init() {
	hostreg.Register("callback", New) // want `init registers with example.com/initio/hostreg \(init → hostreg.Register at main.go:10\): the host has not returned from plugin.Open yet`
	if h := hostreg.Current; h != nil {
		h.Logf("loading") // want `init calls back into the host \(Host.Logf\) \(init → Host.Logf at main.go:12\)`
	}
}

type plug struct{}

func (plug) Name() string { return "x" }

func (plug) Handle(req *pluginapi.Request) (*pluginapi.Response, error) { return nil, nil }

func New() pluginapi.Plugin { return plug{} }

func main() {}

// Command initpanic panics in its package initialization, which runs
// inside the host's plugin.Open: the host process dies (exit status 2).
package main

import "github.com/pluginctl/pluginctl/pluginapi"

// APIVersion is the API version this plugin was compiled against.
var APIVersion = pluginapi.APIVersion

func init() {
	panic("initpanic: cannot read /etc/initpanic.conf")
}

type plug struct{}

func (plug) Name() string { return "initpanic" }

func (plug) Handle(req *pluginapi.Request) (*pluginapi.Response, error) {
	return &pluginapi.Response{Status: pluginapi.StatusOK, Body: req.Body}, nil
}

// New is the factory the host calls.
func New() pluginapi.Plugin { return plug{} }

func main() {}

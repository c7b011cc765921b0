// Command inithang blocks forever in its package initialization, which runs
// inside the host's plugin.Open: the host hangs. It sleeps rather than
// waiting on a channel, so that the runtime's deadlock detector does not
// turn the hang into a crash.
package main

import (
	"time"

	"github.com/pluginctl/pluginctl/pluginapi"
)

// APIVersion is the API version this plugin was compiled against.
var APIVersion = pluginapi.APIVersion

func init() {
	for {
		time.Sleep(time.Hour)
	}
}

type plug struct{}

func (plug) Name() string { return "inithang" }

func (plug) Handle(req *pluginapi.Request) (*pluginapi.Response, error) {
	return &pluginapi.Response{Status: pluginapi.StatusOK, Body: req.Body}, nil
}

// New is the factory the host calls.
func New() pluginapi.Plugin { return plug{} }

func main() {}

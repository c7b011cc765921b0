// Command initexit calls os.Exit(3) in its package initialization, which
// runs inside the host's plugin.Open: the host exits with status 3.
package main

import (
	"os"

	"github.com/pluginctl/pluginctl/pluginapi"
)

// APIVersion is the API version this plugin was compiled against.
var APIVersion = pluginapi.APIVersion

func init() {
	os.Exit(3)
}

type plug struct{}

func (plug) Name() string { return "initexit" }

func (plug) Handle(req *pluginapi.Request) (*pluginapi.Response, error) {
	return &pluginapi.Response{Status: pluginapi.StatusOK, Body: req.Body}, nil
}

// New is the factory the host calls.
func New() pluginapi.Plugin { return plug{} }

func main() {}

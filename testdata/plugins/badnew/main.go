// Command badnew exports New with another type than pluginapi.NewFunc
// (func() pluginapi.Plugin): it also returns an error. The host's comma-ok
// assertion fails.
package main

import "github.com/pluginctl/pluginctl/pluginapi"

// APIVersion is the API version this plugin was compiled against.
var APIVersion = pluginapi.APIVersion

// Capabilities lists what the plugin can do.
func Capabilities() []string { return []string{"transform", "text"} }

type plug struct{}

func (plug) Name() string { return "badnew" }

func (plug) Handle(req *pluginapi.Request) (*pluginapi.Response, error) {
	return &pluginapi.Response{Status: pluginapi.StatusOK, Body: req.Body}, nil
}

// New has the wrong signature: func() (pluginapi.Plugin, error).
func New() (pluginapi.Plugin, error) { return plug{}, nil }

func main() {}

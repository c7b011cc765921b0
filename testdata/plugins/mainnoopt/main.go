// Command mainnoopt is the good plugin, built with -gcflags=-N -l, which
// applies to its own package main only: no shared package changes, so the
// host loads it.
package main

import "github.com/pluginctl/pluginctl/pluginapi"

// APIVersion is the API version this plugin was compiled against.
var APIVersion = pluginapi.APIVersion

// Capabilities lists what the plugin can do.
func Capabilities() []string { return []string{"transform", "text"} }

type plug struct{}

func (plug) Name() string { return "mainnoopt" }

// Handle appends " [mainnoopt]" to the line, so that a host's output shows that
// the plugin really ran.
func (plug) Handle(req *pluginapi.Request) (*pluginapi.Response, error) {
	body := append(append([]byte(nil), req.Body...), " [mainnoopt]"...)
	return &pluginapi.Response{Status: pluginapi.StatusOK, Body: body}, nil
}

// New is the factory the host calls.
func New() pluginapi.Plugin { return plug{} }

func main() {}

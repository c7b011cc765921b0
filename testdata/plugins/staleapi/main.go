// Command staleapi hand-copied the API version instead of referring to
// pluginapi.APIVersion, and the copy went stale: it says "v0" while the
// host's API is newer.
package main

import "github.com/pluginctl/pluginctl/pluginapi"

// APIVersion was copied by hand (wrong: use pluginapi.APIVersion).
var APIVersion = "v0"

// Capabilities lists what the plugin can do.
func Capabilities() []string { return []string{"transform", "text"} }

type plug struct{}

func (plug) Name() string { return "staleapi" }

func (plug) Handle(req *pluginapi.Request) (*pluginapi.Response, error) {
	return &pluginapi.Response{Status: pluginapi.StatusOK, Body: req.Body}, nil
}

// New is the factory the host calls.
func New() pluginapi.Plugin { return plug{} }

func main() {}

// Command notrim is the good plugin, built without -trimpath for a host
// built with it: source paths are part of every package fingerprint.
package main

import "github.com/pluginctl/pluginctl/pluginapi"

// APIVersion is the API version this plugin was compiled against.
var APIVersion = pluginapi.APIVersion

// Capabilities lists what the plugin can do.
func Capabilities() []string { return []string{"transform", "text"} }

type plug struct{}

func (plug) Name() string { return "notrim" }

// Handle appends " [notrim]" to the line, so that a host's output shows that
// the plugin really ran.
func (plug) Handle(req *pluginapi.Request) (*pluginapi.Response, error) {
	body := append(append([]byte(nil), req.Body...), " [notrim]"...)
	return &pluginapi.Response{Status: pluginapi.StatusOK, Body: body}, nil
}

// New is the factory the host calls.
func New() pluginapi.Plugin { return plug{} }

func main() {}

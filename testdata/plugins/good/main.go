// Command good is a correct plugin: it exports APIVersion, Capabilities and
// New exactly as package pluginapi asks. Every broken fixture is a
// variation of it.
package main

import "github.com/pluginctl/pluginctl/pluginapi"

// APIVersion is the API version this plugin was compiled against.
var APIVersion = pluginapi.APIVersion

// Capabilities lists what the plugin can do.
func Capabilities() []string { return []string{"transform", "text"} }

type plug struct{}

func (plug) Name() string { return "good" }

// Handle appends " [good]" to the line, so that a host's output shows that
// the plugin really ran.
func (plug) Handle(req *pluginapi.Request) (*pluginapi.Response, error) {
	body := append(append([]byte(nil), req.Body...), " [good]"...)
	return &pluginapi.Response{Status: pluginapi.StatusOK, Body: body}, nil
}

// New is the factory the host calls.
func New() pluginapi.Plugin { return plug{} }

func main() {}

// Command nonew is a plugin without the New factory: it exports its
// constructor under another name. plugin.Open succeeds; looking up New
// fails with "plugin: symbol New not found in plugin ...".
package main

import "github.com/pluginctl/pluginctl/pluginapi"

// APIVersion is the API version this plugin was compiled against.
var APIVersion = pluginapi.APIVersion

// Capabilities lists what the plugin can do.
func Capabilities() []string { return []string{"transform", "text"} }

type plug struct{}

func (plug) Name() string { return "nonew" }

func (plug) Handle(req *pluginapi.Request) (*pluginapi.Response, error) {
	return &pluginapi.Response{Status: pluginapi.StatusOK, Body: req.Body}, nil
}

// NewPlugin is the factory under the wrong name.
func NewPlugin() pluginapi.Plugin { return plug{} }

func main() {}

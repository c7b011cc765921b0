// Plugin badmeta: declares PluginctlMetadata itself, with something that is
// not pluginctl build metadata.
package main

import "github.com/pluginctl/pluginctl/pluginapi"

var APIVersion = pluginapi.APIVersion

// PluginctlMetadata is a document of an unknown schema: pluginapi/loader
// skips the plugin.
var PluginctlMetadata = `{"schema":"pluginctl.metadata/v0"}`

type plug struct{}

func (plug) Name() string { return "badmeta" }

func (plug) Handle(req *pluginapi.Request) (*pluginapi.Response, error) {
	return &pluginapi.Response{Status: pluginapi.StatusOK, Body: req.Body}, nil
}

func New() pluginapi.Plugin { return plug{} }

// Command badmeta carries build metadata that is not a valid document.
package main

import "github.com/pluginctl/pluginctl/pluginapi"

var APIVersion = pluginapi.APIVersion

var PluginctlMetadata = `{"schema":"pluginctl.metadata/v0"}`

type p struct{}

func (p) Name() string { return "badmeta" }

func (p) Handle(req *pluginapi.Request) (*pluginapi.Response, error) {
	return &pluginapi.Response{Status: pluginapi.StatusOK, Body: req.Body}, nil
}

func New() pluginapi.Plugin { return p{} }

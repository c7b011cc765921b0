// Command withmeta carries valid build metadata and no Capabilities.
package main

import "github.com/pluginctl/pluginctl/pluginapi"

var APIVersion = pluginapi.APIVersion

var PluginctlMetadata = `{"schema":"pluginctl.metadata/v1","kind":"plugin","package":"example.com/withmeta","module":"example.com","pluginctl_version":"test","go_version":"go1.26.8","goos":"linux","goarch":"amd64","flags":["-trimpath"],"build_set":"abc"}`

type p struct{}

func (p) Name() string { return "withmeta" }

func (p) Handle(req *pluginapi.Request) (*pluginapi.Response, error) {
	return &pluginapi.Response{Status: pluginapi.StatusOK, Body: req.Body}, nil
}

func New() pluginapi.Plugin { return p{} }

// Command nocap is a working plugin whose Capabilities lack the one a host
// requires ("filter"): it only transforms.
package main

import "github.com/pluginctl/pluginctl/pluginapi"

// APIVersion is the API version this plugin was compiled against.
var APIVersion = pluginapi.APIVersion

// Capabilities lists what the plugin can do: not "filter".
func Capabilities() []string { return []string{"transform", "text"} }

type plug struct{}

func (plug) Name() string { return "nocap" }

func (plug) Handle(req *pluginapi.Request) (*pluginapi.Response, error) {
	body := append(append([]byte(nil), req.Body...), " [nocap]"...)
	return &pluginapi.Response{Status: pluginapi.StatusOK, Body: body}, nil
}

// New is the factory the host calls.
func New() pluginapi.Plugin { return plug{} }

func main() {}

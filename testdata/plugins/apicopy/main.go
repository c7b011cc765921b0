// Command apicopy is the type identity trap. The fixture builds it inside a
// second copy of the pluginctl module whose pluginapi.Plugin interface has
// one more method, Close (see internal/fixture): same import path, other
// source bytes, so the host refuses it with "plugin was built with a
// different version of package github.com/pluginctl/pluginctl/pluginapi".
// (Built in this module it is a correct plugin: the extra method does not
// hurt.)
package main

import "github.com/pluginctl/pluginctl/pluginapi"

// APIVersion is the API version this plugin was compiled against: the same
// value as the host's, although the API differs.
var APIVersion = pluginapi.APIVersion

// Capabilities lists what the plugin can do.
func Capabilities() []string { return []string{"transform", "text"} }

type plug struct{}

func (plug) Name() string { return "apicopy" }

func (plug) Handle(req *pluginapi.Request) (*pluginapi.Response, error) {
	body := append(append([]byte(nil), req.Body...), " [apicopy]"...)
	return &pluginapi.Response{Status: pluginapi.StatusOK, Body: body}, nil
}

// Close is the method the copy's Plugin interface requires.
func (plug) Close() error { return nil }

// New is the factory the host calls.
func New() pluginapi.Plugin { return plug{} }

func main() {}

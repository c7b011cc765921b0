// Plugin good2: a second good plugin.
package main

import (
	"github.com/pluginctl/pluginctl/pluginapi"
	"github.com/pluginctl/pluginctl/testdata/lib/shared"
)

var APIVersion = pluginapi.APIVersion

type plug struct{}

func (plug) Name() string { return "good2" }

func (plug) Handle(req *pluginapi.Request) (*pluginapi.Response, error) {
	return &pluginapi.Response{Status: pluginapi.StatusOK, Body: append([]byte(shared.Greeting()), req.Body...)}, nil
}

func Capabilities() []string { return []string{"filter"} }

func Init(h pluginapi.Host) error { h.Logf("ready on %s", h.HostName()); return nil }

func New() pluginapi.Plugin { return plug{} }

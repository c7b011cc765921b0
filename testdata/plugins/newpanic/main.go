// Plugin newpanic: New panics.
package main

import "github.com/pluginctl/pluginctl/pluginapi"

var APIVersion = pluginapi.APIVersion

type plug struct{}

func (plug) Name() string { return "newpanic" }

func (plug) Handle(req *pluginapi.Request) (*pluginapi.Response, error) {
	return &pluginapi.Response{Status: pluginapi.StatusOK, Body: req.Body}, nil
}

func Capabilities() []string { return []string{"filter"} }

func Init(h pluginapi.Host) error { h.Logf("ready on %s", h.HostName()); return nil }

func New() pluginapi.Plugin { panic("newpanic: no configuration") }

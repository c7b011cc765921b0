// Plugin regb registers the name "codec" with package shared in its init:
// it loads alone, but not after the other reg plugin.
package main

import (
	"github.com/pluginctl/pluginctl/pluginapi"
	"github.com/pluginctl/pluginctl/testdata/lib/shared"
)

var APIVersion = pluginapi.APIVersion

type plug struct{}

func (plug) Name() string { return "regb" }

func (plug) Handle(req *pluginapi.Request) (*pluginapi.Response, error) {
	return &pluginapi.Response{Status: pluginapi.StatusOK, Body: req.Body}, nil
}

func New() pluginapi.Plugin { return plug{} }

func init() { shared.Register("codec") }

// Plugin conflictb links conflictlib, which the host does not link. The
// test builds conflictb against another copy of conflictlib, so the two
// load alone but not together.
package main

import (
	"github.com/pluginctl/pluginctl/pluginapi"
	"github.com/pluginctl/pluginctl/testdata/lib/conflictlib"
)

var APIVersion = pluginapi.APIVersion

type plug struct{}

func (plug) Name() string { return "conflictb-" + conflictlib.Version() }

func (plug) Handle(req *pluginapi.Request) (*pluginapi.Response, error) {
	return &pluginapi.Response{Status: pluginapi.StatusOK, Body: req.Body}, nil
}

func New() pluginapi.Plugin { return plug{} }

// Command uuid15 is a plugin that links github.com/google/uuid v1.5.0,
// while the uuidhost fixture host links v1.6.0: the runtime refuses it with
// "plugin was built with a different version of package
// github.com/google/uuid" (the depversion fixture). The fix is to require
// the host's version in this go.mod.
package main

import (
	"github.com/google/uuid"

	"github.com/pluginctl/pluginctl/pluginapi"
)

// APIVersion is the API version this plugin was compiled against.
var APIVersion = pluginapi.APIVersion

// Capabilities lists what the plugin can do.
func Capabilities() []string { return []string{"transform", "text"} }

type plug struct{}

func (plug) Name() string { return "uuid15" }

// Handle appends " [uuid15 <a uuid version 5 of the line>]".
func (plug) Handle(req *pluginapi.Request) (*pluginapi.Response, error) {
	id := uuid.NewSHA1(uuid.NameSpaceOID, req.Body)
	body := append(append([]byte(nil), req.Body...), " [uuid15 "+id.String()+"]"...)
	return &pluginapi.Response{Status: pluginapi.StatusOK, Body: body}, nil
}

// New is the factory the host calls.
func New() pluginapi.Plugin { return plug{} }

func main() {}

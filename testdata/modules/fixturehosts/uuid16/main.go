// Command uuid16 is a plugin of the fixturehosts module: it links
// github.com/google/uuid at uuidhost's version (v1.6.0), so uuidhost loads
// it (the depmatch fixture). Next to the uuid15 plugin, which links
// v1.5.0, it makes the conflict fixture for plainhost, which links no
// uuid: two plugins that link different versions of a module the host
// does not link.
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

func (plug) Name() string { return "uuid16" }

// Handle appends " [uuid16 <a uuid version 5 of the line>]".
func (plug) Handle(req *pluginapi.Request) (*pluginapi.Response, error) {
	id := uuid.NewSHA1(uuid.NameSpaceOID, req.Body)
	body := append(append([]byte(nil), req.Body...), " [uuid16 "+id.String()+"]"...)
	return &pluginapi.Response{Status: pluginapi.StatusOK, Body: body}, nil
}

// New is the factory the host calls.
func New() pluginapi.Plugin { return plug{} }

func main() {}

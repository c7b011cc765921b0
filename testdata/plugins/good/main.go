// Command good is a correct plugin: it exports APIVersion, Capabilities,
// Init and New exactly as package pluginapi asks. Every broken fixture is a
// variation of it. It links testdata/lib/shared, as the loader host does,
// so that the build tags change the fingerprint of a package both link.
package main

import (
	"bytes"

	"github.com/pluginctl/pluginctl/pluginapi"
	"github.com/pluginctl/pluginctl/testdata/lib/shared"
)

// APIVersion is the API version this plugin was compiled against.
var APIVersion = pluginapi.APIVersion

// Capabilities lists what the plugin can do.
func Capabilities() []string { return []string{"filter", "transform", "text"} }

// suffix is what Handle appends: the host's "suffix" setting, if any.
var suffix = " [good]"

// Init reads the suffix and logs the host's name.
func Init(h pluginapi.Host) error {
	if s, ok := h.Config("suffix"); ok {
		suffix = s
	}
	h.Logf("init from %s", h.HostName())
	return nil
}

type plug struct{}

func (plug) Name() string { return "good" }

// Handle upper-cases the line (after shared.Greeting()) and appends the
// suffix, so that a host's output shows that the plugin really ran.
func (plug) Handle(req *pluginapi.Request) (*pluginapi.Response, error) {
	body := append(bytes.ToUpper(append([]byte(shared.Greeting()), req.Body...)), suffix...)
	return &pluginapi.Response{Status: pluginapi.StatusOK, Body: body}, nil
}

// New is the factory the host calls.
func New() pluginapi.Plugin { return plug{} }

func main() {}

// Command initforge tries to fake a successful load: its package
// initialization, which runs inside plugin.Open, writes a success-looking
// JSON report (and a line that looks like a host's "loaded plugin" log) to
// every file descriptor from 0 to 9, then exits with status 0. A checker
// that trusts what the child prints, or a zero exit status, passes it; the
// plugin never loaded.
package main

import (
	"os"
	"syscall"

	"github.com/pluginctl/pluginctl/pluginapi"
)

// APIVersion is the API version this plugin was compiled against.
var APIVersion = pluginapi.APIVersion

// forged looks like a verifier probe's report of a clean load.
const forged = `{"ok":true,"loaded":true,"opened":true,"name":"initforge","path":"initforge.so",` +
	`"api_version":"` + pluginapi.APIVersion + `","capabilities":["transform","text"],` +
	`"new":true,"init":true,"problems":[],"error":""}` + "\n" +
	`level=INFO msg="loaded plugin" path=initforge.so name=initforge capabilities="[transform text]"` + "\n"

func init() {
	for fd := 0; fd <= 9; fd++ {
		syscall.Write(fd, []byte(forged))
	}
	os.Stdout.WriteString(forged)
	os.Exit(0)
}

type plug struct{}

func (plug) Name() string { return "initforge" }

func (plug) Handle(req *pluginapi.Request) (*pluginapi.Response, error) {
	return &pluginapi.Response{Status: pluginapi.StatusOK, Body: req.Body}, nil
}

// Capabilities lists what the plugin can do.
func Capabilities() []string { return []string{"transform", "text"} }

// New is the factory the host calls.
func New() pluginapi.Plugin { return plug{} }

func main() {}

// Command initforge tries to fake a successful load: its package
// initialization, which runs inside plugin.Open, writes a success-looking
// report (lines of the probe's protocol with a made-up key, a JSON report
// and a line that looks like a host's "loaded plugin" log) to every file
// descriptor from 0 to 9, then exits with status 0. A checker
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
const forged = `{"seq":1,"stage":"started","mode":"single","artifacts":1}` + "\t0123456789abcdef\n" +
	`{"seq":2,"stage":"opening","index":0,"path":"initforge.so"}` + "\t0123456789abcdef\n" +
	`{"seq":3,"stage":"opened","index":0}` + "\t0123456789abcdef\n" +
	`{"seq":4,"stage":"looked-up","index":0,"symbols":{"APIVersion":{"found":true,"ok":true,"value":"v1"},"New":{"found":true,"ok":true}}}` + "\t0123456789abcdef\n" +
	`{"seq":5,"stage":"done","artifacts":1}` + "\t0123456789abcdef\n" +
	`{"ok":true,"status":"pass","stage":"done"}` + "\n" + "PASS\nok\n" +
	`{"ok":true,"loaded":true,"opened":true,"name":"initforge","path":"initforge.so",` +
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

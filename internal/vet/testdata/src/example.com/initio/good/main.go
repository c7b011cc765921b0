// Self-contained initialization: regexps, tables, a private registry.
package main

import (
	"os"
	"regexp"
	"strings"

	"github.com/pluginctl/pluginctl/pluginapi"
)

var APIVersion = pluginapi.APIVersion

var word = regexp.MustCompile(`\w+`)

var table = map[string]func(string) string{"upper": strings.ToUpper}

var registry = map[string]int{}

func register(name string) { registry[name] = len(registry) }

// quit is only called later, not during initialization.
var quit = func() { os.Exit(1) }

func init() {
	register("a")
	if !word.MatchString("x") {
		panic("bad regexp") // a conditional panic on a programming error is fine
	}
	later := func() { os.Remove("/tmp/x") }
	_ = later
}

// Init may do anything: it runs after Open.
func Init(h pluginapi.Host) error {
	_, err := os.ReadFile("/etc/hosts")
	h.Logf("ok")
	return err
}

type plug struct{}

func (plug) Name() string { return "x" }

func (plug) Handle(req *pluginapi.Request) (*pluginapi.Response, error) { return nil, nil }

func New() pluginapi.Plugin { return plug{} }

func main() {}

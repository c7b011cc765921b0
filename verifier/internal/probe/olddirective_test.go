package probe

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/pluginctl/pluginctl/internal/fixture"
	"github.com/pluginctl/pluginctl/internal/gocmd"
)

// TestBuildUnderOldGoDirectives: the probe is compiled as a package of the
// host's module, with the module's language version: a go.mod that says
// go 1.16, or nothing (Go's own plugin tests are laid out so), must build
// it. The module imports nothing of pluginctl.
func TestBuildUnderOldGoDirectives(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a real host and plugin; skipped with -short")
	}
	for _, c := range []struct{ name, goLine string }{
		{"go 1.16", "\ngo 1.16\n"},
		{"no go line", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			files := map[string]string{
				"go.mod": "module example.com/old\n" + c.goLine,
				"api/api.go": `// Package api is what the host and its plugins share.
package api

// Greeter is what a plugin's New returns.
type Greeter interface{ Greet(name string) string }
`,
				"cmd/host/main.go": `// Command host opens each plugin named on its command line, asserting
// New as func() api.Greeter.
package main

import (
	"fmt"
	"os"
	"plugin"

	"example.com/old/api"
)

func main() {
	for _, path := range os.Args[1:] {
		p, err := plugin.Open(path)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		sym, err := p.Lookup("New")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Println(sym.(func() api.Greeter)().Greet("host"))
	}
}
`,
				"plugins/hello/main.go": `package main

import "example.com/old/api"

type hello struct{}

func (hello) Greet(name string) string { return "hello, " + name }

func New() api.Greeter { return hello{} }
`,
			}
			fixture.WriteFiles(t, dir, files)
			g := &gocmd.Go{Dir: dir}
			ctx := context.Background()
			host, plug := filepath.Join(dir, "bin", "host"), filepath.Join(dir, "bin", "hello.so")
			if _, err := g.Output(ctx, "build", "-o", host, "./cmd/host"); err != nil {
				t.Fatal(err)
			}
			if _, err := g.Output(ctx, "build", "-buildmode=plugin", "-o", plug, "./plugins/hello"); err != nil {
				t.Fatal(err)
			}
			typ := "func() example.com/old/api.Greeter"
			p, err := Build(ctx, Config{Host: host, SrcDir: dir, Go: g, CacheDir: t.TempDir(), Types: []string{typ}})
			if err != nil {
				t.Fatalf("the probe does not build under %s: %v", c.name, err)
			}
			r, err := p.Run(ctx, RunOptions{Artifacts: []string{plug}, Checks: []Check{{Symbol: "New", Required: true, Types: []string{typ}}}})
			if err != nil {
				t.Fatal(err)
			}
			if !r.Completed() {
				t.Fatalf("the run did not complete: exit %d %s\n%s", r.ExitCode, r.Signal, r.Stderr)
			}
			var match = -2
			for _, e := range r.Events {
				if e.Stage == StageLookedUp {
					if cr, ok := e.Check(0); ok {
						match = cr.Match
					}
				}
			}
			if match != p.TypeIndex(typ) {
				t.Errorf("New's assertion matched type %d, want %d", match, p.TypeIndex(typ))
			}
		})
	}
}

package project

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pluginctl/pluginctl/internal/artifact"
	"github.com/pluginctl/pluginctl/internal/contract"
	"github.com/pluginctl/pluginctl/internal/gocmd"
	"github.com/pluginctl/pluginctl/internal/manifest"
	"github.com/pluginctl/pluginctl/internal/released"
)

// writeFiles writes name -> content below dir.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestInForce: the contract in force, decided by InForce alone, for a
// released host (a binary of a module that imports nothing of pluginctl's,
// built elsewhere) seen from a plugin module whose pluginctl.toml declares
// a [folder] rule. verify (Load) and build --for (Project, Released) get
// the same answer: before InForce was the one function, verify dropped the
// [folder] rule and the API package the host's types name.
func TestInForce(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a host")
	}
	ctx := context.Background()
	root := t.TempDir()
	src, plugs := filepath.Join(root, "srv"), filepath.Join(root, "plugs")
	writeFiles(t, src, map[string]string{
		"go.mod":     "module example.com/srv\n\ngo 1.21\n",
		"api/api.go": "package api\n\ntype Thing interface{ Name() string }\n",
		"main.go": `package main

import (
	"os"
	"plugin"

	"example.com/srv/api"
)

func main() {
	p, err := plugin.Open(os.Args[1])
	if err != nil {
		panic(err)
	}
	s, err := p.Lookup("NewThing")
	if err != nil {
		panic(err)
	}
	println(s.(func() api.Thing)().Name())
}
`,
	})
	writeFiles(t, plugs, map[string]string{
		"go.mod":         "module example.com/plugs\n\ngo 1.21\n",
		"pluginctl.toml": "[folder]\nmatch = \"*.plug\"\n",
	})
	bin := filepath.Join(root, "srv.bin")
	g := (&gocmd.Go{Dir: src}).With("CGO_ENABLED=1", "GOFLAGS=-buildvcs=false")
	if out, err := g.Output(ctx, "build", "-trimpath", "-o", bin, "."); err != nil {
		t.Fatalf("building the host: %v\n%s", err, out)
	}
	host, err := artifact.Read(bin)
	if err != nil {
		t.Fatal(err)
	}
	opts := Options{Dir: plugs, CacheDir: "off"}
	p, err := Load(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	withSrc := released.ContractOptions{HostSrc: src, Offline: true}
	offline := released.ContractOptions{Offline: true}
	recorded := &manifest.Contract{API: []string{"example.com/rec"}, From: FromReleased, Source: "recorded",
		Contract: &contract.Contract{Entries: []contract.Entry{{Symbol: "New", Required: true}}}}
	expect := Options{Expect: []string{"Extra=func() int"}}

	for _, tc := range []struct {
		name    string
		k       Known
		from    string
		source  string   // substring of Source
		symbols []string // the entries' symbols
		api     []string
		folder  string // the folder rule's match, "" for none
		note    string // substring of a note
	}{
		{name: "verify, host source given", k: Known{Load: &opts, Host: host, Source: withSrc},
			from: FromReleased, source: "the host's source", symbols: []string{"NewThing"}, api: []string{"example.com/srv/api"}, folder: "*.plug"},
		{name: "build --for, host source given", k: Known{Project: p, Host: host, Released: true, Source: withSrc},
			from: FromReleased, source: "the host's source", symbols: []string{"NewThing"}, api: []string{"example.com/srv/api"}, folder: "*.plug"},
		{name: "verify, no source: unknown, never the convention", k: Known{Load: &opts, Host: host, Source: offline},
			from: FromUnknown, note: "built from a checkout"},
		{name: "build --for, no source: unknown", k: Known{Project: p, Host: host, Released: true, Source: offline},
			from: FromUnknown, note: "built from a checkout"},
		{name: "recorded, --expect merged over it", k: Known{Recorded: recorded, Load: &expect, Host: host},
			from: FromManifest, source: "recorded", symbols: []string{"Extra", "New"}, api: []string{"example.com/rec"}},
		{name: "nothing known", k: Known{}},
		{name: "the project, no host: its convention", k: Known{Project: p},
			from: FromConvention, symbols: []string{"APIVersion", "Capabilities", "Init", "New", "PluginctlMetadata"}, api: []string{API("")}, folder: "*.plug"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := InForce(ctx, tc.k)
			if err != nil {
				t.Fatal(err)
			}
			if r.From != tc.from || !strings.Contains(r.Source, tc.source) {
				t.Errorf("from %q (%q), want %q (%q)", r.From, r.Source, tc.from, tc.source)
			}
			var syms []string
			folder := ""
			if r.Contract != nil {
				for _, e := range r.Entries {
					syms = append(syms, e.Symbol)
				}
				if r.Folder != nil {
					folder = r.Folder.Match
				}
			}
			slices.Sort(syms)
			if !slices.Equal(syms, tc.symbols) {
				t.Errorf("symbols %q, want %q", syms, tc.symbols)
			}
			if !slices.Equal(r.API, tc.api) {
				t.Errorf("API %q, want %q", r.API, tc.api)
			}
			if folder != tc.folder {
				t.Errorf("folder %q, want %q", folder, tc.folder)
			}
			if notes := strings.Join(r.Notes, "\n"); !strings.Contains(notes, tc.note) {
				t.Errorf("notes %q lack %q", notes, tc.note)
			}
		})
	}
}

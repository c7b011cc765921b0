package project

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/go/packages"

	"github.com/pluginctl/pluginctl/internal/fixture"
	"github.com/pluginctl/pluginctl/internal/gocmd"
)

// TestListed: a graph the command listed already (the build's discovery)
// answers hosts and the contract's source key as go list would, without
// running it; another set of patterns still runs go list. On a module of
// its own, with its own API package, that imports nothing of pluginctl.
func TestListed(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	real, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	dir := t.TempDir()
	files := map[string]string{
		"go.mod":     "module example.com/shop\n\ngo 1.21\n",
		"api/api.go": "package api\n\nconst APIVersion = \"v3\"\n\ntype Plugin interface{ Name() string }\n",
		"cmd/host/main.go": `package main

import (
	"plugin"

	"example.com/shop/api"
)

func main() {
	p, _ := plugin.Open("x.so")
	s, _ := p.Lookup("New")
	_ = s.(func() api.Plugin)()
}
`,
		"plugins/filter/main.go": "package main\n\nimport \"example.com/shop/api\"\n\ntype f struct{}\n\nfunc (f) Name() string { return \"filter\" }\n\nfunc New() api.Plugin { return f{} }\n",
	}
	fixture.WriteFiles(t, dir, files)
	// A go command that logs its verbs.
	log := filepath.Join(t.TempDir(), "go.log")
	wrapper := filepath.Join(t.TempDir(), "go")
	script := fmt.Sprintf("#!/bin/sh\necho \"$1\" >> %q\nexec %q \"$@\"\n", log, real)
	if err := os.WriteFile(wrapper, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	load := func() *Project {
		p, err := Load(ctx, Options{Dir: dir, Go: &gocmd.Go{Binary: wrapper, Dir: dir}, CacheDir: "off"})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	lists := func() int {
		data, _ := os.ReadFile(log)
		return strings.Count(string(data), "list\n")
	}

	plain := load()
	wantHosts, err := plain.hosts(ctx, plain.RootPatterns())
	if err != nil || len(wantHosts) != 1 || wantHosts[0] != "example.com/shop/cmd/host" {
		t.Fatalf("Hosts = %q, %v", wantHosts, err)
	}
	wantKey := plain.sourceKey(ctx, wantHosts)
	if wantKey == "" {
		t.Fatal("no source key")
	}

	p := load()
	cfg, err := p.PackagesConfig(ctx, ListMode)
	if err != nil {
		t.Fatal(err)
	}
	roots, err := packages.Load(cfg, p.RootPatterns()...)
	if err != nil {
		t.Fatal(err)
	}
	p.Listed(p.RootPatterns(), roots)
	before := lists()
	hosts, err := p.hosts(ctx, p.RootPatterns())
	if err != nil || strings.Join(hosts, " ") != strings.Join(wantHosts, " ") {
		t.Errorf("Hosts from the listing = %q, %v; want %q", hosts, err, wantHosts)
	}
	if key := p.sourceKey(ctx, hosts); key != wantKey {
		t.Errorf("source key from the listing = %s, want %s", key, wantKey)
	}
	if n := lists() - before; n != 0 {
		t.Errorf("go list ran %d times with the graph listed", n)
	}
	// Patterns the listing was not loaded for are listed.
	if pkgs, err := p.hosts(ctx, []string{"./api"}); err != nil || len(pkgs) != 0 {
		t.Errorf("hosts(./api) = %v, %v", pkgs, err)
	}
	if lists() == before {
		t.Error("hosts of other patterns did not run go list")
	}
	// A source change changes the key, listed or not.
	os.WriteFile(filepath.Join(dir, "api", "api.go"), []byte(files["api/api.go"]+"\n// changed\n"), 0o644)
	if key := p.sourceKey(ctx, hosts); key == wantKey {
		t.Error("the source key from the listing did not change with a source file")
	}
}

package infer

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/pluginctl/pluginctl/internal/contract"
)

// frameworkScript is the framework scenario of the command's tests: a
// host (module example.com/gw) whose plugins are loaded by a framework in
// another module (example.com/fw, through a replace directive), modelled
// on lura. The contract tests read the same files.
const frameworkScript = "../../../cmd/pluginctl/testdata/script/framework.txtar"

var (
	frameworkOnce sync.Once
	frameworkDir  string
	frameworkErr  error
)

// frameworkHost extracts the scenario's files once per test binary and
// returns the host module's directory.
func frameworkHost(t testing.TB) string {
	t.Helper()
	frameworkOnce.Do(func() {
		ar, err := txtar.ParseFile(frameworkScript)
		if err != nil {
			frameworkErr = err
			return
		}
		dir, err := os.MkdirTemp("", "pluginctl-framework-")
		if err != nil {
			frameworkErr = err
			return
		}
		for _, f := range ar.Files {
			name := filepath.Join(dir, filepath.FromSlash(f.Name))
			if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
				frameworkErr = err
				return
			}
			if err := os.WriteFile(name, f.Data, 0o644); err != nil {
				frameworkErr = err
				return
			}
		}
		frameworkDir = filepath.Join(dir, "gw")
	})
	if frameworkErr != nil {
		t.Fatal(frameworkErr)
	}
	return frameworkDir
}

func TestMain(m *testing.M) {
	code := m.Run()
	if frameworkDir != "" {
		os.RemoveAll(filepath.Dir(frameworkDir))
	}
	os.Exit(code)
}

func inferFramework(t *testing.T) *contract.Contract {
	t.Helper()
	c, err := Contract(context.Background(), Options{Dir: frameworkHost(t)})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestInferFramework: the lookups are in a dependency module, through
// an interface method and a method value; the contract has the
// interfaces' method sets, the comma-ok extension, one kind per loader
// and positions in the dependency (module@version/path).
func TestInferFramework(t *testing.T) {
	c := inferFramework(t)
	got, err := jsonOf(c)
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("..", "testdata", "golden", "framework.json")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -run TestInferFramework -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("contract of the framework host differs from %s (go test -update to accept):\n%s", golden, got)
	}
	// What the golden file must say, whatever it is updated to.
	if len(c.Kinds) != 2 || c.Kinds[0].Name != "client" || c.Kinds[1].Name != "server" {
		t.Errorf("kinds %+v, want client and server", c.Kinds)
	}
	for _, e := range c.Entries {
		// ClientRegisterer has two alternatives (if ok {...} else if
		// withContextOK {...} else { return err }), HandlerRegisterer one
		// and an optional extension.
		wantTypes := map[string]int{"ClientRegisterer": 2, "HandlerRegisterer": 1}[e.Symbol]
		if len(e.Types) != wantTypes || !e.Required {
			t.Errorf("%s: types %v, required %v", e.Symbol, e.Types, e.Required)
		}
		for _, typ := range e.Types {
			if e.Interfaces[typ] == "" {
				t.Errorf("%s: no method set for %s", e.Symbol, typ)
			}
		}
		for _, s := range e.Sources {
			if !slices.Contains([]string{"example.com/fw@v0.0.0/client/plugin.go", "example.com/fw@v0.0.0/server/plugin.go"}, s.Pos[:strings.LastIndex(s.Pos, ":")]) {
				t.Errorf("%s: position %s is not in the framework module", e.Symbol, s.Pos)
			}
		}
	}
	if i := slices.IndexFunc(c.Entries, func(e contract.Entry) bool { return e.Symbol == "HandlerRegisterer" }); i < 0 ||
		!slices.Equal(c.Entries[i].Extras, []string{"example.com/fw/server.LoggerRegisterer"}) {
		t.Errorf("HandlerRegisterer has no LoggerRegisterer extension: %+v", c.Entries)
	}
}

// TestInferFrameworkVendored: the same host with its dependencies in
// vendor/: the same contract, positions still module@version/path.
func TestInferFrameworkVendored(t *testing.T) {
	if testing.Short() {
		t.Skip("copies and vendors a module")
	}
	want, err := jsonOf(inferFramework(t))
	if err != nil {
		t.Fatal(err)
	}
	src := filepath.Dir(frameworkHost(t))
	dst := t.TempDir()
	if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	gw := filepath.Join(dst, "gw")
	cmd := exec.Command("go", "mod", "vendor")
	cmd.Dir = gw
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go mod vendor: %v\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join(gw, "vendor", "example.com", "fw", "server", "plugin.go")); err != nil {
		t.Fatal(err)
	}
	c, err := Contract(context.Background(), Options{Dir: gw})
	if err != nil {
		t.Fatal(err)
	}
	got, err := jsonOf(c)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("vendored contract differs:\n%s\nwant\n%s", got, want)
	}
}

package verifier

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pluginctl/pluginctl/internal/contract/infer"
	"github.com/pluginctl/pluginctl/internal/fixture"
	"github.com/pluginctl/pluginctl/internal/gocmd"
)

// TestGoTestplugin checks Go's own plugin test suite
// ($GOROOT/src/cmd/cgo/internal/testplugin), built as its plugin_test.go
// does: its host opens plugin1.so, sub/plugin1.so (through filepath.Abs),
// plugin2.so, unnamed1.so and unnamed2.so by name and looks up other
// symbols in each. The contract ties each lookup to its file, and verify
// agrees with the host, which loads the five and refuses
// plugin-mismatch.so and plugin2-dup.so.
func TestGoTestplugin(t *testing.T) {
	if testing.Short() {
		t.Skip("builds Go's testplugin suite (8 plugins and a host)")
	}
	ctx := context.Background()
	env := fixture.Env()
	out, err := (&gocmd.Go{Env: env}).Output(ctx, "env", "GOROOT")
	if err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(strings.TrimSpace(string(out)), "src", "cmd", "cgo", "internal", "testplugin")
	if _, err := os.Stat(filepath.Join(src, "testdata", "host", "host.go")); err != nil {
		t.Skipf("no testplugin suite in this Go installation: %v", err)
	}
	tmp := t.TempDir()
	mod, alt := filepath.Join(tmp, "src", "testplugin"), filepath.Join(tmp, "alt", "src", "testplugin")
	for dst, from := range map[string]string{mod: "testdata", alt: filepath.Join("altpath", "testdata")} {
		if err := os.CopyFS(dst, os.DirFS(filepath.Join(src, from))); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, "go.mod"), []byte("module testplugin\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	build := func(dir string, args ...string) {
		t.Helper()
		g := &gocmd.Go{Dir: dir, Env: append(slices.Clone(env), "PWD="+dir)}
		if _, err := g.Output(ctx, "build", args...); err != nil {
			t.Fatal(err)
		}
	}
	build(alt, "-buildmode=plugin", "-o", filepath.Join(mod, "plugin-mismatch.so"), "./plugin-mismatch")
	build(mod, "-buildmode=plugin", "./plugin1")
	build(mod, "-buildmode=plugin", "./plugin2")
	so, err := os.ReadFile(filepath.Join(mod, "plugin2.so"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(mod, "plugin2-dup.so"), so, 0o444); err != nil {
		t.Fatal(err)
	}
	build(mod, "-buildmode=plugin", "-o=sub/plugin1.so", "./sub/plugin1")
	build(mod, "-buildmode=plugin", "-o=unnamed1.so", "./unnamed1/main.go")
	build(mod, "-buildmode=plugin", "-o=unnamed2.so", "./unnamed2/main.go")
	build(mod, "-o", "host.exe", "./host")

	c, err := infer.Contract(ctx, infer.Options{Dir: mod, Patterns: []string{"./host"}, Env: env})
	if err != nil {
		t.Fatal(err)
	}
	for plugin, want := range map[string][]string{
		"plugin1.so":     {"F", "ReadCommonX", "Seven", "UnexportedNameReuse"},
		"sub/plugin1.so": {"F", "FuncVar", "ReadCommonX"},
		"unnamed1.so":    {"FuncInt"},
		"unnamed2.so":    {"FuncInt"},
		"plugin2.so":     {"UnexportedNameReuse"},
	} {
		var got []string
		for _, e := range c.For(plugin) {
			if e.Required {
				got = append(got, e.Symbol)
			}
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("contract: %s must have %v, want %v", plugin, got, want)
		}
	}
	if k, ok := c.KindOf("sub/plugin1.so"); !ok || k.Name != "sub/plugin1" {
		t.Errorf("kind of sub/plugin1.so = %+v, %v; want sub/plugin1", k, ok)
	}

	t.Chdir(mod)
	arts := []string{"plugin1.so", "plugin2.so", "sub/plugin1.so", "unnamed1.so", "unnamed2.so", "plugin-mismatch.so", "plugin2-dup.so"}
	for _, static := range []bool{true, false} {
		r, err := Verify(ctx, Options{
			Host: "host.exe", Dir: mod, Contract: c, Static: static, CacheDir: filepath.Join(tmp, "cache"),
			Go: &gocmd.Go{Dir: mod, Env: env},
		}, arts)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range r.Artifacts {
			text := problemsText(a.Problems)
			switch a.Path {
			case "plugin-mismatch.so":
				if a.OK || !strings.Contains(text, "testplugin/common") {
					t.Errorf("static=%v: %s: ok=%v, want a failure naming testplugin/common:\n%s", static, a.Path, a.OK, text)
				}
			case "plugin2-dup.so":
				if a.OK || !slices.Contains(errorCodes(a), string(DuplicatePlugin)) {
					t.Errorf("static=%v: %s: ok=%v, want duplicate-plugin:\n%s", static, a.Path, a.OK, text)
				}
			default:
				if !a.OK || len(a.Problems) > 0 {
					t.Errorf("static=%v: %s fails, the host loads it:\n%s", static, a.Path, text)
				}
			}
			for _, p := range a.Problems {
				if p.Code == NotOpened {
					t.Errorf("static=%v: %s: not-opened, but the host opens it by name: %s", static, a.Path, p.Message)
				}
			}
			if slices.Contains(errorCodes(a), string(CheckDisagreement)) {
				t.Errorf("static=%v: %s: check-disagreement:\n%s", static, a.Path, text)
			}
		}
	}
}

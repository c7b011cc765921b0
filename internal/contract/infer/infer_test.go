package infer

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"go/types"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/tools/go/packages"

	"github.com/pluginctl/pluginctl/internal/contract"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/golden")

const (
	moduleRoot = "../../.."
	apiPkg     = "github.com/pluginctl/pluginctl/pluginapi"
	fixtures   = "./internal/contract/testdata"
)

// hosts are the fixture hosts with a golden contract each.
var hosts = []struct{ name, pattern string }{
	{"multi", fixtures + "/hosts/multi"},
	{"specific", fixtures + "/hosts/specific"},
	{"config", fixtures + "/hosts/config"},
	{"kinds", fixtures + "/hosts/kinds"},
	{"generic", fixtures + "/hosts/generic"},
	{"heuristics", fixtures + "/hosts/heuristics"},
	{"funcvars", fixtures + "/hosts/funcvars"},
	{"extensions", fixtures + "/hosts/extensions"},
	{"convention", fixtures + "/hosts/convention"},
	{"byname", fixtures + "/hosts/byname"},
	{"walker", fixtures + "/hosts/walker"},
	{"textpipe", "./examples/textpipe/cmd/host"},
}

func infer(t testing.TB, patterns ...string) *contract.Contract {
	t.Helper()
	c, err := Contract(context.Background(), Options{Dir: moduleRoot, Patterns: patterns})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestInferGolden(t *testing.T) {
	for _, h := range hosts {
		t.Run(h.name, func(t *testing.T) {
			t.Parallel()
			got, err := jsonOf(infer(t, h.pattern))
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("..", "testdata", "golden", h.name+".json")
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -run TestInferGolden -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("contract of %s differs from %s (go test -update to accept):\n%s", h.pattern, golden, got)
			}
		})
	}
}

// withoutSources drops what differs between an inferred and a default
// contract that agree.
func withoutSources(c *contract.Contract) []contract.Entry {
	var out []contract.Entry
	for _, e := range c.Entries {
		e.Sources = nil
		out = append(out, e)
	}
	return out
}

// TestHeuristics: each symbol of the heuristics host says by its name
// whether it is required.
func TestHeuristics(t *testing.T) {
	c := infer(t, fixtures+"/hosts/heuristics")
	if len(c.Entries) != 15 || len(c.Unresolved) != 0 {
		t.Errorf("%d entries, %d unresolved", len(c.Entries), len(c.Unresolved))
	}
	for _, e := range c.Entries {
		want := strings.HasPrefix(e.Symbol, "Required")
		if e.Required != want || len(e.Types) != 1 {
			t.Errorf("%s: required %v, types %v", e.Symbol, e.Required, e.Types)
		}
	}
}

func TestConventionHostsInferTheDefault(t *testing.T) {
	want := withoutSources(contract.Default(apiPkg))
	for _, pattern := range []string{fixtures + "/hosts/convention", "./examples/textpipe/cmd/host"} {
		c := infer(t, pattern)
		if got := withoutSources(c); !slices.EqualFunc(got, want, entryEqual) {
			t.Errorf("%s: inferred\n%+v\nwant the default\n%+v", pattern, got, want)
		}
		if len(c.Unresolved) > 0 {
			t.Errorf("%s: unresolved %+v", pattern, c.Unresolved)
		}
	}
}

func entryEqual(a, b contract.Entry) bool {
	return a.Symbol == b.Symbol && slices.Equal(a.Types, b.Types) && a.Kind == b.Kind &&
		a.Required == b.Required && a.Plugins == b.Plugins
}

// TestInferSeveralHosts: one inference over several hosts merges their
// contracts; an empty pattern list finds the hosts itself.
func TestInferSeveralHosts(t *testing.T) {
	c := infer(t, fixtures+"/hosts/multi", fixtures+"/hosts/specific")
	if len(c.Hosts) != 2 {
		t.Errorf("hosts %v", c.Hosts)
	}
	got := c.Symbols()
	want := []string{"Answer", "Collect", "Handler", "NewGreeter", "Seven", "Verbose", "Version"}
	if !slices.Equal(got, want) {
		t.Errorf("symbols %v, want %v", got, want)
	}

	all, err := Contract(context.Background(), Options{Dir: filepath.Join(moduleRoot, "examples", "textpipe")})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(all.Hosts, []string{"github.com/pluginctl/pluginctl/examples/textpipe/cmd/host"}) {
		t.Errorf("discovered hosts %v", all.Hosts)
	}
}

func TestInferErrors(t *testing.T) {
	_, err := Contract(context.Background(), Options{Dir: moduleRoot, Patterns: []string{"./internal/contract/testdata/nosuchhost"}})
	if err == nil {
		t.Fatal("no error for a missing package")
	}
}

// TestRealHostAgrees builds the multi host and the fixture plugins and
// checks that the host accepts exactly the plugins that satisfy the
// inferred contract.
func TestRealHostAgrees(t *testing.T) {
	if testing.Short() {
		t.Skip("builds plugins")
	}
	if out, err := exec.Command("go", "env", "CGO_ENABLED").Output(); err != nil || strings.TrimSpace(string(out)) != "1" {
		t.Skip("plugins need cgo")
	}
	c := infer(t, fixtures+"/hosts/multi")
	o := &Options{Dir: moduleRoot}
	names := []string{"seven", "noseven", "badseven"}
	var patterns []string
	for _, n := range names {
		patterns = append(patterns, fixtures+"/plugins/"+n)
	}
	typed, err := loadProgram(context.Background(), o, patterns, nil)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	build := func(args ...string) {
		cmd := exec.Command("go", append([]string{"build"}, args...)...)
		cmd.Dir = moduleRoot
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go build %v: %v\n%s", args, err, out)
		}
	}
	host := filepath.Join(dir, "multi")
	build("-o", host, fixtures+"/hosts/multi")
	for _, p := range typed.SourceRoots() {
		name := filepath.Base(p.PkgPath)
		so := filepath.Join(dir, name+".so")
		build("-buildmode=plugin", "-o", so, fixtures+"/plugins/"+name)
		out, err := exec.Command(host, so).CombinedOutput()
		accepted := err == nil
		if want := satisfies(p, c); accepted != want {
			t.Errorf("%s: the host accepted it: %v, the contract says %v (%s)", name, accepted, want, out)
		}
	}
}

// satisfies is the contract's verdict on a type-checked plugin package:
// it defines every required symbol, of one of the entry's types.
func satisfies(p *packages.Package, c *contract.Contract) bool {
	for _, e := range c.For(filepath.Base(p.PkgPath)) {
		if !e.Required {
			continue
		}
		obj := p.Types.Scope().Lookup(e.Symbol)
		if obj == nil {
			return false
		}
		t := obj.Type()
		if _, isVar := obj.(*types.Var); isVar {
			t = types.NewPointer(t) // what Lookup returns
		}
		if !e.MatchesType(t) {
			return false
		}
	}
	return true
}

func BenchmarkInfer(b *testing.B) {
	for b.Loop() {
		infer(b, "./examples/textpipe/cmd/host")
	}
}

// jsonOf is the contract as the golden files hold it: indented JSON and a
// final newline.
func jsonOf(c *contract.Contract) ([]byte, error) {
	b, err := json.MarshalIndent(c, "", "  ")
	return append(b, '\n'), err
}

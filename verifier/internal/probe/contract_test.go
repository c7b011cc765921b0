package probe

import (
	"bytes"
	"context"
	"debug/buildinfo"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pluginctl/pluginctl/internal/fixture"
)

func TestSymbolCheckRoundTrip(t *testing.T) {
	for _, c := range []symbolCheck{
		{name: "New", required: true, types: []int{0, 12, 3}},
		{name: "Seven", types: []int{7}},
		{name: "Any"},
	} {
		s := formatSymbolCheck(c)
		got, ok := parseSymbolCheck(s)
		if !ok || got.name != c.name || got.required != c.required || !slices.Equal(got.types, c.types) {
			t.Errorf("%+v -> %q -> %+v, %v", c, s, got, ok)
		}
	}
	for _, bad := range []string{"", "r:", "r::", "x:New:", "r:New", "r:New:1,", "r:New:,1", "r:New:a", "r:New:1,,2", "rr:New:1", "r:New:99999999999"} {
		if c, ok := parseSymbolCheck(bad); ok {
			t.Errorf("parseSymbolCheck(%q) = %+v, want an error", bad, c)
		}
	}
}

// The package-set rule: the probe imports a type's packages only when the
// host links them, and says why it cannot assert the others.
func TestClassifyTypes(t *testing.T) {
	lp := listed{
		ImportPath: "example.com/app/cmd/host",
		Deps: []string{"fmt", "os", "net/http", "internal/abi", "example.com/app/api", "example.com/app/internal/cfg",
			"example.com/lib/internal/x", "vendor/golang.org/x/net/http/httpguts", "example.com/app/cmd/host/internal/own"},
	}
	cases := []struct {
		typ    string
		goSyn  string // with the import names of typeImportOrder
		reason string
	}{
		{"*int", "*int", ""},
		{"func(int) int", "func(int) int", ""},
		{"func() interface{}", "func() interface{}", ""},
		{"func(net/http.ResponseWriter, *net/http.Request)", "func(ctype9.ResponseWriter, *ctype9.Request)", ""},
		{"func() example.com/app/api.Plugin", "func() ctype1.Plugin", ""},
		{"func(example.com/app/internal/cfg.Config) error", "func(ctype4.Config) error", ""},
		{"*example.com/app/cmd/host/internal/own.T", "*ctype3.T", ""},
		{"map[string]unsafe.Pointer", "map[string]ctype10.Pointer", ""},
		{"*example.com/app/cmd/host.Config", "", "is the host's package main"},
		{"*main.Config", "", "is the host's package main"},
		{"func(*container/list.List)", "", "mentions package container/list, which the host does not link"},
		{"*example.com/lib/internal/x.T", "", "internal to example.com/lib, which the host's main package cannot import"},
		{"*internal/abi.Type", "", "internal to the standard library"},
		{"func(vendor/golang.org/x/net/http/httpguts.X)", "", "vendored package"},
		{"*fmt.pp", "", "names fmt.pp, which is not exported"},
		{"func(", "", "not a Go type"},
	}
	var types []string
	for _, c := range cases {
		types = append(types, c.typ)
	}
	tcs := classifyTypes(types, lp)
	for i, c := range cases {
		tc := tcs[i]
		if c.reason == "" && (tc.Reason != "" || tc.Go != c.goSyn) || c.reason != "" && (!strings.Contains(tc.Reason, c.reason) || tc.Go != "") {
			t.Errorf("%s: Go %q, reason %q; want %q, %q", c.typ, tc.Go, tc.Reason, c.goSyn, c.reason)
		}
	}
	t.Logf("import names: %v", typeImportOrder(tcs))

	// The generated source imports the packages of the assertable types
	// only, asserts each with its own function, and says why not for the
	// others.
	gen, err := generate(&buildinfo.BuildInfo{}, lp, "example.com/app/api", tcs)
	if err != nil {
		t.Fatal(err)
	}
	f, err := parser.ParseFile(token.NewFileSet(), "main.go", gen.src, parser.ImportsOnly)
	if err != nil {
		t.Fatal(err)
	}
	var imports []string
	for _, imp := range f.Imports {
		if imp.Name != nil && strings.HasPrefix(imp.Name.Name, "ctype") {
			imports = append(imports, imp.Name.Name+" "+imp.Path.Value)
		}
	}
	want := []string{`ctype1 "example.com/app/api"`, `ctype3 "example.com/app/cmd/host/internal/own"`, `ctype4 "example.com/app/internal/cfg"`,
		`ctype9 "net/http"`, `ctype10 "unsafe"`}
	if !slices.Equal(imports, want) {
		t.Errorf("type imports %q, want %q", imports, want)
	}
	for _, want := range []string{
		"_, ok := sym.(func(ctype9.ResponseWriter, *ctype9.Request))",
		`{"*fmt.pp", nil, "it names fmt.pp, which is not exported: only its own package can name it"},`,
		`{"func(net/http.ResponseWriter, *net/http.Request)", assertType`,
	} {
		if !bytes.Contains(gen.src, []byte(want)) {
			t.Errorf("generated source lacks %s", want)
		}
	}
	lines := strings.Split(string(gen.src), "\n")
	for l, k := range gen.lines {
		if k < 0 || k >= len(tcs) || tcs[k].Reason != "" {
			t.Errorf("line %d blames type %d", l, k)
		}
		if strings.Contains(lines[l-1], "sym.(") && !strings.Contains(lines[l-1], "sym.("+tcs[k].Go+")") {
			t.Errorf("line %d blames type %s: %s", l, tcs[k].Type, lines[l-1])
		}
	}

	// A compile error in an assertion function marks its type; one
	// elsewhere does not.
	var errLine, k int
	for l, kk := range gen.lines {
		if strings.Contains(lines[l-1], "sym.(") {
			errLine, k = l, kk
			break
		}
	}
	stderr := "# example.com/app/cmd/host/pluginctl_probe\n/cache/x/main.go:" + itoa(errLine) + ":17: undefined: ctype1.Plugin\n"
	marked := slices.Clone(tcs)
	if !markUncompilable(marked, gen.lines, stderr) || !strings.Contains(marked[k].Reason, "does not compile with the host's packages: undefined: example.com/app/api.Plugin") {
		t.Errorf("compile error at line %d not blamed on type %d: %+v", errLine, k, marked[k])
	}
	if markUncompilable(slices.Clone(tcs), gen.lines, "/cache/x/main.go:3:1: syntax error\n") {
		t.Error("a compile error outside the assertions was blamed on a type")
	}
	if markUncompilable(slices.Clone(tcs), gen.lines, "go: cannot find main module\n") {
		t.Error("a go command error was blamed on a type")
	}
}

func itoa(n int) string { return string(appendInt(nil, n)) }

// The contract host's probe: the types it can assert are compiled in
// (and change nothing in its package set), the ones it cannot are marked,
// and a run asserts each check's types as the host does.
func TestBuildWithContractTypes(t *testing.T) {
	f := fixture.Probe(t)
	types := []string{
		"*int", "func(int) int", "func() interface{}", "func() string", "*bool",
		"func(*container/list.List)", "*" + f.ContractHostPkg + ".Config", "*os.Nope", "*fmt.pp", "*internal/abi.Type", "func(*os.File) error",
	}
	p, err := Build(context.Background(), Config{Host: f.ContractHost, SrcDir: f.Root, Go: goAt(f.Root), CacheDir: filepath.Join(f.Dir, "probe-cache"), Types: types})
	if err != nil {
		t.Fatal(err)
	}
	reasons := map[string]string{}
	for _, tc := range p.Types {
		reasons[tc.Type] = tc.Reason
	}
	for typ, want := range map[string]string{
		"*int": "", "func(int) int": "", "func() interface{}": "", "func() string": "", "*bool": "", "func(*os.File) error": "",
		"func(*container/list.List)":        "which the host does not link",
		"*" + f.ContractHostPkg + ".Config": "the host's package main",
		"*os.Nope":                          "does not compile with the host's packages: undefined: os.Nope",
		"*fmt.pp":                           "not exported",
		"*internal/abi.Type":                "internal to the standard library",
	} {
		if got, ok := reasons[typ]; !ok || want == "" && got != "" || want != "" && !strings.Contains(got, want) {
			t.Errorf("%s: reason %q, want %q", typ, got, want)
		}
	}
	if !bytes.Contains(p.Source, []byte(`"os"`)) || bytes.Contains(p.Source, []byte(`"container/list"`)) {
		t.Errorf("imports of the generated source:\n%s", p.Source)
	}
	assertSamePackageSet(t, goAt(f.Root), p)

	checks := []Check{
		{Symbol: "Seven", Required: true, Types: []string{"*int"}},
		{Symbol: "Double", Required: true, Types: []string{"func(int) int"}},
		{Symbol: "New", Required: true, Types: []string{"func() interface{}", "func() string"}},
		{Symbol: "Verbose", Types: []string{"*bool"}},
		{Symbol: "Handler", Types: []string{"func(*container/list.List)", "*int"}},
	}
	type outcome struct {
		found bool
		match string
	}
	for name, want := range map[string][]outcome{
		"cgood":     {{true, "*int"}, {true, "func(int) int"}, {true, "func() interface{}"}, {false, ""}, {false, ""}},
		"calt":      {{true, "*int"}, {true, "func(int) int"}, {true, "func() string"}, {true, "*bool"}, {false, ""}},
		"cbadseven": {{true, ""}, {true, "func(int) int"}, {true, "func() interface{}"}, {false, ""}, {false, ""}},
		"chandler":  {{true, "*int"}, {true, "func(int) int"}, {true, "func() interface{}"}, {false, ""}, {true, ""}},
	} {
		r, err := p.Run(context.Background(), RunOptions{Artifacts: []string{f.Plugins[name]}, Checks: checks})
		if err != nil || !r.Completed() {
			t.Fatalf("%s: %v %+v\n%s", name, err, r, r.Stderr)
		}
		var ev *Event
		for i := range r.Events {
			if r.Events[i].Stage == StageLookedUp {
				ev = &r.Events[i]
			}
		}
		if ev == nil {
			t.Fatalf("%s: no looked-up event: %+v", name, r.Events)
		}
		for k, w := range want {
			cr, ok := ev.Check(k)
			match := ""
			if cr.Match >= 0 && cr.Match < len(p.Types) {
				match = p.Types[cr.Match].Type
			}
			if !ok || cr.Found != w.found || match != w.match {
				t.Errorf("%s: %s: found %v, match %q; want %v, %q (%+v)", name, checks[k].Symbol, cr.Found, match, w.found, w.match, cr)
			}
		}
		if cr, _ := ev.Check(4); len(cr.Unassertable) != 1 || !strings.Contains(strings.Join(cr.Reasons, ""), "container/list") {
			t.Errorf("%s: Handler's unassertable type not reported: %+v", name, cr)
		}
	}
	if _, err := p.Run(context.Background(), RunOptions{Artifacts: []string{f.Plugins["cgood"]}, Checks: []Check{{Symbol: "X", Types: []string{"*uint8"}}}}); err == nil {
		t.Error("Run with a type the probe was not built for did not fail")
	}
	if _, err := p.Run(context.Background(), RunOptions{Artifacts: []string{f.Plugins["cgood"]}, Convention: true}); err == nil {
		t.Error("Run with the convention on a host without the API package did not fail")
	}
}

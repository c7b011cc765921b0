package contract

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestApplies(t *testing.T) {
	for _, tt := range []struct {
		plugins, name string
		want          bool
	}{
		{"", "anything", true},
		{"auth", "auth", true},
		{"auth", "auth.so", true},
		{"auth", "bin/plugins/auth.so", true},
		{"auth", "authz", false},
		{"auth*", "authz.so", true},
		{"auth*", "metrics", false},
		{"metrics, auth", "auth", true},
		{"plugins/auth", "bin/plugins/auth.so", true},
		{"plugins/*", "bin/plugins/x.so", true},
		{"other/auth", "bin/plugins/auth.so", false},
	} {
		e := Entry{Symbol: "S", Plugins: tt.plugins}
		if got := e.Applies(tt.name); got != tt.want {
			t.Errorf("Entry{Plugins: %q}.Applies(%q) = %v, want %v", tt.plugins, tt.name, got, tt.want)
		}
	}
}

func TestFor(t *testing.T) {
	c := Merge(nil,
		Entry{Symbol: "Handler", Types: []string{"func()"}, Required: true, Plugins: "auth"},
		Entry{Symbol: "Version", Types: []string{"*string"}, Required: true},
		Entry{Symbol: "Debug", Types: []string{"*bool"}},
	)
	names := func(es []Entry) []string {
		var out []string
		for _, e := range es {
			out = append(out, e.Symbol)
		}
		return out
	}
	if got := names(c.For("plugins/auth.so")); !slices.Equal(got, []string{"Debug", "Handler", "Version"}) {
		t.Errorf("For(auth) = %v", got)
	}
	if got := names(c.For("metrics")); !slices.Equal(got, []string{"Debug", "Version"}) {
		t.Errorf("For(metrics) = %v", got)
	}
	var nilC *Contract
	if nilC.For("x") != nil {
		t.Error("nil contract")
	}
}

func TestDefault(t *testing.T) {
	c := Default("example.com/app/api")
	want := map[string]Entry{
		"New":               {Symbol: "New", Types: []string{"func() example.com/app/api.Plugin"}, Kind: KindFunc, Required: true},
		"APIVersion":        {Symbol: "APIVersion", Types: []string{"*string"}, Kind: KindVar, Required: true},
		"Capabilities":      {Symbol: "Capabilities", Types: []string{"func() []string"}, Kind: KindFunc},
		"Init":              {Symbol: "Init", Types: []string{"func(example.com/app/api.Host) error"}, Kind: KindFunc},
		"PluginctlMetadata": {Symbol: "PluginctlMetadata", Types: []string{"*string"}, Kind: KindVar},
	}
	if len(c.Entries) != len(want) {
		t.Fatalf("%d entries", len(c.Entries))
	}
	for _, e := range c.Entries {
		if w := want[e.Symbol]; !entryEqual(e, w) || len(e.Sources) != 1 || e.Sources[0].Kind != SourceConvention {
			t.Errorf("%+v, want %+v", e, w)
		}
		for _, typ := range e.Types {
			if c, err := CanonicalType(typ); err != nil || c != typ {
				t.Errorf("default type %q is not canonical (%q, %v)", typ, c, err)
			}
		}
	}
}

func src(kind, pos string) Source { return Source{Kind: kind, Pos: pos} }

func TestMerge(t *testing.T) {
	inferred := &Contract{
		Hosts: []string{"example.com/app/cmd/host"},
		Entries: []Entry{
			{Symbol: "Seven", Types: []string{"*int"}, Kind: KindVar, Required: true, Sources: []Source{src(SourceLookup, "main.go:10")}},
			{Symbol: "Answer", Types: []string{"func() int"}, Kind: KindFunc, Required: true, Sources: []Source{src(SourceLookup, "main.go:20")}},
			{Symbol: "Handler", Types: []string{"func()"}, Kind: KindFunc, Required: true, Plugins: "auth", Sources: []Source{src(SourceLookup, "main.go:30")}},
		},
		Unresolved: []Unresolved{{Pos: "main.go:40", Reason: "symbol name from a variable: cfg.Symbol"}},
	}
	before, _ := json.Marshal(inferred)
	cfgSrc := []Source{src(SourceConfig, "pluginctl.toml:3")}
	flagSrc := []Source{src(SourceExpect, "--expect Seven?=*int64")}

	for _, tt := range []struct {
		name     string
		declared []Entry
		check    func(t *testing.T, c *Contract)
	}{
		{"nothing declared", nil, func(t *testing.T, c *Contract) {
			if len(c.Entries) != 3 || c.Entries[0].Symbol != "Answer" || len(c.Unresolved) != 1 || len(c.Hosts) != 1 {
				t.Errorf("%+v", c)
			}
		}},
		{"declared type replaces the inferred one", []Entry{{Symbol: "Seven", Types: []string{"*int64"}, Required: true, Sources: cfgSrc}}, func(t *testing.T, c *Contract) {
			e := c.Entries[2]
			if e.Symbol != "Seven" || !slices.Equal(e.Types, []string{"*int64"}) || e.Kind != KindVar || !e.Required {
				t.Errorf("%+v", e)
			}
			if len(e.Sources) != 2 || e.Sources[0].Kind != SourceConfig || e.Sources[1].Kind != SourceLookup {
				t.Errorf("sources %+v: the declaration first", e.Sources)
			}
		}},
		{"declaration without type keeps the inferred type", []Entry{{Symbol: "Answer", Required: false, Sources: cfgSrc}}, func(t *testing.T, c *Contract) {
			e := c.Entries[0]
			if !slices.Equal(e.Types, []string{"func() int"}) || e.Required || e.Kind != KindFunc {
				t.Errorf("%+v", e)
			}
		}},
		{"new symbol added, sorted", []Entry{{Symbol: "Banner", Types: []string{"*string"}, Required: true, Sources: cfgSrc}}, func(t *testing.T, c *Contract) {
			if len(c.Entries) != 4 || c.Entries[1].Symbol != "Banner" || c.Entries[1].Kind != KindVar {
				t.Errorf("%+v", c.Entries)
			}
		}},
		{"other plugins: a separate entry", []Entry{{Symbol: "Handler", Types: []string{"func(int)"}, Required: true, Sources: cfgSrc}}, func(t *testing.T, c *Contract) {
			if len(c.Entries) != 4 || c.Entries[1].Plugins != "" || c.Entries[2].Plugins != "auth" {
				t.Errorf("%+v", c.Entries)
			}
		}},
		{"later declaration wins", []Entry{
			{Symbol: "Seven", Types: []string{"*int32"}, Required: true, Sources: cfgSrc},
			{Symbol: "Seven", Types: []string{"*int64"}, Required: false, Sources: flagSrc},
		}, func(t *testing.T, c *Contract) {
			e := c.Entries[2]
			if !slices.Equal(e.Types, []string{"*int64"}) || e.Required || len(e.Sources) != 3 || e.Sources[0].Kind != SourceExpect {
				t.Errorf("%+v", e)
			}
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tt.check(t, Merge(inferred, tt.declared...))
			if after, _ := json.Marshal(inferred); string(after) != string(before) {
				t.Error("Merge modified its input")
			}
		})
	}

	c := Merge(nil, Entry{Symbol: "X", Sources: flagSrc})
	if len(c.Entries) != 1 || c.Unresolved != nil || c.Hosts != nil {
		t.Errorf("Merge(nil, X) = %+v", c)
	}
}

const apiPkg = "github.com/pluginctl/pluginctl/pluginapi"

func TestResolve(t *testing.T) {
	if c := Resolve(nil, apiPkg); !reflect.DeepEqual(c, Default(apiPkg)) {
		t.Errorf("nothing known: %+v", c)
	}
	if c := Resolve(&Contract{Hosts: []string{"h"}}, ""); len(c.Entries) != 0 {
		t.Errorf("no convention: %+v", c)
	}
	d := Entry{Symbol: "Seven", Types: []string{"*int"}, Required: true}
	if c := Resolve(nil, apiPkg, d); len(c.Entries) != 1 || c.Entries[0].Symbol != "Seven" {
		t.Errorf("declared only: %+v", c)
	}
	inf := &Contract{Unresolved: []Unresolved{{Pos: "a.go:1", Reason: "r"}}}
	if c := Resolve(inf, apiPkg); len(c.Entries) != 0 || len(c.Unresolved) != 1 {
		t.Errorf("unresolved lookups are knowledge: %+v", c)
	}
}

func TestJSONDeterministic(t *testing.T) {
	a := Merge(nil,
		Entry{Symbol: "B", Types: []string{"*int", "*bool"}, Sources: []Source{src(SourceLookup, "b.go:10"), src(SourceLookup, "b.go:9"), src(SourceLookup, "a.go:100")}},
		Entry{Symbol: "A", Plugins: "y"},
		Entry{Symbol: "A", Plugins: "x"},
	)
	got, err := jsonOf(a)
	if err != nil {
		t.Fatal(err)
	}
	var back Contract
	if err := json.Unmarshal(got, &back); err != nil {
		t.Fatal(err)
	}
	if back.Entries[0].Plugins != "x" || back.Entries[1].Plugins != "y" || !slices.Equal(back.Entries[2].Types, []string{"*bool", "*int"}) {
		t.Errorf("%s", got)
	}
	var pos []string
	for _, s := range back.Entries[2].Sources {
		pos = append(pos, s.Pos)
	}
	if !slices.Equal(pos, []string{"a.go:100", "b.go:9", "b.go:10"}) {
		t.Errorf("sources in order %v", pos)
	}
}

func TestWant(t *testing.T) {
	base := func(typ string) string { return strings.TrimPrefix(typ, "example.com/") }
	for _, tc := range []struct {
		e    Entry
		name func(string) string
		want string
	}{
		{Entry{}, nil, "any type"},
		{Entry{Kind: KindFunc}, nil, "any function"},
		{Entry{Kind: KindVar}, base, "any variable"},
		{Entry{Types: []string{"*int"}}, nil, "*int"},
		{Entry{Types: []string{"*example.com/api.Config", "func() int"}}, nil, "*example.com/api.Config or func() int"},
		{Entry{Types: []string{"*example.com/api.Config", "func() int"}}, base, "*example.com/api.Config or func() int"},
		{Entry{Types: []string{"example.com/api.Plugin"}}, base, "api.Plugin"},
	} {
		if got := tc.e.Want(tc.name); got != tc.want {
			t.Errorf("%+v: Want = %q, want %q", tc.e, got, tc.want)
		}
	}
}

func entryEqual(a, b Entry) bool {
	return a.Symbol == b.Symbol && slices.Equal(a.Types, b.Types) && a.Kind == b.Kind &&
		a.Required == b.Required && a.Plugins == b.Plugins
}

// jsonOf is the contract as the golden files hold it: indented JSON and a
// final newline.
func jsonOf(c *Contract) ([]byte, error) {
	b, err := json.MarshalIndent(c, "", "  ")
	return append(b, '\n'), err
}

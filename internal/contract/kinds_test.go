package contract

import (
	"go/types"
	"slices"
	"strings"
	"testing"
)

func kindsContract() *Contract {
	c := Merge(nil,
		Entry{Symbol: "HandlerRegisterer", Required: true},
		Entry{Symbol: "ClientRegisterer", Required: true},
		Entry{Symbol: "ModifierRegisterer", Required: true},
		Entry{Symbol: "Factory", Required: true},
		Entry{Symbol: "Version", Required: true},
		Entry{Symbol: "Logger"},
	)
	c.Kinds = []Kind{
		{Name: "handler", Symbols: []string{"HandlerRegisterer"}},
		{Name: "client", Symbols: []string{"ClientRegisterer"}},
		{Name: "modifier", Symbols: []string{"ModifierRegisterer", "Factory"}},
	}
	c.normalize()
	return c
}

func TestKindVerdict(t *testing.T) {
	c := kindsContract()
	tests := []struct {
		name    string
		state   map[string]int
		ok      bool
		nearest string
		failed  []string
	}{
		{"one kind", map[string]int{"ClientRegisterer": SymbolOK, "HandlerRegisterer": SymbolMissing, "ModifierRegisterer": SymbolMissing, "Factory": SymbolMissing}, true, "", nil},
		{"a two-symbol kind", map[string]int{"HandlerRegisterer": SymbolMissing, "ClientRegisterer": SymbolMissing}, true, "", nil},
		{"none: the mistyped one is nearest", map[string]int{"ClientRegisterer": SymbolMissing, "HandlerRegisterer": SymbolBadType, "ModifierRegisterer": SymbolMissing, "Factory": SymbolMissing}, false, "handler", []string{"HandlerRegisterer"}},
		{"none: half a kind is nearest", map[string]int{"ClientRegisterer": SymbolMissing, "HandlerRegisterer": SymbolMissing, "ModifierRegisterer": SymbolMissing}, false, "modifier", []string{"ModifierRegisterer"}},
		{"none: ties go to the first by name", map[string]int{"ClientRegisterer": SymbolMissing, "HandlerRegisterer": SymbolMissing, "ModifierRegisterer": SymbolMissing, "Factory": SymbolMissing}, false, "client", []string{"ClientRegisterer"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, nearest, failed := c.KindVerdict(func(s string) int { return tt.state[s] })
			if ok != tt.ok || nearest.Name != tt.nearest || !slices.Equal(failed, tt.failed) {
				t.Errorf("KindVerdict = %v, %q, %v; want %v, %q, %v", ok, nearest.Name, failed, tt.ok, tt.nearest, tt.failed)
			}
		})
	}
	if (&Contract{}).InKind("X") || !c.InKind("Factory") || c.InKind("Version") {
		t.Error("InKind")
	}
	if ok, _, _ := (&Contract{}).KindVerdict(func(string) int { return SymbolMissing }); !ok {
		t.Error("a contract without kinds accepts every plugin")
	}
}

func TestWithKinds(t *testing.T) {
	inferred := kindsContract()
	declared := []Kind{
		{Name: "gateway", Symbols: []string{"HandlerRegisterer", "Version"}, Sources: []Source{{Kind: SourceConfig, Pos: "pluginctl.toml:1"}}},
		{Name: "extra", Symbols: []string{"Extra"}, Sources: []Source{{Kind: SourceConfig, Pos: "pluginctl.toml:5"}}},
	}
	c := WithKinds(inferred, declared...)
	var names []string
	for _, k := range c.Kinds {
		names = append(names, k.Name)
	}
	if !slices.Equal(names, []string{"extra", "gateway"}) {
		t.Errorf("kinds %v, want the declared ones only", names)
	}
	i := slices.IndexFunc(c.Entries, func(e Entry) bool { return e.Symbol == "Extra" })
	if i < 0 || !c.Entries[i].Required || c.Entries[i].Sources[0].Pos != "pluginctl.toml:5" {
		t.Errorf("a declared kind's symbol without an entry gets a required one: %+v", c.Entries)
	}
	if len(inferred.Kinds) != 3 {
		t.Error("WithKinds modified its argument")
	}
	if WithKinds(inferred) != inferred {
		t.Error("no declared kinds: the contract as it is")
	}
	// The kinds survive a later Merge (as Resolve does).
	if m := Merge(c); len(m.Kinds) != 2 {
		t.Errorf("Merge lost the kinds: %+v", m.Kinds)
	}
}

func TestParseConfigKinds(t *testing.T) {
	cfg, err := ParseConfig("pluginctl.toml", []byte(`[[kind]]
name = "handler"
symbols = ["HandlerRegisterer"]

[[kind]]
name = "client"
symbols = ["ClientRegisterer", "ClientFactory"]
`))
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Kinds) != 2 || cfg.Kinds[1].Name != "client" || !slices.Equal(cfg.Kinds[1].Symbols, []string{"ClientRegisterer", "ClientFactory"}) ||
		cfg.Kinds[1].Sources[0].Pos != "pluginctl.toml:5" {
		t.Errorf("kinds %+v", cfg.Kinds)
	}
	for _, bad := range []struct{ src, want string }{
		{"[[kind]]\nsymbols = [\"A\"]\n", "pluginctl.toml:1: [[kind]] without a name"},
		{"[[kind]]\nname = \"a\"\n", "kind a: no symbols"},
		{"[[kind]]\nname = \"a\"\nsymbols = []\n", "pluginctl.toml:3: kind a: symbols is empty"},
		{"[[kind]]\nname = \"a\"\nsymbols = [\"lower\"]\n", "\"lower\" is not an exported Go identifier"},
		{"[[kind]]\nname = \"a\"\nsymbols = [\"A\"]\ntype = \"x\"\n", "pluginctl.toml:4: unknown key kind.type"},
		{"[[kind]]\nname = \"a\"\nsymbols = [\"A\"]\n[[kind]]\nname = \"a\"\nsymbols = [\"B\"]\n", "pluginctl.toml:4: kind a declared twice (first at line 1)"},
		{"kind = 3\n", "kind must be an array of tables"},
	} {
		_, err := ParseConfig("pluginctl.toml", []byte(bad.src))
		if err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%q: error %v, want %q", bad.src, err, bad.want)
		}
	}
}

// An interface's method set as a literal (embedded interfaces
// flattened), and what a type lacks of it.
func TestInterfaceMethods(t *testing.T) {
	pkg := types.NewPackage("example.com/p", "p")
	str := types.Typ[types.String]
	sig := func(params ...types.Type) *types.Signature {
		var vs []*types.Var
		for _, p := range params {
			vs = append(vs, types.NewParam(0, pkg, "", p))
		}
		return types.NewSignatureType(nil, nil, nil, types.NewTuple(vs...), nil, false)
	}
	named := func(name string, u types.Type) *types.Named {
		return types.NewNamed(types.NewTypeName(0, pkg, name, nil), u, nil)
	}
	inner := named("Namer", types.NewInterfaceType([]*types.Func{types.NewFunc(0, pkg, "Name", sig())}, nil).Complete())
	iface := named("Registerer", types.NewInterfaceType(
		[]*types.Func{types.NewFunc(0, pkg, "Register", sig(str))}, []types.Type{inner}).Complete())
	lit := InterfaceLiteral(iface)
	if lit != "interface{Name(); Register(string)}" {
		t.Fatalf("InterfaceLiteral = %q", lit)
	}
	e := Entry{Types: []string{"example.com/p.Registerer"}, Interfaces: map[string]string{"example.com/p.Registerer": lit}}
	if !e.IsInterface(e.Types[0]) {
		t.Error("IsInterface")
	}
	// A type with Name on the value and Register on the pointer.
	impl := named("impl", types.NewStruct(nil, nil))
	impl.AddMethod(types.NewFunc(0, pkg, "Name", types.NewSignatureType(types.NewVar(0, pkg, "", impl), nil, nil, nil, nil, false)))
	impl.AddMethod(types.NewFunc(0, pkg, "Register", types.NewSignatureType(types.NewVar(0, pkg, "", types.NewPointer(impl)), nil, nil, types.NewTuple(types.NewParam(0, pkg, "", str)), nil, false)))
	ptr := types.NewPointer(impl)
	if !e.MatchesType(ptr) {
		t.Error("*impl (what Lookup returns for var X impl) implements Registerer")
	}
	if name, have, _ := MissingMethod(ptr, mustMethods(t, e)); name != "" {
		t.Errorf("MissingMethod(*impl) = %s %s", name, have)
	}
	if e.MatchesType(types.NewPointer(ptr)) {
		t.Error("**impl has no methods")
	}
	if name, have, _ := MissingMethod(types.NewPointer(ptr), mustMethods(t, e)); name != "Name" || have != "" {
		t.Errorf("MissingMethod(**impl) = %q %q, want Name, absent", name, have)
	}
}

func mustMethods(t *testing.T, e Entry) map[string]string {
	m, ok := e.InterfaceMethods(e.Types[0])
	if !ok {
		t.Fatal("no methods")
	}
	return m
}

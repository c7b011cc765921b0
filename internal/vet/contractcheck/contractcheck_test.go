package contractcheck_test

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/pluginctl/pluginctl/internal/contract"
	"github.com/pluginctl/pluginctl/internal/vet/capabilities"
	"github.com/pluginctl/pluginctl/internal/vet/contractcheck"
	"github.com/pluginctl/pluginctl/internal/vet/factory"
	"github.com/pluginctl/pluginctl/internal/vet/internal/common"
)

// testData is the analysistest root the vet analyzers share: the stub
// API package once, and each analyzer's test packages under
// example.com/<analyzer>.
var testData = filepath.Join(analysistest.TestData(), "..", "..", "testdata")

// custom is what a host that never heard of pluginapi infers: Seven
// (*int) and Double (func(int) int) required, Verbose (*bool) optional,
// and Name (func() string) for the plugins named named*.
func custom() *contract.Contract {
	lookup := func(line string) []contract.Source {
		return []contract.Source{{Kind: contract.SourceLookup, Pos: "cmd/host/main.go:" + line}}
	}
	return contract.Merge(&contract.Contract{Hosts: []string{"example.com/contractcheck/host"}, Entries: []contract.Entry{
		{Symbol: "Seven", Types: []string{"*int"}, Kind: contract.KindVar, Required: true, Sources: lookup("12")},
		{Symbol: "Double", Types: []string{"func(int) int"}, Kind: contract.KindFunc, Required: true, Sources: lookup("20")},
		{Symbol: "Verbose", Types: []string{"*bool"}, Kind: contract.KindVar, Sources: lookup("28")},
		{Symbol: "Name", Types: []string{"func() string"}, Kind: contract.KindFunc, Required: true, Plugins: "named*", Sources: lookup("33")},
	}})
}

func analyzer(c *contract.Contract, dirs ...string) *analysis.Analyzer {
	return contractcheck.NewAnalyzer(nil, func(pass *analysis.Pass, api string) (*contractcheck.Config, error) {
		return &contractcheck.Config{Contract: c, PluginDirs: dirs, Hosts: c.Hosts, Covered: contractcheck.ConventionSymbols()}, nil
	})
}

func TestContract(t *testing.T) {
	dir, err := filepath.Abs(filepath.Join(testData, "src/example.com/contractcheck/plugindir"))
	if err != nil {
		t.Fatal(err)
	}
	analysistest.RunWithSuggestedFixes(t, testData, analyzer(custom(), dir),
		"example.com/contractcheck/good", "example.com/contractcheck/noseven", "example.com/contractcheck/vardouble", "example.com/contractcheck/funclit",
		"example.com/contractcheck/nearmiss", "example.com/contractcheck/constseven", "example.com/contractcheck/badtypes", "example.com/contractcheck/funcseven",
		"example.com/contractcheck/typeseven", "example.com/contractcheck/generic", "example.com/contractcheck/notplugin", "example.com/contractcheck/host",
		"example.com/contractcheck/lib", "example.com/contractcheck/named1", "example.com/contractcheck/plugindir/empty")
}

// A host that follows the convention and looks up more: the convention
// analyzers keep New and APIVersion of the plugins importing the API
// package, the contract check does the rest.
func TestMixed(t *testing.T) {
	c := custom()
	for _, e := range contract.Default(common.DefaultAPI).Entries {
		if e.Symbol == "New" || e.Symbol == "APIVersion" {
			c.Entries = append(c.Entries, e)
		}
	}
	c = contract.Merge(c)
	analysistest.Run(t, testData, analyzer(c), "example.com/contractcheck/conv", "example.com/contractcheck/noapi")
}

// The convention, or a part of it, leaves everything to the convention
// analyzers.
func TestConventional(t *testing.T) {
	api := common.DefaultAPI
	def := contract.Default(api)
	if !contractcheck.Conventional(def, api) || !contractcheck.Conventional(nil, api) {
		t.Error("the convention is not conventional")
	}
	part := contract.Merge(&contract.Contract{Entries: def.Entries[:1]})
	if !contractcheck.Conventional(part, api) || !contractcheck.HasConventionEntry(part, api, "APIVersion") || contractcheck.HasConventionEntry(part, api, "New") {
		t.Errorf("APIVersion alone: %+v", part.Entries)
	}
	if contractcheck.Conventional(custom(), api) {
		t.Error("custom contract is conventional")
	}
	if contractcheck.Conventional(&contract.Contract{Unresolved: []contract.Unresolved{{Pos: "main.go:3"}}}, api) {
		t.Error("a host with only unresolved lookups follows the convention")
	}
	other := contract.Merge(def, contract.Entry{Symbol: "New", Types: []string{"func() int"}, Required: true})
	if contractcheck.Conventional(other, api) || contractcheck.HasConventionEntry(other, api, "New") {
		t.Error("New of another type is conventional")
	}
	// No findings on the convention's own plugins, whatever they do.
	analysistest.Run(t, testData, analyzer(def), "example.com/contractcheck/good", "example.com/contractcheck/lib")
}

type quiet struct{}

func (quiet) Errorf(string, ...any) {}

// Gate runs factory and capabilities only for the convention's symbols
// the contract has, and capabilities reports only on those.
func TestGate(t *testing.T) {
	api := common.DefaultAPI
	def := contract.Default(api)
	conv := func(names ...string) []contract.Entry {
		var out []contract.Entry
		for _, e := range def.Entries {
			if slices.Contains(names, e.Symbol) {
				out = append(out, e)
			}
		}
		return out
	}
	initInt := contract.Entry{Symbol: "Init", Types: []string{"func(int) error"}, Kind: contract.KindFunc}
	for _, tc := range []struct {
		name    string
		c       *contract.Contract
		factory []string
		caps    []string
	}{
		{"convention", def, []string{"New has type func() int"}, []string{"Capabilities has type func() int", "Init has type func(x int) error"}},
		{"custom", custom(), nil, nil},
		{"New only", contract.Merge(custom(), conv("New")...), []string{"New has type func() int"}, nil},
		{"Init declared", contract.Merge(custom(), append(conv("New", "Capabilities"), initInt)...), []string{"New has type func() int"}, []string{"Capabilities has type func() int"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := func(*analysis.Pass, string) (*contractcheck.Config, error) {
				return &contractcheck.Config{Contract: tc.c}, nil
			}
			for a, want := range map[*analysis.Analyzer][]string{
				contractcheck.Gate(factory.NewAnalyzer(nil), &api, cfg):      tc.factory,
				contractcheck.Gate(capabilities.NewAnalyzer(nil), &api, cfg): tc.caps,
			} {
				var got []string
				for _, r := range analysistest.Run(quiet{}, testData, a, "example.com/contractcheck/gated") {
					for _, d := range r.Diagnostics {
						got = append(got, d.Message)
					}
				}
				if len(got) != len(want) {
					t.Errorf("%s: %q, want %q", a.Name, got, want)
					continue
				}
				for i := range got {
					if !strings.HasPrefix(got[i], want[i]) {
						t.Errorf("%s: %q, want %q", a.Name, got, want)
					}
				}
			}
		})
	}
}

// A framework host's contract: two kinds, each an interface to
// implement. A plugin of one kind passes (value or pointer receivers:
// Lookup returns a pointer); one of none, of the wrong method or
// exported as a pointer to a pointer fails, naming the kinds.
func TestKindsAndInterfaces(t *testing.T) {
	src := []contract.Source{{Kind: contract.SourceLookup, Pos: "example.com/fw@v1.0.0/loader.go:10"}}
	c := contract.Merge(&contract.Contract{Entries: []contract.Entry{
		{Symbol: "HandlerRegisterer", Types: []string{"example.com/fw.Registerer"}, Required: true, Sources: src,
			Interfaces: map[string]string{"example.com/fw.Registerer": "interface{RegisterHandlers(func(string, func(net/http.Handler) net/http.Handler))}"}},
		{Symbol: "ClientRegisterer", Types: []string{"example.com/fw.ClientRegisterer"}, Required: true, Sources: src,
			Interfaces: map[string]string{"example.com/fw.ClientRegisterer": "interface{RegisterClients(func(string, func(net/http.RoundTripper) net/http.RoundTripper))}"}},
	}, Kinds: []contract.Kind{
		{Name: "handler", Symbols: []string{"HandlerRegisterer"}},
		{Name: "client", Symbols: []string{"ClientRegisterer"}},
	}})
	analysistest.Run(t, testData, analyzer(c),
		"example.com/contractcheck/kinds/hello", "example.com/contractcheck/kinds/client", "example.com/contractcheck/kinds/ptrrecv",
		"example.com/contractcheck/kinds/badsig", "example.com/contractcheck/kinds/ptrptr", "example.com/contractcheck/kinds/none")
}

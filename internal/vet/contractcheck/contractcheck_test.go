package contractcheck_test

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/pluginctl/pluginctl/internal/contract"
	"github.com/pluginctl/pluginctl/internal/project"
	"github.com/pluginctl/pluginctl/internal/vet/contractcheck"
	"github.com/pluginctl/pluginctl/internal/vet/internal/common"
	"github.com/pluginctl/pluginctl/pluginapi"
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
	return contractcheck.NewAnalyzer(&common.Config{API: pluginapi.ImportPath, Contract: c, Project: &project.Project{Config: &contract.Config{PluginDirs: dirs}}})
}

// conv is the part of the convention with the given symbols.
func conv(names ...string) *contract.Contract { return convOf(pluginapi.ImportPath, names...) }

func convOf(api string, names ...string) *contract.Contract {
	var out []contract.Entry
	for _, e := range contract.Default(api).Entries {
		if slices.Contains(names, e.Symbol) {
			out = append(out, e)
		}
	}
	return contract.Merge(nil, out...)
}

// The convention: New, APIVersion, Capabilities and Init of the plugins
// that use the API package, each symbol on its own test packages.
func TestConvention(t *testing.T) {
	analysistest.RunWithSuggestedFixes(t, testData, analyzer(conv("New")),
		"example.com/factory/good", "example.com/factory/renamed", "example.com/factory/badnew", "example.com/factory/params",
		"example.com/factory/concrete", "example.com/factory/nonew", "example.com/factory/twonew", "example.com/factory/varnew",
		"example.com/factory/constnew", "example.com/factory/generic", "example.com/factory/noapi", "example.com/factory/host", "example.com/factory/lib")
	analysistest.RunWithSuggestedFixes(t, testData, analyzer(conv("APIVersion")),
		"example.com/apiversion/good", "example.com/apiversion/typed", "example.com/apiversion/stale", "example.com/apiversion/literal",
		"example.com/apiversion/otherfile", "example.com/apiversion/constant", "example.com/apiversion/constgroup", "example.com/apiversion/function",
		"example.com/apiversion/namedtype", "example.com/apiversion/pointer", "example.com/apiversion/novalue", "example.com/apiversion/computed",
		"example.com/apiversion/missing", "example.com/apiversion/unexported", "example.com/apiversion/host", "example.com/apiversion/tuple")
	analysistest.RunWithSuggestedFixes(t, testData, analyzer(conv("Capabilities", "Init")),
		"example.com/capabilities/good", "example.com/capabilities/none", "example.com/capabilities/badcaps", "example.com/capabilities/varcaps",
		"example.com/capabilities/noerr", "example.com/capabilities/nohost", "example.com/capabilities/ptrhost", "example.com/capabilities/varinit",
		"example.com/capabilities/constcaps", "example.com/capabilities/lib")
	// Another API package: its convention.
	myapi := "example.com/factory/myapi"
	analysistest.Run(t, testData, contractcheck.NewAnalyzer(&common.Config{API: myapi, Contract: convOf(myapi, "New")}),
		"example.com/factory/custom", "example.com/factory/customwrong")
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
	for _, e := range contract.Default(pluginapi.ImportPath).Entries {
		if e.Symbol == "New" || e.Symbol == "APIVersion" {
			c.Entries = append(c.Entries, e)
		}
	}
	c = contract.Merge(c)
	analysistest.Run(t, testData, analyzer(c), "example.com/contractcheck/conv", "example.com/contractcheck/noapi")
}

// The convention's entries in force get the convention's checks (and
// codes), the others the contract's; a plugin not using the API package
// is no plugin of the convention.
func TestConventionEntries(t *testing.T) {
	def := contract.Default(pluginapi.ImportPath)
	initInt := contract.Entry{Symbol: "Init", Types: []string{"func(int) error"}, Kind: contract.KindFunc}
	for _, tc := range []struct {
		name string
		c    *contract.Contract
		want []string
	}{
		{"convention", def, []string{"factory/type: New has type func() int", "capabilities/type: Capabilities has type func() int", "capabilities/type: Init has type func(x int) error"}},
		{"custom", custom(), []string{"missing: plugin has no Double", "missing: plugin has no Seven"}},
		{"New only", contract.Merge(custom(), conv("New").Entries...), []string{"missing: plugin has no Double", "factory/type: New has type func() int", "missing: plugin has no Seven"}},
		{"Init declared", contract.Merge(custom(), append(conv("New", "Capabilities").Entries, initInt)...), []string{
			"missing: plugin has no Double", "factory/type: New has type func() int", "capabilities/type: Capabilities has type func() int", "missing: plugin has no Seven"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, r := range analysistest.Run(quiet{}, testData, analyzer(tc.c), "example.com/contractcheck/gated") {
				for _, d := range r.Diagnostics {
					got = append(got, d.Category+": "+d.Message)
				}
			}
			slices.Sort(got)
			slices.Sort(tc.want)
			ok := len(got) == len(tc.want)
			for i := 0; ok && i < len(got); i++ {
				ok = strings.HasPrefix(got[i], tc.want[i])
			}
			if !ok {
				t.Errorf("got %q\nwant %q", got, tc.want)
			}
		})
	}
	// No findings on plugins that do not use the API package, whatever they do.
	analysistest.Run(t, testData, analyzer(def), "example.com/contractcheck/good", "example.com/contractcheck/lib")
}

type quiet struct{}

func (quiet) Errorf(string, ...any) {}

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

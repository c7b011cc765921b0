package project

import (
	"testing"

	"github.com/pluginctl/pluginctl/internal/contract"
)

// TestClassify is the one rule, case by case.
func TestClassify(t *testing.T) {
	p := &Project{Root: "/m", Config: &contract.Config{PluginDirs: []string{"/m/ext"}}}
	lura := contract.Merge(&contract.Contract{Hosts: []string{"example.com/gw"}}, contract.Entry{Symbol: "HandlerRegisterer", Required: true})
	decl := func(names ...string) map[string]bool {
		m := map[string]bool{}
		for _, n := range names {
			m[n] = true
		}
		return m
	}
	tests := []struct {
		name string
		pkg  Package
		c    *contract.Contract
		want Kind
	}{
		{"library", Package{Name: "api", Declared: decl("New")}, nil, Other},
		{"forced plugin", Package{Name: "main", HasMain: true, LinksPlugin: true, Forced: Plugin}, nil, Plugin},
		{"forced host", Package{Name: "main", Forced: Host}, nil, Host},
		{"under [plugins] dirs", Package{Name: "main", Dir: "/m/ext/x", HasMain: true}, nil, Plugin},
		{"no func main", Package{Name: "main", Declared: decl("Helper")}, nil, Plugin},
		{"no func main, links plugin through a framework", Package{Name: "main", LinksPlugin: true}, nil, Plugin},
		{"func main and New", Package{Name: "main", HasMain: true, Declared: decl("main", "New")}, nil, Plugin},
		{"host", Package{Name: "main", HasMain: true, LinksPlugin: true, Declared: decl("main", "load")}, nil, Host},
		{"framework plugin with func main and the contract's symbol", Package{Name: "main", HasMain: true, LinksPlugin: true, Declared: decl("main", "HandlerRegisterer")}, lura, Plugin},
		{"host exporting a name the contract does not ask for", Package{Name: "main", HasMain: true, LinksPlugin: true, Declared: decl("main", "Version")}, lura, Host},
		{"factory under the wrong name", Package{Name: "main", HasMain: true, Declared: decl("main", "NewPlugin")}, nil, Plugin},
		{"a host's NewServer is no factory", Package{Name: "main", HasMain: true, LinksPlugin: true, Declared: decl("main", "NewServer")}, nil, Host},
		{"a program named on the command line", Package{Name: "main", HasMain: true, Named: true, Declared: decl("main")}, nil, Host},
		{"any other program", Package{Name: "main", HasMain: true, Declared: decl("main")}, nil, Other},
	}
	for _, tt := range tests {
		asked := false
		c := func() *contract.Contract { asked = true; return tt.c }
		if got := p.Classify(&tt.pkg, c); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
		// The contract is consulted only for a package main with func main
		// that exports a name: classification needs no inference otherwise.
		if asked && !(tt.pkg.HasMain && tt.pkg.Exported() && tt.pkg.Forced == Other) {
			t.Errorf("%s: the contract was asked for", tt.name)
		}
	}
}

// TestAPIOf: the API packages are those whose types the contract asserts,
// outside the standard library, the required entries' first.
func TestAPIOf(t *testing.T) {
	c := contract.Merge(nil,
		contract.Entry{Symbol: "New", Types: []string{"func() example.com/shop/pluginapi.Plugin"}, Required: true},
		contract.Entry{Symbol: "APIVersion", Types: []string{"*string"}, Required: true},
		contract.Entry{Symbol: "Init", Types: []string{"func(example.com/shop/host.Host) error"}},
		contract.Entry{Symbol: "Handler", Types: []string{"func(net/http.ResponseWriter, *net/http.Request)"}},
	)
	got := APIOf(c)
	if len(got) != 2 || got[0] != "example.com/shop/pluginapi" || got[1] != "example.com/shop/host" {
		t.Errorf("APIOf = %q", got)
	}
}

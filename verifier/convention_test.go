package verifier

import (
	"slices"
	"testing"

	"github.com/pluginctl/pluginctl/internal/artifact"
	"github.com/pluginctl/pluginctl/internal/contract"
	"github.com/pluginctl/pluginctl/internal/diag"
	"github.com/pluginctl/pluginctl/pluginapi"
	"github.com/pluginctl/pluginctl/verifier/internal/probe"
)

// TestConventionJudgement: whether a contract is the pluginapi convention
// is judged by its entries (contract.IsConvention), not by where they came
// from: a declared contract equal to the convention is the convention
// (its missing APIVersion is an api-version-mismatch, as with no
// contract). Only the convention nobody asked for is left unchecked on a
// plugin and host that do not link the API package: a declaration, or a
// host's own lookup of a convention name, is checked.
func TestConventionJudgement(t *testing.T) {
	const api = "example.com/app/api"
	declared := contract.Default(api)
	for i := range declared.Entries {
		declared.Entries[i].Sources = []contract.Source{{Kind: contract.SourceConfig, Pos: "pluginctl.toml:3"}}
	}
	ownNew := &contract.Contract{Entries: []contract.Entry{{Symbol: "New", Required: true,
		Sources: []contract.Source{{Kind: contract.SourceLookup, Pos: "host/main.go:12"}}}}}
	linksAPI := map[string]artifact.Hash{api: {1}}
	for _, tc := range []struct {
		name    string
		c       *contract.Contract
		fps     map[string]artifact.Hash
		exports []string // functions; never APIVersion
		codes   []diag.Code
	}{
		{"the convention, links the API", contract.Default(api), linksAPI, []string{"New"}, []diag.Code{APIVersionMismatch}},
		{"declared like the convention, links the API", declared, linksAPI, []string{"New"}, []diag.Code{APIVersionMismatch}},
		{"the convention, does not link the API", contract.Default(api), nil, []string{"New"}, nil},
		{"declared like the convention, does not link the API", declared, nil, []string{"New"}, []diag.Code{APIVersionMismatch}},
		{"a host's own New of any type, does not link the API", ownNew, nil, []string{"Init"}, []diag.Code{MissingNew}},
	} {
		f := &artifact.File{Path: "p.so", Exported: map[string]artifact.ExportKind{}, Fingerprints: tc.fps}
		for _, name := range tc.exports {
			f.Exported[name] = artifact.ExportFunc
		}
		var codes []diag.Code
		for _, p := range checkSymbols(f, nil, tc.c, api, false, func(string) {}) {
			codes = append(codes, p.Code)
		}
		if !slices.Equal(codes, tc.codes) {
			t.Errorf("%s: codes %v, want %v", tc.name, codes, tc.codes)
		}
	}
}

// TestPlanDelegatesTheConvention: the probe's convention code checks an
// entry exactly when contract's IsConvention says it is the convention's
// (the one owner of that answer); an entry that also accepts another type
// is asserted as the contract says, so a plugin giving the other type
// passes.
func TestPlanDelegatesTheConvention(t *testing.T) {
	api := pluginapi.ImportPath
	newType := "func() " + api + ".Plugin"
	for _, tc := range []struct {
		name       string
		entries    []contract.Entry
		convention bool
		checks     []string // symbols the probe asserts itself
	}{
		{"the convention", contract.Default(api).Entries, true, nil},
		{"New of any type", []contract.Entry{{Symbol: "New", Required: true}}, true, nil},
		{"New of the convention's type or another", []contract.Entry{{Symbol: "New", Required: true, Types: []string{newType, "func() any"}}}, false, []string{"New"}},
		{"another New", []contract.Entry{{Symbol: "New", Required: true, Types: []string{"func() any"}}}, false, []string{"New"}},
		{"a required Init on top", append(contract.Default(api).Entries[:2:2], contract.Entry{Symbol: "Init", Required: true, Types: []string{"func(" + api + ".Host) error"}}, contract.Default(api).Entries[3]), true, []string{"Init"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &prober{probe: &probe.Probe{APIPackage: api}, contract: &contract.Contract{Entries: tc.entries}}
			pl := c.plan("p.so")
			var got []string
			for _, ch := range pl.Checks {
				got = append(got, ch.Symbol)
			}
			if pl.Convention != tc.convention || !slices.Equal(got, tc.checks) {
				t.Errorf("plan: Convention %v, checks %v; want %v, %v", pl.Convention, got, tc.convention, tc.checks)
			}
		})
	}
}

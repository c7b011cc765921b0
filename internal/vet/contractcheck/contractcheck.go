// Package contractcheck defines the contract analyzer: a plugin package
// must export every symbol its host's contract (internal/contract)
// expects of it, each with the kind (function or variable) and one of
// the types the host asserts. The pluginapi convention is a contract like
// any other (contract.Default); on a plugin that uses the API package its
// entries get the checks the convention's types cannot express
// (convention.go).
package contractcheck

import (
	"golang.org/x/tools/go/analysis"

	"github.com/pluginctl/pluginctl/internal/contract"
	"github.com/pluginctl/pluginctl/internal/vet/internal/common"
)

const doc = `check a plugin against its host's contract

The contract is the set of symbols a host looks up in its plugins, each
with the exact type it asserts (see pluginctl contract); without one it is
the pluginapi convention of the API package (-api). Every plugin package
(a package main that defines New or a required symbol of the contract,
declares no func main, or lies under a [plugins] dir of pluginctl.toml)
must export each required symbol that applies to it, and every symbol it
exports that the contract names must have the contract's kind (a
variable, which Lookup returns as a pointer, or a function) and one of its
types (an interface type: one it implements). With kinds of plugin, a
plugin must satisfy one kind. Under the convention, only plugins that use
the API package are checked, and their New, APIVersion (whose value must
be <api>.APIVersion), Capabilities and Init get the convention's own
messages. Suggested fixes rename a near miss, turn "var F = func(...)
..." into a function and a constant into a variable.`

// Categories.
const (
	CatMissing = "missing" // a required symbol is not exported
	CatType    = "type"    // the symbol has another type
	CatKind    = "kind"    // a variable where a function is expected, or the reverse; a constant, a type
)

// NewAnalyzer returns the contract analyzer of the project cfg describes.
func NewAnalyzer(cfg *common.Config) *analysis.Analyzer {
	return &analysis.Analyzer{Name: "contract", Doc: doc, Run: func(pass *analysis.Pass) (any, error) {
		run(pass, cfg)
		return nil, nil
	}}
}

func run(pass *analysis.Pass, cfg *common.Config) {
	if !cfg.IsPlugin(pass) {
		return
	}
	c := cfg.InForce()
	var v *conv
	if api := common.FindAPI(pass.Pkg, cfg.API); api != nil {
		v = newConv(pass, cfg.API, api)
	} else if c.IsConvention(cfg.API) {
		return // not a plugin of this API's convention: its contract is its host's business
	}
	r := &reporter{pass: pass, cfg: cfg, names: importNames(pass.Pkg), reported: map[string]bool{}}
	// The entries of a kind's symbols are judged together: a plugin
	// that satisfies one kind is fine; otherwise the nearest kind's
	// problems are reported, saying which kinds there are.
	held := map[string][]pending{}
	// On a plugin using the API package, a convention entry, for all
	// plugins or some (a host opening "plugins/x.so" by name still
	// follows the convention), gets the convention's checks, once per
	// symbol.
	handled := map[string]bool{}
	for _, e := range c.Entries {
		if _, seen := handled[e.Symbol]; !seen && v != nil && e.IsConvention(cfg.API) && !c.InKind(e.Symbol) {
			handled[e.Symbol] = v.check(e.Symbol)
		}
	}
	for _, e := range c.For(cfg.PluginName(common.PackageDir(pass))) {
		if handled[e.Symbol] && e.IsConvention(cfg.API) {
			continue
		}
		if c.InKind(e.Symbol) {
			r.hold = &pending{}
			r.check(e)
			if r.hold.msg != "" || len(held[e.Symbol]) > 0 {
				held[e.Symbol] = append(held[e.Symbol], *r.hold)
			}
			r.hold = nil
			continue
		}
		r.check(e)
	}
	ok, nearest, failed := c.KindVerdict(func(s string) int {
		st := contract.SymbolOK
		for _, p := range held[s] {
			switch {
			case p.msg == "":
			case p.category == CatMissing:
				st = max(st, contract.SymbolMissing)
			default:
				st = max(st, contract.SymbolBadType)
			}
		}
		return st
	})
	if ok {
		return
	}
	for _, s := range failed {
		for _, p := range held[s] {
			if p.msg == "" {
				continue
			}
			msg := p.msg
			if p.category == CatMissing {
				msg = "plugin " + c.KindsMessage(nearest, failed) + "; " + msg
			} else {
				msg += "; the plugin is none of the host's kinds: " + c.DescribeKinds()
			}
			r.report(p.pos, p.end, p.category, msg, p.fix, p.edits)
		}
	}
}

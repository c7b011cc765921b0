// Package contractcheck defines the contract analyzer: a plugin package
// must export every symbol its host's contract (internal/contract)
// expects of it, each with the kind (function or variable) and one of
// the types the host asserts.
package contractcheck

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"golang.org/x/tools/go/analysis"

	"github.com/pluginctl/pluginctl/internal/contract"
	"github.com/pluginctl/pluginctl/internal/project"
	"github.com/pluginctl/pluginctl/internal/vet/internal/common"
)

const doc = `check a plugin against its host's contract

The contract is the set of symbols a host looks up in its plugins, each
with the exact type it asserts (see pluginctl contract). For a contract
other than the pluginapi convention (which the factory, apiversion and
capabilities checks cover), every plugin package (a package main that
defines a required symbol of the contract by name, or lies under a
[plugins] dir of pluginctl.toml) must export each required symbol that
applies to it, and every symbol it exports that the contract names must
have the contract's kind (a variable, which Lookup returns as a pointer,
or a function) and one of its types (an interface type: one it implements).
With kinds of plugin, a plugin must satisfy one kind (every symbol of it);
otherwise the nearest kind's problems are reported. Suggested fixes rename a near miss
(seven for Seven), turn "var F = func(...) ..." into a function and a
constant into a variable.

Run by go vet -vettool, the analyzer checks the contract declared in
pluginctl.toml at the module root (the [[symbol]] tables, without
inference from the hosts' code).`

// Categories.
const (
	CatMissing = "missing" // a required symbol is not exported
	CatType    = "type"    // the symbol has another type
	CatKind    = "kind"    // a variable where a function is expected, or the reverse; a constant, a type
)

// Config is what the analyzer checks a package against.
type Config struct {
	// Contract is the contract in force; nil, or one that Conventional
	// accepts, leaves nothing to check.
	Contract *contract.Contract
	// Root is the module root: a plugin's name, matched by
	// Entry.Applies, is its package directory relative to Root (its
	// base name when Root is "" or does not contain it).
	Root string
	// PluginDirs are absolute directories: every package main under one
	// of them is a plugin.
	PluginDirs []string
	// Dir, when set, is the directory positions in messages are
	// relative to (the contract's are relative to Root).
	Dir string
	// Hosts are the import paths of host packages, which are never
	// plugins.
	Hosts []string
	// Covered are the symbols whose convention entry the convention
	// analyzers (factory, apiversion, capabilities) check: for a plugin
	// they recognize (common.ClassifyPlugin), such an entry is left to
	// them.
	Covered map[string]bool
	// Plugins, when not nil, are the import paths of the plugins, as
	// the project classified them (pluginctl vet); nil means IsPlugin
	// classifies the package under analysis itself with Project's rule
	// (go vet -vettool).
	Plugins map[string]bool
	// Project is the project model the configuration comes from.
	Project *project.Project
}

// Analyzer checks the contract declared in pluginctl.toml against the
// default API package.
var Analyzer = NewAnalyzer(nil, nil)

// NewAnalyzer returns a contract analyzer. *api is the API package
// (common.DefaultAPI when api is nil; the -api flag sets it). config
// gives the configuration for a package; nil means DeclaredConfig (the
// go vet -vettool case).
func NewAnalyzer(api *string, config func(pass *analysis.Pass, api string) (*Config, error)) *analysis.Analyzer {
	if api == nil {
		s := common.DefaultAPI
		api = &s
	}
	if config == nil {
		config = DeclaredConfig
	}
	a := &analysis.Analyzer{Name: "contract", Doc: doc}
	common.APIFlag(&a.Flags, api)
	a.Run = func(pass *analysis.Pass) (any, error) {
		if pass.Pkg.Name() != "main" {
			return nil, nil
		}
		cfg, err := config(pass, *api)
		if err != nil || cfg == nil {
			return nil, err
		}
		run(pass, *api, cfg)
		return nil, nil
	}
	return a
}

// vettool is the project of a go vet -vettool process (one package per
// process): set once by UseProject, or loaded from the first package's
// directory.
var vettool struct {
	once sync.Once
	cfg  *Config
	err  error
}

// UseProject makes DeclaredConfig use p's contract r (pluginctl-vet sets
// it before the analyzers run).
func UseProject(p *project.Project, r *project.Resolved, api string) {
	vettool.once.Do(func() { vettool.cfg = ConfigFor(p, r, api) })
}

// ConfigFor is the configuration of project p under contract r.
func ConfigFor(p *project.Project, r *project.Resolved, api string) *Config {
	if r == nil {
		return nil
	}
	_, covered := Coverage(r.Contract, api)
	return &Config{Contract: r.Contract, Root: p.Root, PluginDirs: p.Config.PluginDirs, Covered: covered, Hosts: slices.Clone(r.Contract.Hosts), Project: p}
}

// DeclaredConfig is the configuration of go vet -vettool runs: the
// project of the package's directory (project.Load), its contract as
// Project.Contract resolves it (pluginctl.toml's declarations over what
// the hosts imply, inferred once and cached on disk by the sources it
// read). nil outside a module.
func DeclaredConfig(pass *analysis.Pass, api string) (*Config, error) {
	vettool.once.Do(func() {
		dir := PackageDir(pass)
		if dir == "" {
			return
		}
		ctx := context.Background()
		p, err := project.Load(ctx, project.Options{Dir: dir})
		if err != nil {
			vettool.err = err
			return
		}
		if !p.InModule() {
			return
		}
		r, err := p.Contract(ctx, nil)
		if err != nil {
			vettool.err = err
			return
		}
		vettool.cfg = ConfigFor(p, r, api)
	})
	return vettool.cfg, vettool.err
}

// ConventionChecks maps the convention analyzers to the symbols they
// check.
var ConventionChecks = map[string][]string{
	"factory":      {common.SymbolNew},
	"apiversion":   {common.SymbolAPIVersion},
	"capabilities": {common.SymbolCapabilities, common.SymbolInit},
}

// ConventionSymbols are the symbols the convention analyzers check:
// New (factory), APIVersion (apiversion), Capabilities and Init
// (capabilities).
func ConventionSymbols() map[string]bool {
	out := map[string]bool{}
	for _, syms := range ConventionChecks {
		for _, s := range syms {
			out[s] = true
		}
	}
	return out
}

// Coverage says which convention analyzers (ConventionChecks) run under
// c, and which symbols they then check: those whose symbols c has as the
// convention has them (all of them for the convention itself, or for a
// nil contract); a host that looks up only New is not held to
// APIVersion. The contract check does the rest.
func Coverage(c *contract.Contract, api string) (enabled, covered map[string]bool) {
	enabled, covered = map[string]bool{}, map[string]bool{}
	for name, syms := range ConventionChecks {
		for _, s := range syms {
			if c == nil || HasConventionEntry(c, api, s) {
				enabled[name] = true
				covered[s] = true
			}
		}
	}
	return enabled, covered
}

// Gate makes a convention analyzer (factory, apiversion, capabilities)
// run only where Coverage enables it under the contract config gives
// (nil: DeclaredConfig, as go vet -vettool runs it), reporting only on
// the symbols it covers. Other analyzers are returned as they are.
func Gate(a *analysis.Analyzer, api *string, config func(pass *analysis.Pass, api string) (*Config, error)) *analysis.Analyzer {
	syms := ConventionChecks[a.Name]
	if syms == nil {
		return a
	}
	if config == nil {
		config = DeclaredConfig
	}
	run := a.Run
	a.Run = func(pass *analysis.Pass) (any, error) {
		if pass.Pkg.Name() != "main" {
			return run(pass)
		}
		cfg, err := config(pass, *api)
		if err != nil || cfg == nil || cfg.Contract == nil {
			return run(pass) // a bad pluginctl.toml is the contract analyzer's to report
		}
		enabled, covered := Coverage(cfg.Contract, *api)
		if !enabled[a.Name] {
			return nil, nil
		}
		report := pass.Report
		pass.Report = func(d analysis.Diagnostic) {
			for _, s := range syms {
				if obj := pass.Pkg.Scope().Lookup(s); obj != nil && obj.Pos() == d.Pos && !covered[s] {
					return
				}
			}
			report(d)
		}
		return run(pass)
	}
	return a
}

// PackageDir returns the directory of the package under analysis (of
// its first file), "" when unknown.
func PackageDir(pass *analysis.Pass) string {
	for _, f := range pass.Files {
		name := pass.Fset.Position(f.Package).Filename
		if strings.HasSuffix(name, ".go") {
			return filepath.Dir(name)
		}
	}
	return ""
}

// conventionEntry returns the convention's entry for symbol, if any.
func conventionEntry(api, symbol string) (contract.Entry, bool) {
	for _, e := range contract.Default(api).Entries {
		if e.Symbol == symbol {
			return e, true
		}
	}
	return contract.Entry{}, false
}

// IsConventionEntry reports whether e is the convention's entry for its
// symbol: the convention's type (or any type), for all plugins or some
// (a host opening "plugins/x.so" by name still follows the convention).
func IsConventionEntry(e contract.Entry, api string) bool {
	d, ok := conventionEntry(api, e.Symbol)
	return ok && (len(e.Types) == 0 || slices.Equal(e.Types, d.Types))
}

// Conventional reports whether c asks nothing of a plugin but (some of)
// the pluginapi convention: every entry is the convention's entry for
// its symbol. Then the convention analyzers alone check plugins, as
// without a contract. A nil contract is conventional; an empty one (a
// host whose every lookup is unresolved) is not.
func Conventional(c *contract.Contract, api string) bool {
	if c == nil {
		return true
	}
	if len(c.Entries) == 0 {
		return len(c.Unresolved) == 0
	}
	for _, e := range c.Entries {
		if !IsConventionEntry(e, api) {
			return false
		}
	}
	return true
}

// HasConventionEntry reports whether c has the convention's entry for
// symbol.
func HasConventionEntry(c *contract.Contract, api, symbol string) bool {
	if c == nil {
		return false
	}
	for _, e := range c.Entries {
		if e.Symbol == symbol && IsConventionEntry(e, api) {
			return true
		}
	}
	return false
}

// PluginName is the name of the plugin in dir, as Entry.Applies matches
// it (see project.Project.PluginName).
func (cfg *Config) PluginName(dir string) string {
	if cfg.Project != nil {
		return cfg.Project.PluginName(dir)
	}
	if cfg.Root != "" {
		if rel, err := filepath.Rel(cfg.Root, dir); err == nil && filepath.IsLocal(rel) {
			return filepath.ToSlash(rel)
		}
	}
	return filepath.Base(dir)
}

// IsPlugin reports whether the package under analysis is a plugin: as
// the project classified it (cfg.Plugins), else by the project's one rule
// (project.Project.Classify) applied to its syntax.
func IsPlugin(pass *analysis.Pass, cfg *Config) bool {
	if pass.Pkg == nil || pass.Pkg.Name() != "main" || cfg == nil {
		return false
	}
	if cfg.Plugins != nil {
		return cfg.Plugins[pass.Pkg.Path()]
	}
	p := cfg.Project
	if p == nil {
		p = &project.Project{Root: cfg.Root, Config: &contract.Config{PluginDirs: cfg.PluginDirs}}
	}
	pkg := project.FromSyntax(pass.Pkg, PackageDir(pass), pass.Files)
	return p.Classify(pkg, func() *contract.Contract { return cfg.Contract }) == project.Plugin
}

func run(pass *analysis.Pass, api string, cfg *Config) {
	if Conventional(cfg.Contract, api) {
		return
	}
	dir := PackageDir(pass)
	if !IsPlugin(pass, cfg) {
		return
	}
	r := &reporter{pass: pass, cfg: cfg, names: importNames(pass.Pkg), reported: map[string]bool{}}
	convention := common.ClassifyPlugin(pass, api) != nil
	c := cfg.Contract
	// The entries of a kind's symbols are judged together: a plugin
	// that satisfies one kind is fine; otherwise the nearest kind's
	// problems are reported, saying which kinds there are.
	held := map[string][]pending{}
	for _, e := range c.For(cfg.PluginName(dir)) {
		if convention && cfg.Covered[e.Symbol] && IsConventionEntry(e, api) {
			continue // factory, apiversion or capabilities checks it
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

// Package contractcheck defines the contract analyzer: a plugin package
// must export every symbol its host's contract (internal/contract)
// expects of it, each with the kind (function or variable) and one of
// the types the host asserts.
package contractcheck

import (
	"context"
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"path"
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
or a function) and one of its types. Suggested fixes rename a near miss
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

// PluginDirs turns [plugins] dirs (slash-separated, relative to root)
// into absolute directories.
func PluginDirs(root string, dirs []string) []string {
	var out []string
	for _, d := range dirs {
		d = filepath.FromSlash(strings.TrimSuffix(d, "/"))
		if !filepath.IsAbs(d) {
			d = filepath.Join(root, d)
		}
		out = append(out, filepath.Clean(d))
	}
	return out
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

// pending is a diagnostic held back until the plugin's kinds are judged.
type pending struct {
	pos, end      token.Pos
	category, msg string
	fix           string
	edits         []analysis.TextEdit
}

type reporter struct {
	pass     *analysis.Pass
	cfg      *Config
	names    map[string]string // import path -> package name, for messages
	reported map[string]bool   // messages already reported (entries of one symbol for all plugins and for this one)
	// hold, when set, receives the next diagnostic instead of the pass.
	hold *pending
}

func (r *reporter) report(pos, end token.Pos, category, msg, fix string, edits []analysis.TextEdit) {
	if r.hold != nil {
		*r.hold = pending{pos: pos, end: end, category: category, msg: msg, fix: fix, edits: edits}
		return
	}
	key := fmt.Sprint(pos, "\x00", msg)
	if r.reported[key] {
		return
	}
	r.reported[key] = true
	common.Report(r.pass, pos, end, category, msg, fix, edits)
}

// importNames maps the import paths pkg reaches to package names.
func importNames(pkg *types.Package) map[string]string {
	out := map[string]string{}
	var walk func(p *types.Package)
	walk = func(p *types.Package) {
		for _, q := range p.Imports() {
			if _, ok := out[q.Path()]; !ok {
				out[q.Path()] = q.Name()
				walk(q)
			}
		}
	}
	walk(pkg)
	out[pkg.Path()] = pkg.Name()
	return out
}

// short writes a canonical type string with package names.
func (r *reporter) short(typ string) string {
	s, err := contract.GoSyntax(typ, func(p string) string {
		if n, ok := r.names[p]; ok {
			return n
		}
		return path.Base(p)
	})
	if err != nil {
		return typ
	}
	return s
}

// types returns the entry's types for a message, and found written the
// same way: with package names, unless that makes found look like one
// of the entry's types (two packages of the same name), then in full.
func (r *reporter) types(e contract.Entry, found string) (want, got string) {
	shortWant := make([]string, len(e.Types))
	clash := false
	got = r.short(found)
	for i, t := range e.Types {
		shortWant[i] = r.short(t)
		if found != "" && shortWant[i] == got && t != found {
			clash = true
		}
	}
	if clash {
		return strings.Join(e.Types, " or "), found
	}
	return strings.Join(shortWant, " or "), got
}

// origin says where the host expects the symbol: the first source's
// position, as "file:line" relative to cfg.Dir ("" when unknown).
func (r *reporter) origin(e contract.Entry) string {
	for _, s := range e.Sources {
		if s.Pos == "" {
			continue
		}
		if s.Kind == contract.SourceExpect {
			return "--expect " + s.Pos
		}
		file, line, ok := strings.Cut(s.Pos, ":")
		if ok && r.cfg.Root != "" && r.cfg.Dir != "" && r.cfg.Root != r.cfg.Dir && !filepath.IsAbs(file) {
			if rel, err := filepath.Rel(r.cfg.Dir, filepath.Join(r.cfg.Root, filepath.FromSlash(file))); err == nil {
				return filepath.ToSlash(rel) + ":" + line
			}
		}
		return s.Pos
	}
	return ""
}

func (r *reporter) withOrigin(msg string, e contract.Entry) string {
	if o := r.origin(e); o != "" {
		return msg + " (" + o + ")"
	}
	return msg
}

// decl is the declaration a plugin needs for the entry's first type:
// "var Seven int", "func Double(int) int"; "" when the entry has no
// type or a type that is neither.
func (r *reporter) decl(e contract.Entry) string {
	if len(e.Types) == 0 {
		return ""
	}
	t := r.short(e.Types[0])
	switch contract.KindOf(e.Types[0]) {
	case contract.KindVar:
		return "var " + e.Symbol + " " + strings.TrimPrefix(t, "*")
	case contract.KindFunc:
		return "func " + e.Symbol + strings.TrimPrefix(t, "func")
	}
	return ""
}

func (r *reporter) declFix(e contract.Entry) string {
	if d := r.decl(e); d != "" {
		return "declare " + d
	}
	if len(e.Types) > 0 {
		want, _ := r.types(e, "")
		return "export " + e.Symbol + " as " + want
	}
	return "export " + e.Symbol
}

func (r *reporter) check(e contract.Entry) {
	scope := r.pass.Pkg.Scope()
	obj := scope.Lookup(e.Symbol)
	if obj == nil {
		if e.Required {
			r.missing(e)
		}
		return
	}
	pos, end := obj.Pos(), obj.Pos()+token.Pos(len(obj.Name()))
	sym := e.Symbol
	var t types.Type
	var kind string
	switch o := obj.(type) {
	case *types.Func:
		if o.Signature().TypeParams().Len() > 0 {
			r.report(pos, end, CatKind,
				r.withOrigin(fmt.Sprintf("%s is a generic function: a plugin exports only instantiated code, so the host's Lookup(%q) fails", sym, sym), e),
				r.declFix(e), nil)
			return
		}
		t, kind = o.Type(), contract.KindFunc
	case *types.Var:
		t, kind = types.NewPointer(o.Type()), contract.KindVar
	case *types.Const:
		fix, edits := r.declFix(e), r.constToVar(o, e)
		if edits != nil {
			fix = "declare " + sym + " with var instead of const"
		}
		r.report(pos, end, CatKind,
			r.withOrigin(fmt.Sprintf("%s is a constant: constants are not plugin symbols, the host's Lookup(%q) fails", sym, sym), e),
			fix, edits)
		return
	default:
		r.report(pos, end, CatKind,
			r.withOrigin(fmt.Sprintf("%s is a %s: only functions and variables are plugin symbols, the host's Lookup(%q) fails", sym, objKind(obj), sym), e),
			r.declFix(e), nil)
		return
	}
	found := contract.TypeString(t)
	if e.Kind != "" && kind != e.Kind {
		want, got := r.types(e, found)
		switch kind {
		case contract.KindVar:
			elem := strings.TrimPrefix(got, "*")
			r.report(pos, end, CatKind,
				r.withOrigin(fmt.Sprintf("%s is a variable of type %s: Lookup gives the host a %s, but it wants a function, %s", sym, elem, got, want), e),
				r.declFix(e), r.varToFunc(obj.(*types.Var), e))
		default:
			r.report(pos, end, CatKind,
				r.withOrigin(fmt.Sprintf("%s is a function of type %s, but the host wants a variable: Lookup must give it %s", sym, got, want), e),
				r.declFix(e), nil)
		}
		return
	}
	if e.MatchesType(t) {
		return
	}
	want, got := r.types(e, found)
	var msg string
	if kind == contract.KindVar {
		msg = fmt.Sprintf("%s is a variable of type %s: Lookup gives the host a %s, want %s: the host's assertion fails", sym, strings.TrimPrefix(got, "*"), got, want)
	} else {
		msg = fmt.Sprintf("%s has type %s, want %s: the host's assertion fails", sym, got, want)
	}
	fix := r.declFix(e)
	if why := r.whyNot(e, t); why != "" {
		msg = fmt.Sprintf("%s: Lookup gives the host a %s, which does not implement %s: %s; the host's assertion fails", sym, got, want, why)
		fix = "give " + sym + " a type whose method set has " + r.short(e.Types[0]) + "'s methods (Lookup returns a pointer to a variable: pointer and value receivers both count)"
		if p, ok := t.(*types.Pointer); ok {
			if _, ok := p.Elem().Underlying().(*types.Pointer); ok && kind == contract.KindVar {
				fix = "export the value, not a pointer to it: var " + sym + " = <value> (Lookup already returns a pointer)"
			}
		}
	}
	r.report(pos, end, CatType, r.withOrigin(msg, e), fix, nil)
}

// whyNot explains why t implements none of the entry's interface
// alternatives ("" when none of them is an interface): the first
// alternative's missing method, or its method of another type.
func (r *reporter) whyNot(e contract.Entry, t types.Type) string {
	for _, alt := range e.Types {
		methods, ok := e.InterfaceMethods(alt)
		if !ok {
			continue
		}
		name, have, want := contract.MissingMethod(t, methods)
		switch {
		case name == "":
			continue
		case have == "":
			return fmt.Sprintf("it has no method %s%s", name, r.short("func" + want)[4:])
		default:
			return fmt.Sprintf("its method %s has type %s, want %s", name, r.short("func"+have), r.short("func"+want))
		}
	}
	return ""
}

func objKind(obj types.Object) string {
	switch obj.(type) {
	case *types.TypeName:
		return "type"
	case *types.Const:
		return "constant"
	}
	return "declaration"
}

// missing reports a required symbol the plugin does not declare, at the
// near miss (a top-level name equal to the symbol but for case and
// underscores) when there is one, else at the package clause.
func (r *reporter) missing(e contract.Entry) {
	sym := e.Symbol
	var near []types.Object
	scope := r.pass.Pkg.Scope()
	for _, n := range scope.Names() {
		if n != sym && n != "main" && n != "init" && fold(n) == fold(sym) {
			near = append(near, scope.Lookup(n))
		}
	}
	want := ""
	if len(e.Types) > 0 {
		want, _ = r.types(e, "")
		want = " as " + want
	}
	msg := fmt.Sprintf("plugin has no %s: the host looks up %q%s and refuses the plugin without it", sym, sym, want)
	fix := r.declFix(e)
	var edits []analysis.TextEdit
	pos := token.NoPos
	if len(near) > 0 {
		names := make([]string, len(near))
		for i, o := range near {
			names[i] = o.Name()
		}
		msg = fmt.Sprintf("plugin has no %s, only %s: the host looks up %q%s and refuses the plugin without it", sym, strings.Join(names, ", "), sym, want)
		first := near[0]
		pos = first.Pos()
		if len(near) == 1 && satisfies(first, e) {
			fix = "rename " + first.Name() + " to " + sym
			edits = r.rename(first, sym)
		}
	}
	if !pos.IsValid() {
		pos = r.packageClause()
	}
	end := pos
	if len(near) > 0 {
		end = pos + token.Pos(len(near[0].Name()))
	}
	r.report(pos, end, CatMissing, r.withOrigin(msg, e), fix, edits)
}

func fold(s string) string { return strings.ToLower(strings.ReplaceAll(s, "_", "")) }

// satisfies reports whether obj, renamed, would satisfy e.
func satisfies(obj types.Object, e contract.Entry) bool {
	var t types.Type
	var kind string
	switch o := obj.(type) {
	case *types.Func:
		if o.Signature().TypeParams().Len() > 0 {
			return false
		}
		t, kind = o.Type(), contract.KindFunc
	case *types.Var:
		t, kind = types.NewPointer(o.Type()), contract.KindVar
	default:
		return false
	}
	return (e.Kind == "" || e.Kind == kind) && e.MatchesType(t)
}

// rename renames obj's declaration and its uses in the package.
func (r *reporter) rename(obj types.Object, name string) []analysis.TextEdit {
	edits := []analysis.TextEdit{{Pos: obj.Pos(), End: obj.Pos() + token.Pos(len(obj.Name())), NewText: []byte(name)}}
	var uses []*ast.Ident
	for id, o := range r.pass.TypesInfo.Uses {
		if o == obj {
			uses = append(uses, id)
		}
	}
	slices.SortFunc(uses, func(a, b *ast.Ident) int { return int(a.Pos() - b.Pos()) })
	for _, id := range uses {
		edits = append(edits, analysis.TextEdit{Pos: id.Pos(), End: id.End(), NewText: []byte(name)})
	}
	return edits
}

// packageClause is the position of the package name in the package's
// first file (the one declaring main when there is one).
func (r *reporter) packageClause() token.Pos {
	if m := r.pass.Pkg.Scope().Lookup("main"); m != nil {
		if f := common.FileOf(r.pass, m.Pos()); f != nil {
			return f.Name.Pos()
		}
	}
	if len(r.pass.Files) > 0 {
		return r.pass.Files[0].Name.Pos()
	}
	return token.NoPos
}

// varToFunc rewrites "var F = func(...) ... {...}" as "func F(...) ...
// {...}" when the function literal has a type the entry accepts.
func (r *reporter) varToFunc(v *types.Var, e contract.Entry) []analysis.TextEdit {
	decl, spec := common.Decl(r.pass, v)
	gd, _ := decl.(*ast.GenDecl)
	vs, _ := spec.(*ast.ValueSpec)
	if gd == nil || vs == nil || gd.Lparen.IsValid() || len(vs.Names) != 1 || len(vs.Values) != 1 || vs.Type != nil {
		return nil
	}
	lit, ok := vs.Values[0].(*ast.FuncLit)
	if !ok || !e.MatchesType(r.pass.TypesInfo.TypeOf(lit)) {
		return nil
	}
	return []analysis.TextEdit{{Pos: gd.Pos(), End: lit.Type.Func + 4, NewText: []byte("func " + v.Name())}}
}

// constToVar turns "const C = value" into "var C = value" when the
// variable this makes has a type the entry accepts.
func (r *reporter) constToVar(c *types.Const, e contract.Entry) []analysis.TextEdit {
	decl, spec := common.Decl(r.pass, c)
	gd, _ := decl.(*ast.GenDecl)
	vs, _ := spec.(*ast.ValueSpec)
	if gd == nil || vs == nil || gd.Lparen.IsValid() || len(vs.Names) != 1 || len(vs.Values) != 1 {
		return nil
	}
	if !e.MatchesType(types.NewPointer(types.Default(c.Type()))) || (e.Kind != "" && e.Kind != contract.KindVar) {
		return nil
	}
	return []analysis.TextEdit{{Pos: gd.TokPos, End: gd.TokPos + token.Pos(len("const")), NewText: []byte("var")}}
}

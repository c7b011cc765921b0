package contract

import (
	"context"
	"fmt"
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/tools/go/packages"
	"golang.org/x/tools/go/types/typeutil"

	"github.com/pluginctl/pluginctl/internal/load"
)

// InferOptions say which host packages to read.
type InferOptions struct {
	// Dir is the directory go list runs in ("" = the current one).
	Dir string
	// Patterns are the host packages. Empty means "./...", keeping only
	// the hosts among them: main packages that link package plugin. A
	// pattern naming a non-main package analyses all of its functions.
	Patterns []string
	// Env is the go command's environment (nil = os.Environ()).
	Env []string
	// Tags are build tags.
	Tags []string
	// BuildFlags are further go build flags for go list (the build's
	// own, e.g. -trimpath, so that the builds reuse the export data the
	// inference compiles).
	BuildFlags []string
	// Base is the directory positions are relative to; "" means the
	// main module's root (the common directory of the main modules).
	Base string
}

// LoadError is a host package that does not load or type-check.
type LoadError struct{ Errors []string }

func (e *LoadError) Error() string {
	return "loading host packages:\n\t" + strings.Join(e.Errors, "\n\t")
}

// Infer reads the host packages and returns the contract their code
// implies. Positions are relative to the main module's root (to the
// common directory of the main modules in a workspace).
//
// What is found: every call to (*plugin.Plugin).Lookup in the code the
// hosts can reach (the static call graph from main and the init
// functions, through calls, function values and interface method calls),
// in the host packages and in the main-module packages they import that
// link package plugin (pluginapi/loader, say).
//
// The symbol name: a constant (also a named constant such as
// pluginapi.SymbolNew), a local variable only ever assigned constants, or
// the value variable of a range over a literal list of constants. A name
// that is a parameter of the function calling Lookup (a helper such as
// func lookup(p *plugin.Plugin, name string)) is resolved at each call of
// that function, through any number of such helpers. Anything else is an
// Unresolved with its position and the reason.
//
// The plugin: when the *plugin.Plugin comes from plugin.Open with a
// constant path (or filepath.Join / path.Join of constants), directly or
// through helper parameters, the symbols looked up on it are tied to that
// plugin (Entry.Plugins is the path's base name without ".so");
// otherwise they apply to all plugins.
//
// The type: the result of Lookup is followed through assignments,
// conversions, returns (to the caller that passed the name, or to every
// caller) and arguments (into the callee's parameter); every type
// assertion (plain or comma-ok) and every case of a type switch on it
// adds an alternative. Type parameters are instantiated from the call
// that leads to the assertion (func lookup[T any](...) (T, error)).
//
// Required or optional (a heuristic): the "not found" path is the branch
// taken when Lookup's error is non-nil (if err != nil {...}, the else or
// the code after if err == nil {...; return}, a case err != nil:). The
// symbol is required when that path panics or exits (panic, os.Exit,
// log.Fatal, t.Fatal, a helper that always does), skips (continue, break,
// goto), returns from a function without an error result, or returns a
// non-nil error, unless every caller the error reaches tolerates it. It
// is optional when the path returns only nil errors (return nil, nil) or
// falls through. When the error is ignored, the same rules apply to the
// failed comma-ok (if !ok), the nil check or the type switch default; a
// plain assertion panics, so it makes the symbol required. With no
// evidence at all the symbol is required. Any site requiring a symbol
// makes it required.
func Infer(ctx context.Context, o InferOptions) (*Contract, error) {
	patterns := o.Patterns
	keep := func(p *packages.Package, linksPlugin bool) bool { return true }
	if len(patterns) == 0 {
		patterns = []string{"./..."}
		keep = func(p *packages.Package, linksPlugin bool) bool { return p.Name == "main" && linksPlugin }
	}
	prog, err := loadProgram(ctx, &o, patterns, keep)
	if err != nil {
		return nil, err
	}
	if len(prog.Errors) > 0 {
		return nil, &LoadError{Errors: prog.Errors}
	}
	base := o.Base
	if base == "" {
		base = baseDir(prog)
	}
	return inferProgram(prog, base), nil
}

func inferProgram(prog *load.Program, base string) *Contract {
	a := newAnalyzer(prog, base)
	a.buildCallGraph(a.rootFuncs(prog))
	c := &Contract{}
	for _, r := range prog.SourceRoots() {
		c.Hosts = append(c.Hosts, r.PkgPath)
	}
	acc := newAccumulator(a)
	for _, f := range a.all {
		if !a.reachable[f] {
			continue
		}
		info := f.info()
		walkOwn(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || !a.isLookup(info, call) || len(call.Args) != 1 {
				return true
			}
			name := a.evalName(f, call.Args[0])
			plug := plugItem{}
			if recv := a.lookupRecv(f, call); recv != nil {
				plug = a.evalPlugin(f, recv, 0)
			}
			count := 0
			a.budget = maxWalk
			a.walkUp(f, name, plug, nil, 0, func(name nameItem, plug plugItem, chain []*callSite, nameAt int) {
				if count++; count > maxInstances {
					return
				}
				fl := a.newFlow()
				fl.nameHelpers = chain[:nameAt]
				fl.fromResult(f, call, 0, chain, flowSym)
				fl.fromResult(f, call, 1, chain, flowErr)
				acc.add(f, call, name, plug, fl)
			})
			return true
		})
	}
	acc.finish(c)
	c.normalize()
	return c
}

func baseDir(prog *load.Program) string {
	var dirs []string
	for _, p := range prog.SourceRoots() {
		if p.Module != nil && p.Module.Dir != "" {
			dirs = append(dirs, filepath.Clean(p.Module.Dir))
		}
	}
	if len(dirs) == 0 {
		return ""
	}
	base := dirs[0]
	for _, d := range dirs[1:] {
		for base != "" && d != base && !strings.HasPrefix(d, base+string(filepath.Separator)) {
			parent := filepath.Dir(base)
			if parent == base {
				return ""
			}
			base = parent
		}
	}
	return base
}

func (a *analyzer) pos(p token.Pos) string {
	if !p.IsValid() {
		return ""
	}
	position := a.fset.Position(p)
	name := position.Filename
	for _, m := range a.mods {
		if rel, ok := strings.CutPrefix(name, m.dir+string(filepath.Separator)); ok {
			return m.prefix + "/" + filepath.ToSlash(rel) + ":" + strconv.Itoa(position.Line)
		}
	}
	if a.base != "" {
		if rel, err := filepath.Rel(a.base, name); err == nil && !strings.HasPrefix(rel, "..") {
			name = rel
		}
	}
	return filepath.ToSlash(name) + ":" + strconv.Itoa(position.Line)
}

// isLookup reports whether call looks a symbol up in a plugin:
// (*plugin.Plugin).Lookup; a method Lookup(string) (plugin.Symbol, error)
// of an interface (a framework's Plugin interface, which *plugin.Plugin
// implements); or a call of a function value of that type (a method
// value p.Lookup, a field or variable holding one) whose body pluginctl
// does not have (a function literal or declared function assigned to a
// variable is followed into instead).
func (a *analyzer) isLookup(info *types.Info, call *ast.CallExpr) bool {
	switch f := typeutil.Callee(info, call).(type) {
	case *types.Func:
		if f.FullName() == "(*plugin.Plugin).Lookup" {
			return true
		}
		recv := f.Signature().Recv()
		return f.Name() == "Lookup" && recv != nil && types.IsInterface(recv.Type()) && isLookupSig(f.Signature())
	case *types.Builtin, *types.TypeName:
		return false
	}
	if a.callee(info, call) != nil {
		return false
	}
	sig, ok := info.TypeOf(call.Fun).Underlying().(*types.Signature)
	return ok && isLookupSig(sig)
}

// lookupRecv returns the plugin expression a Lookup call looks up in:
// p of p.Lookup(name), or of lookup(name) after lookup := p.Lookup (a
// variable assigned that method value once); nil when unknown.
func (a *analyzer) lookupRecv(f *fn, call *ast.CallExpr) ast.Expr {
	switch fun := unparen(call.Fun).(type) {
	case *ast.SelectorExpr:
		if _, isMethod := f.info().Selections[fun]; isMethod {
			return fun.X
		}
	case *ast.Ident:
		if v, ok := f.info().Uses[fun].(*types.Var); ok {
			if ds := a.defs[v]; len(ds) == 1 && ds[0].tuple < 0 && ds[0].rhs != nil && ds[0].fn == f {
				if sel, ok := unparen(ds[0].rhs).(*ast.SelectorExpr); ok {
					if s, isMethod := f.info().Selections[sel]; isMethod && s.Kind() == types.MethodVal {
						return sel.X
					}
				}
			}
		}
	}
	return nil
}

// isLookupSig: func(string) (plugin.Symbol, error).
func isLookupSig(sig *types.Signature) bool {
	if sig.Params().Len() != 1 || sig.Results().Len() != 2 || sig.Variadic() {
		return false
	}
	if b, ok := sig.Params().At(0).Type().Underlying().(*types.Basic); !ok || b.Kind() != types.String {
		return false
	}
	n, ok := types.Unalias(sig.Results().At(0).Type()).(*types.Named)
	if !ok || n.Obj().Pkg() == nil || n.Obj().Pkg().Path() != "plugin" || n.Obj().Name() != "Symbol" {
		return false
	}
	return isError(sig.Results().At(1).Type())
}

const (
	maxDepth     = 12   // helpers between a Lookup and the constant name
	maxInstances = 256  // instantiations of one Lookup call
	maxWalk      = 4096 // steps resolving one Lookup call's name and plugin
)

// nameItem is what is known of a symbol name at some point.
type nameItem struct {
	names  []string // the constant values
	param  int      // parameter index when isParam (-1: receiver)
	isPar  bool
	reason string // why it is unresolved
	pos    token.Pos
}

type plugKind int

const (
	plugAll       plugKind = iota // any plugin
	plugConst                     // opened from constant paths
	plugRecvParam                 // a *plugin.Plugin parameter
	plugPathParam                 // opened from a path parameter
)

type plugItem struct {
	kind  plugKind
	paths []string
	param int
	// origin is the call that made the plugin value (plugin.Open, a
	// framework's opener) where it is one: lookups on plugins of
	// different origins are independent loaders (see Contract.Kinds).
	origin token.Pos
}

func (p plugItem) isParam() bool { return p.kind == plugRecvParam || p.kind == plugPathParam }

// paramIndex returns the index of v among f's parameters (-1 for the
// receiver).
func paramIndex(f *fn, v *types.Var) (int, bool) {
	if f.sig == nil || v == nil {
		return 0, false
	}
	if r := f.sig.Recv(); r != nil && r == v {
		return -1, true
	}
	for i := range f.sig.Params().Len() {
		if f.sig.Params().At(i) == v {
			return i, true
		}
	}
	return 0, false
}

func paramName(f *fn, i int) string {
	if i < 0 {
		return f.sig.Recv().Name()
	}
	return f.sig.Params().At(i).Name()
}

// constStrings returns the constant string values e may hold in f: a
// constant, or a local variable only ever assigned constants (or ranging
// over a literal list of constants).
func (a *analyzer) constStrings(f *fn, e ast.Expr, depth int) ([]string, bool) {
	e = unparen(e)
	info := f.info()
	if tv, ok := info.Types[e]; ok && tv.Value != nil {
		if tv.Value.Kind() == constant.String {
			return []string{constant.StringVal(tv.Value)}, true
		}
		return nil, false
	}
	id, ok := e.(*ast.Ident)
	if !ok || depth > 4 {
		return nil, false
	}
	v, ok := info.Uses[id].(*types.Var)
	if !ok {
		return nil, false
	}
	if _, isPar := paramIndex(f, v); isPar {
		return nil, false
	}
	ds := a.defs[v]
	if len(ds) == 0 {
		return nil, false
	}
	var out []string
	for _, d := range ds {
		switch {
		case d.rng != nil:
			vals, ok := a.constList(d.fn, d.rng, depth+1)
			if !ok {
				return nil, false
			}
			out = append(out, vals...)
		case d.rhs != nil && d.tuple < 0:
			vals, ok := a.constStrings(d.fn, d.rhs, depth+1)
			if !ok {
				return nil, false
			}
			out = append(out, vals...)
		default:
			return nil, false
		}
	}
	slices.Sort(out)
	return slices.Compact(out), true
}

// constList returns the elements of a slice or array literal of constant
// strings (or of a variable only ever assigned one).
func (a *analyzer) constList(f *fn, e ast.Expr, depth int) ([]string, bool) {
	e = unparen(e)
	if id, ok := e.(*ast.Ident); ok && depth < 4 {
		v, ok := f.info().Uses[id].(*types.Var)
		if !ok || len(a.defs[v]) != 1 || a.defs[v][0].rhs == nil || a.defs[v][0].tuple >= 0 {
			return nil, false
		}
		d := a.defs[v][0]
		return a.constList(d.fn, d.rhs, depth+1)
	}
	lit, ok := e.(*ast.CompositeLit)
	if !ok {
		return nil, false
	}
	if _, ok := f.info().TypeOf(lit).Underlying().(*types.Map); ok {
		return nil, false
	}
	var out []string
	for _, el := range lit.Elts {
		if kv, ok := el.(*ast.KeyValueExpr); ok {
			el = kv.Value
		}
		vals, ok := a.constStrings(f, el, depth+1)
		if !ok {
			return nil, false
		}
		out = append(out, vals...)
	}
	return out, true
}

// evalName says what the symbol name expression e in f is.
func (a *analyzer) evalName(f *fn, e ast.Expr) nameItem {
	e = unparen(e)
	if names, ok := a.constStrings(f, e, 0); ok {
		return nameItem{names: names, pos: e.Pos()}
	}
	info := f.info()
	what := "symbol name computed at run time: "
	switch x := e.(type) {
	case *ast.Ident:
		if v, ok := info.Uses[x].(*types.Var); ok {
			if i, ok := paramIndex(f, v); ok {
				return nameItem{isPar: true, param: i, pos: e.Pos()}
			}
		}
		what = "symbol name from a variable: "
	case *ast.SelectorExpr, *ast.IndexExpr, *ast.StarExpr:
		what = "symbol name from a variable: "
	case *ast.CallExpr:
		what = "symbol name from a function call: "
	}
	return nameItem{reason: what + types.ExprString(e), pos: e.Pos()}
}

// evalPlugin says which plugin the *plugin.Plugin expression e in f is:
// follows local variables, plugin.Open, and source functions returning
// a plugin (func open(path string) *plugin.Plugin).
func (a *analyzer) evalPlugin(f *fn, e ast.Expr, depth int) plugItem {
	if depth > 6 {
		return plugItem{}
	}
	info := f.info()
	switch x := unparen(e).(type) {
	case *ast.CallExpr:
		it := a.evalPluginCall(f, x, 0, depth+1)
		it.origin = x.Pos()
		return it
	case *ast.Ident:
		v, ok := info.Uses[x].(*types.Var)
		if !ok {
			return plugItem{}
		}
		if i, ok := paramIndex(f, v); ok {
			return plugItem{kind: plugRecvParam, param: i}
		}
		var items []plugItem
		for _, d := range a.defs[v] {
			switch {
			case d.rhs == nil:
				return plugItem{}
			case d.tuple >= 0:
				call, ok := unparen(d.rhs).(*ast.CallExpr)
				if !ok {
					return plugItem{}
				}
				it := a.evalPluginCall(d.fn, call, d.tuple, depth+1)
				it.origin = call.Pos()
				items = append(items, it)
			default:
				items = append(items, a.evalPlugin(d.fn, d.rhs, depth+1))
			}
		}
		return joinPlugs(items)
	}
	return plugItem{}
}

// evalPluginCall says which plugin result idx of call (in f) is.
func (a *analyzer) evalPluginCall(f *fn, call *ast.CallExpr, idx int, depth int) plugItem {
	info := f.info()
	if isFunc(info, call, "plugin.Open") {
		if idx != 0 || len(call.Args) != 1 {
			return plugItem{}
		}
		return a.evalPath(f, call.Args[0])
	}
	g := a.callee(info, call)
	if g == nil || g.sig == nil || depth > 6 {
		return plugItem{}
	}
	cs := &callSite{call: call, caller: f, callee: g}
	var items []plugItem
	walkOwn(g, func(n ast.Node) bool {
		ret, ok := n.(*ast.ReturnStmt)
		if !ok {
			return true
		}
		var it plugItem
		switch {
		case len(ret.Results) == g.sig.Results().Len() && idx < len(ret.Results):
			if isNil(g.info(), ret.Results[idx]) {
				return true
			}
			it = a.evalPlugin(g, ret.Results[idx], depth+1)
		case len(ret.Results) == 1:
			inner, ok := unparen(ret.Results[0]).(*ast.CallExpr)
			if !ok {
				items = append(items, plugItem{})
				return true
			}
			it = a.evalPluginCall(g, inner, idx, depth+1)
		default:
			items = append(items, plugItem{})
			return true
		}
		// A parameter of g: what the caller passes.
		if it.isParam() {
			arg := argAt(cs, it.param)
			switch {
			case arg == nil:
				it = plugItem{}
			case it.kind == plugRecvParam:
				it = a.evalPlugin(f, arg, depth+1)
			default:
				it = a.evalPath(f, arg)
			}
		}
		items = append(items, it)
		return true
	})
	return joinPlugs(items)
}

// joinPlugs combines the possible plugins of a value: constant paths
// when all are, else any plugin (or the one parameter they all are).
func joinPlugs(items []plugItem) plugItem {
	if len(items) == 0 {
		return plugItem{}
	}
	origin := items[0].origin
	for _, it := range items[1:] {
		if it.origin != origin {
			origin = token.NoPos
		}
	}
	out := joinPlugKinds(items)
	out.origin = origin
	return out
}

func joinPlugKinds(items []plugItem) plugItem {
	out := items[0]
	for _, it := range items[1:] {
		switch {
		case it.kind == plugConst && out.kind == plugConst:
			out.paths = append(slices.Clip(out.paths), it.paths...)
		case it.kind == out.kind && it.isParam() && it.param == out.param:
		default:
			return plugItem{}
		}
	}
	if out.kind == plugConst {
		slices.Sort(out.paths)
		out.paths = slices.Compact(out.paths)
	}
	return out
}

// evalPath says which plugin file the path expression e in f names.
func (a *analyzer) evalPath(f *fn, e ast.Expr) plugItem {
	e = unparen(e)
	if vals, ok := a.constStrings(f, e, 0); ok {
		return plugItem{kind: plugConst, paths: vals}
	}
	info := f.info()
	if call, ok := e.(*ast.CallExpr); ok && (isFunc(info, call, "path/filepath.Join") || isFunc(info, call, "path.Join")) && call.Ellipsis == token.NoPos {
		var elems []string
		for _, arg := range call.Args {
			vals, ok := a.constStrings(f, arg, 0)
			if !ok || len(vals) != 1 {
				return plugItem{}
			}
			elems = append(elems, filepath.ToSlash(vals[0]))
		}
		return plugItem{kind: plugConst, paths: []string{path.Join(elems...)}}
	}
	if id, ok := e.(*ast.Ident); ok {
		if v, ok := info.Uses[id].(*types.Var); ok {
			if i, ok := paramIndex(f, v); ok {
				return plugItem{kind: plugPathParam, param: i}
			}
		}
	}
	return plugItem{}
}

func isFunc(info *types.Info, call *ast.CallExpr, fullName string) bool {
	f, ok := typeutil.Callee(info, call).(*types.Func)
	return ok && f.FullName() == fullName
}

// argAt returns the argument of call for parameter i of callee (-1: the
// receiver), or nil.
func argAt(cs *callSite, i int) ast.Expr {
	call := cs.call
	if i < 0 {
		if sel, ok := unparen(call.Fun).(*ast.SelectorExpr); ok {
			return sel.X
		}
		return nil
	}
	if call.Ellipsis != token.NoPos || i >= len(call.Args) {
		return nil
	}
	if cs.callee.sig != nil && cs.callee.sig.Params().Len() != len(call.Args) {
		return nil // variadic or f(g()) forms
	}
	return call.Args[i]
}

// walkUp resolves the name and the plugin of a Lookup in f that depend
// on f's parameters, at every reachable call of f, and calls emit with
// each resolution, the chain of calls (innermost first) it went through,
// and how many of them passed the name.
func (a *analyzer) walkUp(f *fn, name nameItem, plug plugItem, chain []*callSite, nameAt int, emit func(nameItem, plugItem, []*callSite, int)) {
	if name.isPar {
		nameAt = len(chain) + 1
	}
	if a.budget <= 0 {
		return
	}
	a.budget--
	if !name.isPar && !plug.isParam() {
		emit(name, plug, chain, min(nameAt, len(chain)))
		return
	}
	callers := a.callers[f]
	if len(callers) == 0 || len(chain) >= maxDepth {
		if name.isPar {
			name = nameItem{reason: fmt.Sprintf("symbol name from parameter %s of %s, which is not called directly", paramName(f, name.param), f.name), pos: name.pos}
		}
		if plug.isParam() {
			plug = plugItem{origin: plugPathOrigin(plug)}
		}
		emit(name, plug, chain, min(nameAt, len(chain)))
		return
	}
	for _, cs := range callers {
		if containsSite(chain, cs) {
			continue
		}
		n2, p2 := name, plug
		if name.isPar {
			if arg := argAt(cs, name.param); arg != nil {
				n2 = a.evalName(cs.caller, arg)
			} else {
				n2 = nameItem{reason: fmt.Sprintf("symbol name from parameter %s of %s, called with a form pluginctl does not follow", paramName(f, name.param), f.name), pos: cs.call.Pos()}
			}
		}
		if plug.isParam() {
			if arg := argAt(cs, plug.param); arg == nil {
				p2 = plugItem{}
			} else if plug.kind == plugRecvParam {
				p2 = a.evalPlugin(cs.caller, arg, 0)
			} else {
				p2 = a.evalPath(cs.caller, arg)
			}
			if o := plugPathOrigin(plug); o.IsValid() {
				p2.origin = o // opened here, whatever the path
			}
		}
		a.walkUp(cs.caller, n2, p2, append(slices.Clip(chain), cs), nameAt, emit)
	}
}

// plugPathOrigin is the origin of a plugin opened from a path parameter:
// the open call is known, whatever the path.
func plugPathOrigin(p plugItem) token.Pos {
	if p.kind == plugPathParam {
		return p.origin
	}
	return token.NoPos
}

// pluginNames turns constant plugin paths into entry plugin names.
func pluginNames(p plugItem) []string {
	if p.kind != plugConst {
		return []string{""}
	}
	var out []string
	for _, s := range p.paths {
		out = append(out, strings.TrimSuffix(path.Base(filepath.ToSlash(s)), ".so"))
	}
	return out
}

// accumulator gathers the instantiations of every Lookup into entries.
type accumulator struct {
	a          *analyzer
	entries    map[[2]string]*Entry
	unresolved []Unresolved
	// loaders are the required symbols (for all plugins) by the origin
	// of the plugin value they are looked up in; loose is set when one
	// such symbol's origin is not known.
	loaders map[token.Pos]*loader
	loose   bool
}

type loader struct {
	pkg     string // the package of the Lookup calls
	fn      string // their function
	symbols []string
	sources []Source
}

func newAccumulator(a *analyzer) *accumulator {
	return &accumulator{a: a, entries: map[[2]string]*Entry{}, loaders: map[token.Pos]*loader{}}
}

func (acc *accumulator) add(f *fn, call *ast.CallExpr, name nameItem, plug plugItem, fl *flow) {
	a := acc.a
	required := fl.required()
	// A comma-ok assertion the host carries on without is an optional
	// extension when another assertion is required of the symbol; when
	// every assertion is such, they are alternatives.
	hasRequired := false
	for _, as := range fl.asserts {
		if !as.optional {
			hasRequired = true
		}
	}
	var typs, extras []string
	var asserts []assertion
	for _, as := range fl.asserts {
		if hasRequired && as.optional {
			extras = append(extras, as.typ)
			continue
		}
		typs = append(typs, as.typ)
		asserts = append(asserts, as)
	}
	acc.unresolved = append(acc.unresolved, fl.problems...)
	namePos := name.pos
	if !namePos.IsValid() {
		namePos = call.Pos()
	}
	for _, plugin := range pluginNames(plug) {
		if name.reason != "" {
			acc.unresolved = append(acc.unresolved, Unresolved{
				Pos: a.pos(namePos), Reason: name.reason, Types: typs, Required: required, Plugins: plugin,
			})
			continue
		}
		var plugPath string
		if plug.kind == plugConst {
			for _, p := range plug.paths {
				if strings.TrimSuffix(path.Base(filepath.ToSlash(p)), ".so") == plugin {
					plugPath = p
				}
			}
		}
		if required && plugin == "" {
			if !plug.origin.IsValid() {
				acc.loose = true
			} else {
				l := acc.loaders[plug.origin]
				if l == nil {
					l = &loader{pkg: f.pkg.PkgPath, fn: f.top.name}
					acc.loaders[plug.origin] = l
				}
				l.symbols = append(l.symbols, name.names...)
				l.sources = append(l.sources, Source{Kind: SourceLookup, Pos: a.pos(namePos)})
			}
		}
		for _, sym := range name.names {
			key := [2]string{sym, plugin}
			e := acc.entries[key]
			if e == nil {
				e = &Entry{Symbol: sym, Plugins: plugin}
				acc.entries[key] = e
			}
			e.Required = e.Required || required
			e.Types = append(e.Types, typs...)
			e.Extras = append(e.Extras, extras...)
			for _, as := range fl.asserts {
				if as.iface != "" {
					if e.Interfaces == nil {
						e.Interfaces = map[string]string{}
					}
					e.Interfaces[as.typ] = as.iface
				}
			}
			if len(asserts) == 0 {
				e.Sources = append(e.Sources, Source{Kind: SourceLookup, Pos: a.pos(namePos), Plugin: plugPath})
			}
			for _, as := range asserts {
				e.Sources = append(e.Sources, Source{Kind: SourceLookup, Pos: a.pos(namePos), Assert: a.pos(as.pos), Type: as.typ, Plugin: plugPath})
			}
			for _, v := range fl.values {
				e.Values = append(e.Values, Value{Value: v.val, Pos: a.pos(v.pos)})
			}
		}
	}
}

func (acc *accumulator) finish(c *Contract) {
	for _, e := range acc.entries {
		slices.Sort(e.Types)
		e.Types = slices.Compact(e.Types)
		// An extra that is also an alternative somewhere is not extra.
		e.Extras = slices.DeleteFunc(e.Extras, func(x string) bool { return slices.Contains(e.Types, x) })
		for k := range e.Interfaces {
			if !slices.Contains(e.Types, k) && !slices.Contains(e.Extras, k) {
				delete(e.Interfaces, k)
			}
		}
		e.Kind = kindOfTypes(e.Types)
		c.Entries = append(c.Entries, *e)
	}
	c.Unresolved = append(c.Unresolved, acc.unresolved...)
	if acc.loose || len(acc.loaders) < 2 {
		return
	}
	// Independent loaders: each one's required symbols form a kind,
	// named after its package (and function, when a package has two).
	byPkg := map[string]int{}
	for _, l := range acc.loaders {
		byPkg[l.pkg]++
	}
	for _, l := range acc.loaders {
		name := path.Base(l.pkg)
		if byPkg[l.pkg] > 1 {
			name = l.fn
		}
		c.Kinds = append(c.Kinds, Kind{Name: name, Symbols: slices.Clone(l.symbols), Sources: l.sources})
	}
}

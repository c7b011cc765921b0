// Evaluation of a Lookup's arguments: the symbol name (constants,
// helper parameters) and the plugin it is looked up on (plugin.Open's
// path, receivers passed down).

package infer

import (
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"slices"

	"golang.org/x/tools/go/types/typeutil"
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

type plugItem struct {
	kind  plugKind
	paths []string
	param int
	// origin is the call that made the plugin value (plugin.Open, a
	// framework's opener) where it is one: lookups on plugins of
	// different origins are independent loaders (see Contract.Kinds).
	origin token.Pos
	// loop: the plugin is opened in a loop (over a folder's files, a
	// list): it stands for many plugins, not one the host names.
	loop bool
	// A deferred plugin.Open path (plugPathExpr): the expression, the
	// function it is in, and the calls bound so far (see evalStr).
	pathFn   *fn
	pathExpr ast.Expr
	env      []*callSite
}

func (p plugItem) isParam() bool { return p.kind == plugRecvParam || p.kind == plugPathExpr }

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
	e = ast.Unparen(e)
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
	e = ast.Unparen(e)
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
	e = ast.Unparen(e)
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
	switch x := ast.Unparen(e).(type) {
	case *ast.CallExpr:
		it := a.evalPluginCall(f, x, 0, depth+1)
		it.origin = x.Pos()
		it.loop = it.loop || a.inLoop(x)
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
				call, ok := ast.Unparen(d.rhs).(*ast.CallExpr)
				if !ok {
					return plugItem{}
				}
				it := a.evalPluginCall(d.fn, call, d.tuple, depth+1)
				it.origin = call.Pos()
				it.loop = it.loop || a.inLoop(call)
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
		return a.resolvePath(plugItem{kind: plugPathExpr, pathFn: f, pathExpr: call.Args[0]}, false)
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
			inner, ok := ast.Unparen(ret.Results[0]).(*ast.CallExpr)
			if !ok {
				items = append(items, plugItem{})
				return true
			}
			it = a.evalPluginCall(g, inner, idx, depth+1)
		default:
			items = append(items, plugItem{})
			return true
		}
		items = append(items, a.bind(it, cs, depth+1)) // a parameter of g: what the caller passes
		return true
	})
	return joinPlugs(items)
}

// bind is the plugin it at the call cs when it is a parameter of
// cs.callee: what the caller passes.
func (a *analyzer) bind(it plugItem, cs *callSite, depth int) plugItem {
	switch arg := argAt(cs, it.param); {
	case !it.isParam():
		return it
	case it.kind == plugPathExpr:
		return a.extend(it, cs) // opened here, whatever the path
	case arg == nil:
		return plugItem{}
	default:
		return a.evalPlugin(cs.caller, arg, depth)
	}
}

// joinPlugs combines the possible plugins of a value: constant paths
// when all are, else any plugin (or the one parameter they all are).
func joinPlugs(items []plugItem) plugItem {
	if len(items) == 0 {
		return plugItem{}
	}
	out := items[0]
	for _, it := range items[1:] {
		switch {
		case it.kind == plugConst && out.kind == plugConst:
			out.paths = append(slices.Clip(out.paths), it.paths...)
		case it.kind == plugRecvParam && out.kind == plugRecvParam && it.param == out.param:
		default:
			out = plugItem{origin: out.origin, loop: out.loop}
		}
		if it.origin != out.origin {
			out.origin = token.NoPos
		}
		out.loop = out.loop || it.loop
	}
	if out.kind == plugConst {
		slices.Sort(out.paths)
		out.paths = slices.Compact(out.paths)
	}
	return out
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
		if sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr); ok {
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

// pluginNames turns the plugin paths into the full names of the plugins
// (see fullName): "" for any plugin.
func pluginNames(p plugItem) []string {
	if p.kind != plugConst {
		return []string{""}
	}
	var out []string
	for _, s := range p.paths {
		out = append(out, fullName(s))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// inLoop reports whether n is inside a for or range statement of its
// function.
func (a *analyzer) inLoop(n ast.Node) bool {
	for p := a.parent[n]; p != nil; p = a.parent[p] {
		switch p.(type) {
		case *ast.ForStmt, *ast.RangeStmt:
			return true
		case *ast.FuncDecl, *ast.FuncLit:
			return false
		}
	}
	return false
}

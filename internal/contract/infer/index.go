package infer

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"path/filepath"
	"sort"
	"strings"

	"golang.org/x/tools/go/packages"
	"golang.org/x/tools/go/types/typeutil"

	"github.com/pluginctl/pluginctl/internal/load"
)

// The index: every function of the source packages, the syntax tree's
// parent links, the definitions of local variables, and the static call
// graph restricted to what the hosts can reach.

// fn is a function with a body: a declaration, a function literal, or
// the package-level variable initializers of a package (init).
type fn struct {
	obj  *types.Func // nil for literals and package initializers
	decl *ast.FuncDecl
	lit  *ast.FuncLit
	sig  *types.Signature
	pkg  *packages.Package
	top  *fn // the declaration a literal is nested in; itself otherwise
	name string
	// varInits are the package-level var specs, for a package initializer.
	varInits []*ast.ValueSpec
}

func (f *fn) info() *types.Info { return f.pkg.TypesInfo }

func (f *fn) body() *ast.BlockStmt {
	switch {
	case f.decl != nil:
		return f.decl.Body
	case f.lit != nil:
		return f.lit.Body
	}
	return nil
}

// root is the syntax of the function: what its own walk covers.
func (f *fn) roots() []ast.Node {
	if b := f.body(); b != nil {
		return []ast.Node{b}
	}
	var out []ast.Node
	for _, vs := range f.varInits {
		out = append(out, vs)
	}
	return out
}

// def is one assignment to a variable.
type def struct {
	rhs   ast.Expr // the value assigned; nil when unknown (op-assign, ...)
	tuple int      // result index when rhs is a multi-value call, else -1
	rng   ast.Expr // the ranged-over expression for a range value
	fn    *fn
	at    token.Pos // the assignment statement
}

type callSite struct {
	call   *ast.CallExpr
	caller *fn
	callee *fn
}

type analyzer struct {
	fset   *token.FileSet
	base   string // positions are relative to it
	parent map[ast.Node]ast.Node
	funcs  map[*types.Func]*fn
	lits   map[*ast.FuncLit]*fn
	decls  map[*ast.FuncDecl]*fn
	inits  map[*ast.File]*fn
	all    []*fn
	defs   map[*types.Var][]def
	uses   map[*types.Var][]*ast.Ident
	// methods by name, for calls through interfaces.
	methods map[string][]*fn
	// nested are the functions by the declaration they are in (itself
	// first, then its literals).
	nested    map[*fn][]*fn
	reachable map[*fn]bool
	callers   map[*fn][]*callSite
	exits     map[*fn]bool // known answers of alwaysExits
	budget    int          // walkUp steps left for the current Lookup
	// mods are the directories of the dependency modules read from
	// source: positions in them are module@version/path.
	mods []modDir
}

type modDir struct{ dir, prefix string }

// depModules returns the directories of the modules other than the main
// ones that source packages come from, longest first (nested modules).
func depModules(prog *load.Program) []modDir {
	seen := map[string]bool{}
	var out []modDir
	for _, p := range prog.Source {
		m := p.Module
		if m == nil || m.Main || len(p.GoFiles) == 0 {
			continue
		}
		dir := m.Dir
		if dir == "" { // vendored: the package's directory less its path in the module
			rel, ok := strings.CutPrefix(p.PkgPath, m.Path)
			pkgDir := filepath.Dir(p.GoFiles[0])
			if !ok || !strings.HasSuffix(filepath.ToSlash(pkgDir), rel) {
				continue
			}
			dir = pkgDir[:len(pkgDir)-len(rel)]
		}
		dir = filepath.Clean(dir)
		if seen[dir] {
			continue
		}
		seen[dir] = true
		prefix := m.Path
		if m.Version != "" {
			prefix += "@" + m.Version
		}
		out = append(out, modDir{dir: dir, prefix: prefix})
	}
	sort.Slice(out, func(i, j int) bool { return len(out[i].dir) > len(out[j].dir) })
	return out
}

func newAnalyzer(prog *load.Program, base string) *analyzer {
	a := &analyzer{
		fset:    prog.Fset,
		base:    base,
		parent:  map[ast.Node]ast.Node{},
		funcs:   map[*types.Func]*fn{},
		lits:    map[*ast.FuncLit]*fn{},
		decls:   map[*ast.FuncDecl]*fn{},
		inits:   map[*ast.File]*fn{},
		defs:    map[*types.Var][]def{},
		uses:    map[*types.Var][]*ast.Ident{},
		methods: map[string][]*fn{},
		nested:  map[*fn][]*fn{},
		callers: map[*fn][]*callSite{},
		exits:   map[*fn]bool{},
		mods:    depModules(prog),
	}
	for _, p := range prog.Source {
		if p.TypesInfo == nil {
			continue
		}
		init := &fn{pkg: p, name: p.PkgPath + ".init"}
		init.top = init
		a.all = append(a.all, init)
		for _, file := range p.Syntax {
			a.inits[file] = init
			a.indexFile(p, file, init)
		}
	}
	for _, f := range a.all {
		a.nested[f.top] = append(a.nested[f.top], f)
	}
	return a
}

func (a *analyzer) indexFile(p *packages.Package, file *ast.File, init *fn) {
	info := p.TypesInfo
	var stack []ast.Node
	var fnStack []*fn
	cur := func() *fn {
		if len(fnStack) == 0 {
			return init
		}
		return fnStack[len(fnStack)-1]
	}
	ast.Inspect(file, func(n ast.Node) bool {
		if n == nil {
			top := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			switch top.(type) {
			case *ast.FuncDecl, *ast.FuncLit:
				fnStack = fnStack[:len(fnStack)-1]
			}
			return true
		}
		if len(stack) > 0 {
			a.parent[n] = stack[len(stack)-1]
		}
		stack = append(stack, n)
		switch n := n.(type) {
		case *ast.FuncDecl:
			obj, _ := info.Defs[n.Name].(*types.Func)
			f := &fn{obj: obj, decl: n, pkg: p, name: n.Name.Name}
			if obj != nil {
				f.sig = obj.Signature()
				f.name = funcName(obj)
				a.funcs[obj] = f
				if f.sig.Recv() != nil {
					a.methods[obj.Name()] = append(a.methods[obj.Name()], f)
				}
			}
			f.top = f
			a.decls[n] = f
			a.all = append(a.all, f)
			fnStack = append(fnStack, f)
		case *ast.FuncLit:
			outer := cur()
			f := &fn{lit: n, pkg: p, top: outer.top, name: outer.name + ".func"}
			f.sig, _ = info.TypeOf(n).(*types.Signature)
			a.lits[n] = f
			a.all = append(a.all, f)
			fnStack = append(fnStack, f)
		case *ast.GenDecl:
			if len(fnStack) == 0 && n.Tok == token.VAR {
				for _, s := range n.Specs {
					init.varInits = append(init.varInits, s.(*ast.ValueSpec))
				}
			}
		case *ast.Ident:
			if v, ok := info.Uses[n].(*types.Var); ok {
				a.uses[v] = append(a.uses[v], n)
			}
		case *ast.AssignStmt:
			a.indexAssign(info, n.Lhs, n.Rhs, n.Tok, cur(), n.Pos())
		case *ast.ValueSpec:
			lhs, rhs, at := assigned(n)
			a.indexAssign(info, lhs, rhs, token.DEFINE, cur(), at)
		case *ast.RangeStmt:
			if n.Value != nil {
				if v := identVar(info, n.Value); v != nil {
					a.defs[v] = append(a.defs[v], def{tuple: -1, rng: n.X, fn: cur(), at: n.Pos()})
				}
			}
			if n.Key != nil {
				if v := identVar(info, n.Key); v != nil {
					a.defs[v] = append(a.defs[v], def{tuple: -1, fn: cur(), at: n.Pos()})
				}
			}
		case *ast.IncDecStmt:
			if v := identVar(info, n.X); v != nil {
				a.defs[v] = append(a.defs[v], def{tuple: -1, fn: cur(), at: n.Pos()})
			}
		case *ast.UnaryExpr:
			if n.Op == token.AND {
				if v := identVar(info, n.X); v != nil { // address taken: anything may be stored
					a.defs[v] = append(a.defs[v], def{tuple: -1, fn: cur(), at: token.NoPos})
				}
			}
		}
		return true
	})
}

func (a *analyzer) indexAssign(info *types.Info, lhs, rhs []ast.Expr, tok token.Token, f *fn, at token.Pos) {
	for i, l := range lhs {
		v := identVar(info, l)
		if v == nil {
			continue
		}
		switch {
		case tok != token.DEFINE && tok != token.ASSIGN:
			a.defs[v] = append(a.defs[v], def{tuple: -1, fn: f, at: at})
		case len(lhs) == len(rhs):
			a.defs[v] = append(a.defs[v], def{rhs: rhs[i], tuple: -1, fn: f, at: at})
		case len(rhs) == 1:
			a.defs[v] = append(a.defs[v], def{rhs: rhs[0], tuple: i, fn: f, at: at})
		}
	}
}

// assigned returns the sides of an assignment or of a var spec (nil for
// any other node) and its position.
func assigned(n ast.Node) (lhs, rhs []ast.Expr, at token.Pos) {
	switch n := n.(type) {
	case *ast.AssignStmt:
		return n.Lhs, n.Rhs, n.Pos()
	case *ast.ValueSpec:
		for _, id := range n.Names {
			lhs = append(lhs, id)
		}
		return lhs, n.Values, n.Pos()
	}
	return nil, nil, token.NoPos
}

func identVar(info *types.Info, e ast.Expr) *types.Var {
	id, ok := ast.Unparen(e).(*ast.Ident)
	if !ok || id.Name == "_" {
		return nil
	}
	if v, ok := info.Defs[id].(*types.Var); ok {
		return v
	}
	v, _ := info.Uses[id].(*types.Var)
	return v
}

func funcName(f *types.Func) string {
	name := f.Name()
	if recv := f.Signature().Recv(); recv != nil {
		t := types.Unalias(recv.Type())
		ptr := ""
		if p, ok := t.(*types.Pointer); ok {
			t, ptr = types.Unalias(p.Elem()), "*"
		}
		if n, ok := t.(*types.Named); ok {
			name = "(" + ptr + n.Obj().Name() + ")." + name
		}
	}
	if f.Pkg() != nil {
		name = f.Pkg().Name() + "." + name
	}
	return name
}

// enclosing returns the function whose own body holds n.
func (a *analyzer) enclosing(n ast.Node) *fn {
	for p := n; p != nil; p = a.parent[p] {
		switch p := p.(type) {
		case *ast.FuncLit:
			if p != n {
				return a.lits[p]
			}
		case *ast.FuncDecl:
			return a.decls[p]
		case *ast.File:
			return a.inits[p]
		}
	}
	return nil
}

// walkOwn calls visit for every node of f's own body, not descending into
// function literals (they are functions of their own).
func walkOwn(f *fn, visit func(ast.Node) bool) {
	for _, r := range f.roots() {
		ast.Inspect(r, func(n ast.Node) bool {
			if _, ok := n.(*ast.FuncLit); ok && n != r {
				return false
			}
			if n == nil {
				return true
			}
			return visit(n)
		})
	}
}

// eachCall calls visit with every call in the code the hosts reach.
func (a *analyzer) eachCall(visit func(f *fn, call *ast.CallExpr)) {
	for _, f := range a.all {
		if a.reachable[f] {
			walkOwn(f, func(n ast.Node) bool {
				if call, ok := n.(*ast.CallExpr); ok {
					visit(f, call)
				}
				return true
			})
		}
	}
}

// callee returns the function with syntax that call calls statically,
// if any: a declared function or method, a function literal called in
// place, or a local variable assigned a function literal exactly once.
func (a *analyzer) callee(info *types.Info, call *ast.CallExpr) *fn {
	var id *ast.Ident
	switch fun := ast.Unparen(call.Fun).(type) {
	case *ast.FuncLit:
		return a.lits[fun]
	case *ast.Ident:
		id = fun
	case *ast.SelectorExpr:
		if _, isSel := info.Selections[fun]; !isSel {
			id = fun.Sel // a qualified identifier: pkg.Var
		}
	}
	if id != nil {
		if v, ok := info.Uses[id].(*types.Var); ok {
			// A variable assigned exactly once (a local, or a package-
			// level variable such as var opener = defaultOpener): a
			// function literal or a declared function.
			ds := a.defs[v]
			if len(ds) == 1 && ds[0].tuple < 0 && ds[0].rhs != nil {
				switch rhs := ast.Unparen(ds[0].rhs).(type) {
				case *ast.FuncLit:
					return a.lits[rhs]
				case *ast.Ident, *ast.SelectorExpr:
					fid, _ := rhs.(*ast.Ident)
					if sel, ok := rhs.(*ast.SelectorExpr); ok {
						fid = sel.Sel
					}
					if g, ok := ds[0].fn.info().Uses[fid].(*types.Func); ok && g.Signature().Recv() == nil {
						return a.funcs[g.Origin()]
					}
				}
			}
			return nil
		}
	}
	if f := typeutil.StaticCallee(info, call); f != nil {
		return a.funcs[f.Origin()]
	}
	return nil
}

// buildCallGraph computes what the root functions reach (through calls,
// function values and interface method calls, conservatively) and the
// reachable call sites of every function.
func (a *analyzer) buildCallGraph(roots []*fn) {
	a.reachable = map[*fn]bool{}
	var queue []*fn
	add := func(f *fn) {
		if f != nil && !a.reachable[f] {
			a.reachable[f] = true
			queue = append(queue, f)
		}
	}
	for _, r := range roots {
		add(r)
	}
	implCache := map[[2]any]bool{}
	for len(queue) > 0 {
		f := queue[0]
		queue = queue[1:]
		for _, l := range a.nested[f] { // literals are reached with their declaration
			add(l)
		}
		if f.lit != nil {
			continue // the declaration's walk covers it
		}
		info := f.info()
		for _, r := range f.roots() {
			ast.Inspect(r, func(n ast.Node) bool {
				id, ok := n.(*ast.Ident)
				if !ok {
					return true
				}
				obj, ok := info.Uses[id].(*types.Func)
				if !ok {
					return true
				}
				obj = obj.Origin()
				if g := a.funcs[obj]; g != nil {
					add(g)
					return true
				}
				// An interface method: every source method of that name
				// whose receiver implements the interface.
				recv := obj.Signature().Recv()
				if recv == nil {
					return true
				}
				iface, ok := recv.Type().Underlying().(*types.Interface)
				if !ok {
					return true
				}
				for _, m := range a.methods[obj.Name()] {
					rt := m.sig.Recv().Type()
					key := [2]any{rt, iface}
					ok, done := implCache[key]
					if !done {
						ok = types.Implements(rt, iface)
						if !ok {
							if _, isPtr := rt.(*types.Pointer); !isPtr {
								ok = types.Implements(types.NewPointer(rt), iface)
							}
						}
						implCache[key] = ok
					}
					if ok {
						add(m)
					}
				}
				return true
			})
		}
	}
	// Call sites within reachable code, in source order.
	var fs []*fn
	for f := range a.reachable {
		fs = append(fs, f)
	}
	sort.Slice(fs, func(i, j int) bool { return a.fnPos(fs[i]) < a.fnPos(fs[j]) })
	for _, f := range fs {
		info := f.info()
		walkOwn(f, func(n ast.Node) bool {
			if call, ok := n.(*ast.CallExpr); ok {
				if g := a.callee(info, call); g != nil {
					a.callers[g] = append(a.callers[g], &callSite{call: call, caller: f, callee: g})
				}
			}
			return true
		})
	}
}

func (a *analyzer) fnPos(f *fn) string {
	var pos token.Pos
	switch {
	case f.decl != nil:
		pos = f.decl.Pos()
	case f.lit != nil:
		pos = f.lit.Pos()
	default:
		return f.pkg.PkgPath
	}
	p := a.fset.Position(pos)
	return fmt.Sprintf("%s:%010d:%010d", p.Filename, p.Line, p.Column)
}

// rootFuncs are where execution starts: for a package main, main, init
// functions and variable initializers; for any other root package (a
// library named as a host), every function of it. Init functions and
// variable initializers of every source package run too.
func (a *analyzer) rootFuncs(prog *load.Program) []*fn {
	isRoot := map[*packages.Package]bool{}
	for _, p := range prog.SourceRoots() {
		isRoot[p] = true
	}
	var out []*fn
	for _, f := range a.all {
		if f.lit != nil {
			continue
		}
		switch {
		case f.decl == nil: // package initializer
			out = append(out, f)
		case f.decl.Recv == nil && f.decl.Name.Name == "init":
			out = append(out, f)
		case isRoot[f.pkg] && f.pkg.Name == "main":
			if f.decl.Recv == nil && f.decl.Name.Name == "main" {
				out = append(out, f)
			}
		case isRoot[f.pkg]:
			out = append(out, f)
		}
	}
	return out
}

// alwaysExits reports whether calling f never returns normally: its body
// ends in a call to a function that exits or panics.
func (a *analyzer) alwaysExits(f *fn) bool {
	if exits, known := a.exits[f]; known {
		return exits
	}
	a.exits[f] = false // recursion: assume not
	b := f.body()
	a.exits[f] = b != nil && len(b.List) > 0 && a.isExitStmt(f, b.List[len(b.List)-1])
	return a.exits[f]
}

var exitFuncs = map[string]bool{
	"os.Exit": true, "runtime.Goexit": true,
	"log.Fatal": true, "log.Fatalf": true, "log.Fatalln": true,
	"log.Panic": true, "log.Panicf": true, "log.Panicln": true,
	"(*log.Logger).Fatal": true, "(*log.Logger).Fatalf": true, "(*log.Logger).Fatalln": true,
	"(*log.Logger).Panic": true, "(*log.Logger).Panicf": true, "(*log.Logger).Panicln": true,
	"(*testing.common).Fatal": true, "(*testing.common).Fatalf": true, "(*testing.common).FailNow": true,
	"(*testing.common).Skip": true, "(*testing.common).Skipf": true, "(*testing.common).SkipNow": true,
	"(testing.TB).Fatal": true, "(testing.TB).Fatalf": true, "(testing.TB).FailNow": true,
}

// isExitStmt reports whether s is a call that does not return: panic,
// os.Exit, log.Fatal and the like, or a source function that always
// ends in one.
func (a *analyzer) isExitStmt(f *fn, s ast.Stmt) bool {
	es, ok := s.(*ast.ExprStmt)
	if !ok {
		return false
	}
	call, ok := ast.Unparen(es.X).(*ast.CallExpr)
	if !ok {
		return false
	}
	info := f.info()
	if id, ok := ast.Unparen(call.Fun).(*ast.Ident); ok {
		if b, ok := info.Uses[id].(*types.Builtin); ok && b.Name() == "panic" {
			return true
		}
	}
	if c := typeutil.Callee(info, call); c != nil {
		if fc, ok := c.(*types.Func); ok && exitFuncs[fc.FullName()] {
			return true
		}
	}
	if g := a.callee(info, call); g != nil && g != f {
		return a.alwaysExits(g)
	}
	return false
}

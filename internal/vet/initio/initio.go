// Package initio defines the initio analyzer: a plugin's package
// initialization (its init functions and package-level variable
// initializers, and those of the packages only it imports) runs inside
// the host's plugin.Open, and must not do I/O, exit, block, panic or call
// back into the host.
package initio

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"reflect"
	"slices"
	"sort"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/types/typeutil"

	"github.com/pluginctl/pluginctl/internal/vet/internal/common"
)

const doc = `check what a plugin's package initialization does

A plugin's init functions and package-level variable initializers run
synchronously inside the host's plugin.Open. The analyzer reports, with
the call path, those that

  - do I/O: files, network, processes, database/sql, system calls,
    opening other plugins;
  - exit the process (os.Exit, log.Fatal, C.abort, ...), panic
    unconditionally, loop forever or sleep;
  - call back into the host: a method of <api>.Host, or a Register*
    function of a package the host shares;
  - call C functions (a warning).

It follows calls into functions of the same package and, through facts,
into functions of other non-standard packages; an imported package whose
own initialization does any of this is reported at the import, because
its init also runs inside plugin.Open unless the host links it too (the
pluginctl vet runner drops those it can prove the host links).`

// NewAnalyzer returns an initio analyzer for the project cfg describes.
func NewAnalyzer(cfg *common.Config) *analysis.Analyzer {
	a := &analysis.Analyzer{
		Name:       "initio",
		Doc:        doc,
		FactTypes:  []analysis.Fact{new(FuncFact), new(InitFact)},
		ResultType: reflect.TypeOf((*Result)(nil)),
	}
	a.Run = func(pass *analysis.Pass) (any, error) { return run(pass, cfg), nil }
	return a
}

// Effect kinds; each is the category of the diagnostics reporting it.
const (
	kindIO       = "io"
	kindExit     = "exit"
	kindPanic    = "panic"
	kindBlock    = "block"
	kindHost     = "host"
	kindRegister = "register"
	kindCgo      = "cgo"
)

// Effect is one thing a function call or a package initialization does.
type Effect struct {
	Kind string // a kind* constant
	What string // a verb phrase: "does file I/O", "exits the process"
	// Pkg is the package whose code makes the offending call; Pos is
	// that call, as "file.go:line".
	Pkg, Pos string
	// Path is the call path down to the offending call: ["init",
	// "loadConfig", "os.ReadFile"].
	Path []string
	// Target is the package registered with, for kindRegister.
	Target string
	// Init is the package whose initialization has the effect, and Via
	// the import chain from the package holding the fact to Init
	// (excluding that package, ending with Init; empty for its own
	// effects). Package facts only.
	Init string
	Via  []string
}

// FuncFact records the effects of calling a function.
type FuncFact struct{ Effects []Effect }

// InitFact records the effects of initializing a package: its own
// init functions and variable initializers, and those of the
// non-standard packages it imports.
type InitFact struct{ Effects []Effect }

func (*FuncFact) AFact() {}
func (*InitFact) AFact() {}

func (f *FuncFact) String() string { return "calls: " + summary(f.Effects) }
func (f *InitFact) String() string { return "init: " + summary(f.Effects) }

func summary(effs []Effect) string {
	var s []string
	for _, e := range effs {
		s = append(s, e.What+" via "+strings.Join(e.Path, " → "))
	}
	return strings.Join(s, "; ")
}

// Result tells the runner, for each diagnostic that depends on what the
// host links, which package that is.
type Result struct {
	Findings []Finding
}

// Finding links one diagnostic (by position and message) to packages.
type Finding struct {
	Pos     token.Pos
	Message string
	// Init is set for a finding at an import: the package whose
	// initialization has the effect. If the host links it, it was
	// initialized in the host, not in plugin.Open.
	Init string
	// Target is set for a registration: the package registered with. If
	// the host does not link it, the registry is private to the plugin.
	Target string
}

// Limits keep facts small.
const (
	maxFuncEffects = 4
	maxInitEffects = 8
)

type state struct {
	pass     *analysis.Pass
	hostType types.Type
	decls    map[*types.Func]*ast.FuncDecl
	memo     map[*types.Func][]Effect
	busy     map[*types.Func]bool
}

// located is an effect of a call made directly in the code walked.
type located struct {
	Effect
	call *ast.CallExpr
}

func run(pass *analysis.Pass, cfg *common.Config) *Result {
	res := &Result{}
	if common.IsStd(pass) {
		return res
	}
	// Nothing imports a package main: it needs no facts.
	facts := pass.Pkg.Name() != "main"
	s := &state{pass: pass, decls: map[*types.Func]*ast.FuncDecl{}, memo: map[*types.Func][]Effect{}, busy: map[*types.Func]bool{}}
	apiName := cfg.API
	if apiPkg := common.FindAPI(pass.Pkg, cfg.API); apiPkg != nil {
		apiName = apiPkg.Name()
		if tn, ok := apiPkg.Scope().Lookup("Host").(*types.TypeName); ok {
			s.hostType = tn.Type()
		}
	}
	for _, f := range pass.Files {
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok {
				if fn, ok := pass.TypesInfo.Defs[fd.Name].(*types.Func); ok {
					s.decls[fn] = fd
				}
			}
		}
	}

	// Function facts, for importers.
	for fn := range s.decls {
		if fn.Name() == "init" && fn.Signature().Recv() == nil {
			continue // not callable
		}
		if effs := s.funcEffects(fn); len(effs) > 0 && facts {
			pass.ExportObjectFact(fn, &FuncFact{Effects: effs})
		}
	}

	// This package's own initialization.
	own := s.initEffects()

	// The package fact: own effects, then those of imported packages.
	var fact []Effect
	seen := map[string]bool{}
	add := func(e Effect) {
		k := e.Init + "\x00" + e.Kind + "\x00" + e.What
		if !seen[k] && len(fact) < maxInitEffects {
			seen[k] = true
			fact = append(fact, e)
		}
	}
	for _, l := range own {
		e := l.Effect
		e.Init = pass.Pkg.Path()
		add(e)
	}
	imports := slices.Clone(pass.Pkg.Imports()) // never sort the package's own slice
	sort.Slice(imports, func(i, j int) bool { return imports[i].Path() < imports[j].Path() })
	for _, imp := range imports {
		var f InitFact
		if pass.ImportPackageFact(imp, &f) {
			for _, e := range f.Effects {
				e.Via = append([]string{imp.Path()}, e.Via...)
				add(e)
			}
		}
	}
	if len(fact) > 0 && facts {
		pass.ExportPackageFact(&InitFact{Effects: fact})
	}

	if !cfg.IsPlugin(pass) {
		return res
	}
	for _, l := range own {
		s.reportOwn(res, l, apiName)
	}
	s.reportImports(res, apiName)
	return res
}

// initEffects returns the effects of the package's init functions and
// variable initializers, each with the call that starts it.
func (s *state) initEffects() []located {
	var out []located
	for _, f := range s.pass.Files {
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv != nil || d.Name.Name != "init" || d.Body == nil {
					continue
				}
				for _, l := range s.walk(d.Body) {
					l.Path = append([]string{"init"}, l.Path...)
					out = append(out, l)
				}
				out = append(out, s.topLevel(d.Body)...)
			case *ast.GenDecl:
				if d.Tok != token.VAR {
					continue
				}
				for _, spec := range d.Specs {
					vs := spec.(*ast.ValueSpec)
					var names []string
					for _, n := range vs.Names {
						names = append(names, n.Name)
					}
					for _, v := range vs.Values {
						for _, l := range s.walk(v) {
							l.Path = append([]string{"var " + strings.Join(names, ", ")}, l.Path...)
							out = append(out, l)
						}
					}
				}
			}
		}
	}
	return out
}

// topLevel finds, among the statements of an init function itself, an
// unconditional panic, an endless loop and an empty select.
func (s *state) topLevel(body *ast.BlockStmt) []located {
	var out []located
	here := func(n ast.Node, kind, what, name string) {
		out = append(out, located{
			Effect: Effect{Kind: kind, What: what, Pkg: s.pass.Pkg.Path(), Pos: common.ShortPos(s.pass.Fset, n.Pos()), Path: []string{"init", name}},
			call:   &ast.CallExpr{Fun: &ast.Ident{NamePos: n.Pos(), Name: name}, Lparen: n.Pos(), Rparen: n.Pos()},
		})
	}
	for _, st := range body.List {
		switch st := st.(type) {
		case *ast.ExprStmt:
			if call, ok := st.X.(*ast.CallExpr); ok {
				if b, ok := typeutil.Callee(s.pass.TypesInfo, call).(*types.Builtin); ok && b.Name() == "panic" {
					out = append(out, located{
						Effect: Effect{Kind: kindPanic, What: "panics", Pkg: s.pass.Pkg.Path(), Pos: common.ShortPos(s.pass.Fset, call.Pos()), Path: []string{"init", "panic"}},
						call:   call,
					})
				}
			}
		case *ast.ForStmt:
			if st.Cond == nil && !escapes(st.Body) {
				here(st, kindBlock, "loops forever", "for {}")
			}
		case *ast.SelectStmt:
			if len(st.Body.List) == 0 {
				here(st, kindBlock, "blocks forever", "select {}")
			}
		}
	}
	return out
}

// escapes reports whether a loop body can leave the loop: a return, a
// labeled break or goto, or a break that is not inside a nested
// breakable statement.
func escapes(body *ast.BlockStmt) bool {
	found := false
	var visit func(n ast.Node, depth int)
	visit = func(n ast.Node, depth int) {
		ast.Inspect(n, func(m ast.Node) bool {
			if found || m == nil {
				return false
			}
			switch m := m.(type) {
			case *ast.FuncLit:
				return false
			case *ast.ReturnStmt:
				found = true
			case *ast.BranchStmt:
				if m.Tok == token.GOTO || (m.Tok == token.BREAK && (m.Label != nil || depth == 0)) {
					found = true
				}
			case *ast.ForStmt, *ast.RangeStmt, *ast.SwitchStmt, *ast.TypeSwitchStmt, *ast.SelectStmt:
				if m != n {
					visit(m, depth+1)
					return false
				}
			}
			return true
		})
	}
	visit(body, 0)
	return found
}

// walk returns the effects of the calls made in n, not descending into
// function literals that are not called right there.
func (s *state) walk(n ast.Node) []located {
	var out []located
	ast.Inspect(n, func(m ast.Node) bool {
		switch m := m.(type) {
		case *ast.FuncLit:
			return false
		case *ast.CallExpr:
			for _, e := range s.callEffects(m) {
				out = append(out, located{Effect: e, call: m})
			}
			if lit, ok := ast.Unparen(m.Fun).(*ast.FuncLit); ok {
				out = append(out, s.walk(lit.Body)...)
			}
		}
		return true
	})
	return out
}

// funcEffects returns the effects of calling fn, a function of this
// package, with paths starting below fn.
func (s *state) funcEffects(fn *types.Func) []Effect {
	if e, ok := s.memo[fn]; ok {
		return e
	}
	if s.busy[fn] {
		return nil
	}
	decl := s.decls[fn]
	if decl == nil || decl.Body == nil {
		return nil
	}
	s.busy[fn] = true
	var out []Effect
	seen := map[string]bool{}
	for _, l := range s.walk(decl.Body) {
		k := l.Kind + "\x00" + l.What + "\x00" + l.Target
		if !seen[k] && len(out) < maxFuncEffects {
			seen[k] = true
			out = append(out, l.Effect)
		}
	}
	delete(s.busy, fn)
	s.memo[fn] = out
	return out
}

// callEffects returns the effects of one call, with paths starting with
// the callee.
func (s *state) callEffects(call *ast.CallExpr) []Effect {
	pkg := s.pass.Pkg
	pos := common.ShortPos(s.pass.Fset, call.Pos())
	fun := ast.Unparen(call.Fun)
	if name, ok := s.cgoName(fun); ok {
		kind, what := kindCgo, "calls C."+name
		switch name {
		case "abort", "exit", "_exit", "_Exit", "quick_exit", "raise", "kill":
			kind, what = kindExit, "calls C."+name+" (ends the process)"
		}
		return []Effect{{Kind: kind, What: what, Pkg: pkg.Path(), Pos: pos, Path: []string{"C." + name}}}
	}
	fn, ok := typeutil.Callee(s.pass.TypesInfo, call).(*types.Func)
	if !ok {
		return nil
	}
	fn = fn.Origin()
	sig := fn.Signature()
	if recv := sig.Recv(); recv != nil && types.IsInterface(recv.Type()) {
		if s.hostType != nil && types.Identical(recv.Type(), s.hostType) {
			name := "Host." + fn.Name()
			return []Effect{{Kind: kindHost, What: "calls back into the host (" + name + ")", Pkg: pkg.Path(), Pos: pos, Path: []string{name}}}
		}
		return nil
	}
	name := display(fn, pkg)
	if fn.Pkg() == pkg {
		return prefix(name, s.funcEffects(fn))
	}
	if sk, ok := lookupSink(fn); ok {
		return []Effect{{Kind: sk.kind, What: sk.what, Pkg: pkg.Path(), Pos: pos, Path: []string{name}}}
	}
	if fn.Pkg() != nil && isRegister(fn.Name()) && sameWorld(fn.Pkg().Path(), pkg.Path()) {
		return []Effect{{Kind: kindRegister, What: "registers with " + fn.Pkg().Path(), Pkg: pkg.Path(), Pos: pos, Path: []string{name}, Target: fn.Pkg().Path()}}
	}
	var f FuncFact
	if s.pass.ImportObjectFact(fn, &f) {
		return prefix(name, f.Effects)
	}
	return nil
}

func prefix(name string, effs []Effect) []Effect {
	out := make([]Effect, len(effs))
	for i, e := range effs {
		e.Path = append([]string{name}, e.Path...)
		out[i] = e
	}
	return out
}

// display names fn for a call path: "load", "T.load", "cfg.Load".
func display(fn *types.Func, from *types.Package) string {
	name := fn.Name()
	if r := recvName(fn); r != "" {
		name = r + "." + name
	}
	if fn.Pkg() != nil && fn.Pkg() != from {
		name = fn.Pkg().Name() + "." + name
	}
	return name
}

// recvName is the name of the type fn is a method of (T of func (*T)
// M), "" for a function or a method of an unnamed type.
func recvName(fn *types.Func) string {
	recv := fn.Signature().Recv()
	if recv == nil {
		return ""
	}
	t := recv.Type()
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	if n, ok := t.(*types.Named); ok {
		return n.Obj().Name()
	}
	return ""
}

// cgoName recognizes a call of a C function: C.f in source, or
// _Cfunc_f in cgo-processed files (as go vet sees them).
func (s *state) cgoName(fun ast.Expr) (string, bool) {
	switch f := fun.(type) {
	case *ast.SelectorExpr:
		if id, ok := f.X.(*ast.Ident); ok {
			if pn, ok := s.pass.TypesInfo.Uses[id].(*types.PkgName); ok && pn.Imported().Path() == "C" {
				return f.Sel.Name, true
			}
		}
	case *ast.Ident:
		if n, ok := strings.CutPrefix(f.Name, "_Cfunc_"); ok {
			return n, true
		}
	}
	return "", false
}

func isRegister(name string) bool {
	return strings.HasPrefix(name, "Register") || strings.HasPrefix(name, "MustRegister")
}

// sameWorld reports whether a registration target is a package the host
// could own: not the standard library (gob.Register, expvar.Publish and
// friends are private to the process' packages).
func sameWorld(target, from string) bool {
	t, _, _ := strings.Cut(target, "/")
	f, _, _ := strings.Cut(from, "/")
	return strings.Contains(t, ".") || t == f
}

// messages per kind: the consequence, and the fix.
func consequence(kind string) string {
	switch kind {
	case kindIO:
		return "package initialization runs inside the host's plugin.Open and ties loading to outside state"
	case kindExit:
		return "it ends the host inside plugin.Open"
	case kindPanic:
		return "a panic during plugin.Open kills the host"
	case kindBlock:
		return "plugin.Open waits for it"
	case kindHost, kindRegister:
		return "the host has not returned from plugin.Open yet"
	case kindCgo:
		return "a crash in C during plugin.Open kills the host"
	}
	return "it runs inside plugin.Open"
}

func advice(kind, api string) string {
	initDecl := "Init(host " + api + ".Host) error"
	switch kind {
	case kindIO:
		return "move it into " + initDecl + ", which the host calls after Open"
	case kindExit, kindPanic:
		return "return an error from " + initDecl + " instead: the host then skips the plugin"
	case kindBlock:
		return "do not block in package initialization; start the work from Init or New"
	case kindHost, kindRegister:
		return "register from " + initDecl + ", through the Host the host passes to it"
	case kindCgo:
		return "call C from Init or from the plugin's methods, not during package initialization"
	}
	return "move it into " + initDecl
}

func (s *state) reportOwn(res *Result, l located, api string) {
	subject := "init"
	if strings.HasPrefix(l.Path[0], "var ") {
		subject = "the initializer of " + strings.TrimPrefix(l.Path[0], "var ")
	}
	msg := fmt.Sprintf("%s %s (%s at %s): %s", subject, l.What, strings.Join(l.Path, " → "), l.Pos, consequence(l.Kind))
	common.Report(s.pass, l.call.Pos(), l.call.End(), l.Kind, msg, advice(l.Kind, api), nil)
	if l.Kind == kindRegister {
		res.Findings = append(res.Findings, Finding{Pos: l.call.Pos(), Message: msg, Target: l.Target})
	}
}

// reportImports reports, at the import declarations of a plugin, the
// packages whose initialization has effects. Each package is reported
// once, preferably at its own import.
func (s *state) reportImports(res *Result, api string) {
	type at struct {
		spec *ast.ImportSpec
		effs []Effect
	}
	byInit := map[string]*at{}
	var order []string
	for _, f := range s.pass.Files {
		for _, spec := range f.Imports {
			pn := s.pass.TypesInfo.PkgNameOf(spec)
			if pn == nil {
				continue
			}
			var fact InitFact
			if !s.pass.ImportPackageFact(pn.Imported(), &fact) {
				continue
			}
			for _, e := range fact.Effects {
				e.Via = append([]string{pn.Imported().Path()}, e.Via...)
				cur := byInit[e.Init]
				switch {
				case cur == nil:
					byInit[e.Init] = &at{spec: spec, effs: []Effect{e}}
					order = append(order, e.Init)
				case cur.spec == spec || len(e.Via) < len(cur.effs[0].Via):
					if cur.spec != spec {
						cur.spec, cur.effs = spec, nil
					}
					cur.effs = append(cur.effs, e)
				}
			}
		}
	}
	for _, init := range order {
		a := byInit[init]
		for _, e := range a.effs {
			chain := "imports " + e.Via[0]
			for _, v := range e.Via[1:] {
				chain += ", which imports " + v
			}
			path := strings.Join(e.Path, " → ")
			msg := fmt.Sprintf("%s, whose initialization %s (%s at %s): it runs inside the host's plugin.Open unless the host links %s too",
				chain, e.What, path, e.Pos, init)
			fix := fmt.Sprintf("move the work out of the initialization of %s (into a function the plugin calls from Init(host %s.Host) error)", init, api)
			common.Report(s.pass, a.spec.Pos(), a.spec.End(), e.Kind, msg, fix, nil)
			res.Findings = append(res.Findings, Finding{Pos: a.spec.Pos(), Message: msg, Init: init, Target: e.Target})
		}
	}
}

// The flow analysis of a looked-up symbol: where its value and its error
// go (assignments, returns, arguments, comparisons, type switches) and what
// the host does when the symbol is missing. It is one algorithm over one
// set of mutually recursive functions (fromExpr, cond, block, ...); it is
// kept in one file, past the usual size, so that its invariants read
// together.

package infer

import (
	"fmt"
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"slices"
	"strings"

	"github.com/pluginctl/pluginctl/internal/contract"
)

// A flow follows the two results of one Lookup (in one calling context):
// the symbol, to the type assertions applied to it, and the error, to
// what the code does when the symbol is missing.

// verdict collects what the "not found" paths do.
type verdict struct{ required, tolerated bool }

func (v *verdict) seen() bool { return v.required || v.tolerated }

// fk is what a flow follows: the symbol, or an error whose non-nil value
// means "not found" (or "not the right type", for okV), recording into v.
type fk struct {
	sym bool
	v   *verdict
}

type assertion struct {
	typ string
	pos token.Pos
	// iface is the method set of a named interface typ, as a literal.
	iface string
	// optional: a comma-ok assertion whose failure the host tolerates
	// (an optional extension when another assertion is required and it
	// is not on that one's failure path).
	optional bool
	// failure are the source ranges of the assertion's failure paths.
	failure [][2]token.Pos
}

// onFailurePath reports whether the assertion b is made on the failure
// path of a: an alternative tried when a fails, not an extension.
func (a assertion) onFailurePath(b assertion) bool {
	for _, r := range a.failure {
		if r[0] <= b.pos && b.pos < r[1] {
			return true
		}
	}
	return false
}

type flow struct {
	a        *analyzer
	errV     verdict // from Lookup's error
	okV      verdict // from failed comma-ok, nil checks, type switch defaults, plain assertions
	asserts  []assertion
	values   []valueSite           // constants the asserted value is compared with
	problems []contract.Unresolved // assertions whose type is not known
	seen     map[string]bool
	// nameHelpers are the calls that passed the symbol name down to the
	// Lookup: a helper parameterised by the name leaves the verdict on a
	// missing symbol to its caller.
	nameHelpers []*callSite
	steps       int
	// paths are the source ranges of the statement lists judged as
	// "not found" paths, in order (see block).
	paths [][2]token.Pos
}

// maxFlowSteps bounds the work on one flow (recursive helpers, huge
// call graphs): what is found until then is kept.
const maxFlowSteps = 20000

func (a *analyzer) newFlow() *flow { return &flow{a: a, seen: map[string]bool{}} }

// required is the flow's verdict: the error's handling when there is
// any, else the assertion's, else required.
func (fl *flow) required() bool {
	if fl.errV.seen() {
		return fl.errV.required
	}
	if fl.okV.seen() {
		return fl.okV.required
	}
	return true
}

func (fl *flow) once(parts ...any) bool {
	if fl.steps++; fl.steps > maxFlowSteps {
		return false
	}
	var b strings.Builder
	for _, p := range parts {
		switch p := p.(type) {
		case []*callSite:
			for _, cs := range p {
				fmt.Fprintf(&b, "%p,", cs.call)
			}
		default:
			fmt.Fprintf(&b, "%p|", p)
		}
		b.WriteByte(';')
	}
	k := b.String()
	if fl.seen[k] {
		return false
	}
	fl.seen[k] = true
	return true
}

func (a *analyzer) parentOf(n ast.Node) ast.Node {
	p := a.parent[n]
	for {
		pe, ok := p.(*ast.ParenExpr)
		if !ok {
			return p
		}
		n, p = pe, a.parent[pe]
	}
}

// childOf returns the child of p on the way to n (n itself, or the
// outermost parenthesis around it).
func (a *analyzer) childOf(n ast.Node) ast.Expr {
	e, _ := n.(ast.Expr)
	for {
		pe, ok := a.parent[e].(*ast.ParenExpr)
		if !ok {
			return e
		}
		e = pe
	}
}

// fromResult follows result idx of call (in f).
func (fl *flow) fromResult(f *fn, call *ast.CallExpr, idx int, stack []*callSite, k fk) {
	if !fl.once("result", call, idx, k.sym, k.v, stack) {
		return
	}
	nres := 1
	if t, ok := f.info().TypeOf(call).(*types.Tuple); ok {
		nres = t.Len()
	}
	parent := fl.a.parentOf(call)
	if lhs, rhs, at := assigned(parent); len(rhs) == 1 && len(lhs) == nres && nres > 1 {
		fl.toLHS(f, lhs[idx], at, stack, k)
		return
	}
	if p, ok := parent.(*ast.ReturnStmt); ok && len(p.Results) == 1 && nres > 1 {
		fl.fromReturn(f, idx, stack, k)
		return
	}
	if nres == 1 && idx == 0 {
		fl.fromExpr(f, call, stack, k)
	}
}

func (fl *flow) toLHS(f *fn, lhs ast.Expr, at token.Pos, stack []*callSite, k fk) {
	v := identVar(f.info(), lhs)
	if v == nil {
		return // blank, a field, an element: not followed
	}
	fl.fromVar(v, at, stack, k)
}

// fromVar follows the value assigned to v at position at (NoPos: a
// parameter): its uses after at and before v's next assignment, in
// source order.
func (fl *flow) fromVar(v *types.Var, at token.Pos, stack []*callSite, k fk) {
	if !fl.once("var", v, at, k.sym, k.v, stack) {
		return
	}
	for _, id := range fl.a.usesAfter(v, at) {
		if g := fl.a.enclosing(id); g != nil {
			fl.fromExpr(g, id, stack, k)
		}
	}
}

// usesAfter returns the uses of v that may see the value assigned at
// position at: for a local variable, the uses after at and before the
// next assignment in source order (an approximation of control flow that
// holds for straight-line code, as lookups usually are); for a
// package-level variable, all.
func (a *analyzer) usesAfter(v *types.Var, at token.Pos) []*ast.Ident {
	if v.Pkg() == nil || v.Parent() == nil || v.Parent() == v.Pkg().Scope() {
		return a.uses[v]
	}
	end := token.NoPos
	for _, d := range a.defs[v] {
		if d.at.IsValid() && d.at > at && (end == token.NoPos || d.at < end) {
			end = d.at
		}
	}
	var out []*ast.Ident
	for _, id := range a.uses[v] {
		if id.Pos() < at || end.IsValid() && id.Pos() >= end {
			continue
		}
		out = append(out, id)
	}
	return out
}

// fromReturn follows result idx of f to its caller: the one on the
// stack, else every reachable caller.
func (fl *flow) fromReturn(f *fn, idx int, stack []*callSite, k fk) {
	if !fl.once("return", f, idx, k.sym, k.v, stack) {
		return
	}
	if len(stack) > 0 && stack[0].callee == f {
		cs := stack[0]
		fl.fromResult(cs.caller, cs.call, idx, stack[1:], k)
		return
	}
	callers := fl.a.callers[f]
	if len(callers) == 0 && !k.sym {
		k.v.required = true // the error goes to code pluginctl does not see
	}
	for _, cs := range callers {
		fl.fromResult(cs.caller, cs.call, idx, stack, k)
	}
}

// fromExpr follows the value of the expression e (in f).
func (fl *flow) fromExpr(f *fn, e ast.Expr, stack []*callSite, k fk) {
	a := fl.a
	info := f.info()
	child := a.childOf(e)
	switch p := a.parentOf(e).(type) {
	case *ast.TypeAssertExpr:
		if !k.sym || p.X != child {
			return
		}
		if p.Type == nil {
			if ts := a.typeSwitchOf(p); ts != nil {
				fl.typeSwitch(f, ts, stack)
			}
			return
		}
		n := len(fl.asserts)
		fl.addType(f, info.TypeOf(p.Type), p.Pos(), stack)
		fl.valuesFrom(f, p)
		if ok := a.commaOkVar(f, p); ok != nil {
			var v verdict
			np := len(fl.paths)
			for _, id := range a.usesAfter(ok, p.Pos()) {
				fl.cond(a.enclosing(id), id, false, stack, &v)
			}
			for i := n; i < len(fl.asserts); i++ {
				fl.asserts[i].failure = append(fl.asserts[i].failure, fl.paths[np:]...)
			}
			fl.okV.required = fl.okV.required || v.required
			fl.okV.tolerated = fl.okV.tolerated || v.tolerated
			if v.seen() && !v.required {
				for i := n; i < len(fl.asserts); i++ {
					fl.asserts[i].optional = true
				}
			}
		}
		// A plain assertion panics on a missing symbol: required, which
		// is the verdict without evidence anyway.
	case *ast.AssignStmt, *ast.ValueSpec:
		lhs, rhs, at := assigned(p)
		for i, r := range rhs {
			if r == child && len(lhs) == len(rhs) {
				fl.toLHS(f, lhs[i], at, stack, k)
			}
		}
	case *ast.ReturnStmt:
		if f.sig == nil || len(p.Results) != f.sig.Results().Len() {
			return
		}
		for i, r := range p.Results {
			if r == child {
				fl.fromReturn(f, i, stack, k)
			}
		}
	case *ast.CallExpr:
		if p.Fun == child {
			return
		}
		if tv, ok := info.Types[p.Fun]; ok && tv.IsType() {
			fl.fromExpr(f, p, stack, k) // a conversion
			return
		}
		if g := a.callee(info, p); g != nil && g.sig != nil && p.Ellipsis == token.NoPos && len(stack) < maxDepth {
			for i, arg := range p.Args {
				if arg != child || i >= g.sig.Params().Len() || g.sig.Variadic() && i >= g.sig.Params().Len()-1 {
					continue
				}
				cs := &callSite{call: p, caller: f, callee: g}
				fl.fromVar(g.sig.Params().At(i), token.NoPos, append([]*callSite{cs}, stack...), k)
			}
			return
		}
		if !k.sym && isError(info.TypeOf(p)) {
			fl.fromExpr(f, p, stack, k) // wrapped: fmt.Errorf("...: %w", err)
		}
	case *ast.KeyValueExpr:
		if !k.sym && p.Value == child {
			if lit, ok := a.parentOf(p).(*ast.CompositeLit); ok {
				fl.fromWrapped(f, lit, stack, k)
			}
		}
	case *ast.CompositeLit:
		if !k.sym {
			fl.fromWrapped(f, p, stack, k)
		}
	case *ast.BinaryExpr:
		if p.Op != token.EQL && p.Op != token.NEQ {
			return
		}
		other := p.Y
		if child == p.Y {
			other = p.X
		}
		if !isNil(info, other) {
			return
		}
		// err != nil and sym == nil are true when the symbol is missing.
		when := (p.Op == token.NEQ) != k.sym
		fl.cond(f, p, when, stack, k.v)
	}
}

// fromWrapped follows a composite literal holding an error (&LoadError{Err: err}).
func (fl *flow) fromWrapped(f *fn, lit *ast.CompositeLit, stack []*callSite, k fk) {
	var e ast.Expr = lit
	if u, ok := fl.a.parentOf(lit).(*ast.UnaryExpr); ok && u.Op == token.AND {
		e = u
	}
	if isError(f.info().TypeOf(e)) {
		fl.fromExpr(f, e, stack, k)
	}
}

func isNil(info *types.Info, e ast.Expr) bool {
	tv, ok := info.Types[ast.Unparen(e)]
	return ok && tv.IsNil()
}

func isFalse(info *types.Info, e ast.Expr) bool {
	tv, ok := info.Types[ast.Unparen(e)]
	return ok && tv.Value != nil && tv.Value.Kind() == constant.Bool && !constant.BoolVal(tv.Value)
}

var errorType = types.Universe.Lookup("error").Type().Underlying().(*types.Interface)

func isError(t types.Type) bool {
	if t == nil {
		return false
	}
	if _, ok := t.(*types.Tuple); ok {
		return false
	}
	return types.Implements(t, errorType)
}

func (a *analyzer) typeSwitchOf(ta *ast.TypeAssertExpr) *ast.TypeSwitchStmt {
	stmt, ok := a.parentOf(ta).(ast.Stmt) // x := sym.(type), or sym.(type)
	if ts, isSwitch := a.parent[stmt].(*ast.TypeSwitchStmt); ok && isSwitch && ts.Assign == stmt {
		return ts
	}
	return nil
}

// commaOkVar returns the ok variable of v, ok := x.(T), if named.
func (a *analyzer) commaOkVar(f *fn, ta *ast.TypeAssertExpr) *types.Var {
	if lhs, rhs, _ := assigned(a.parentOf(ta)); len(lhs) == 2 && len(rhs) == 1 {
		return identVar(f.info(), lhs[1])
	}
	return nil
}

func (fl *flow) typeSwitch(f *fn, ts *ast.TypeSwitchStmt, stack []*callSite) {
	info := f.info()
	hasDefault := false
	for _, s := range ts.Body.List {
		cc := s.(*ast.CaseClause)
		if cc.List == nil {
			hasDefault = true
			fl.block(f, cc.Body, stack, &fl.okV, cc)
			continue
		}
		for _, x := range cc.List {
			if isNil(info, x) {
				fl.block(f, cc.Body, stack, &fl.okV, cc) // case nil: not found
				continue
			}
			fl.addType(f, info.TypeOf(x), x.Pos(), stack)
		}
	}
	if !hasDefault {
		fl.okV.tolerated = true
	}
}

// addType records an asserted type, instantiating the type parameters of
// a generic function from the call that leads to it (or from each call).
func (fl *flow) addType(f *fn, t types.Type, pos token.Pos, stack []*callSite) {
	if t == nil {
		return
	}
	if s, ok := contract.InstanceString(t, nil); ok {
		as := assertion{typ: s, pos: pos}
		if _, named := types.Unalias(t).(*types.Named); named {
			as.iface = contract.InterfaceLiteral(t)
		}
		fl.asserts = append(fl.asserts, as)
		return
	}
	generic := f.top
	if generic.sig == nil || generic.sig.TypeParams().Len() == 0 {
		fl.unknownType(t, pos, "")
		return
	}
	var sites []*callSite
	for _, cs := range stack {
		if cs.callee == generic || cs.callee.top == generic {
			sites = []*callSite{cs}
			break
		}
	}
	if sites == nil {
		sites = fl.a.callers[generic]
	}
	if len(sites) == 0 {
		fl.unknownType(t, pos, generic.name)
	}
	for _, cs := range sites {
		args := instanceArgs(cs.caller.info(), cs.call)
		tps := generic.sig.TypeParams()
		if args == nil || args.Len() != tps.Len() {
			fl.unknownType(t, pos, generic.name)
			continue
		}
		subst := map[*types.TypeParam]types.Type{}
		for i := range tps.Len() {
			subst[tps.At(i)] = args.At(i)
		}
		s, ok := contract.InstanceString(t, subst)
		if !ok {
			fl.unknownType(t, pos, generic.name)
			continue
		}
		fl.asserts = append(fl.asserts, assertion{typ: s, pos: pos})
	}
}

func (fl *flow) unknownType(t types.Type, pos token.Pos, generic string) {
	reason := "asserted to " + types.TypeString(t, nil) + ", a type parameter not known here"
	if generic != "" {
		reason = "asserted to type parameter " + types.TypeString(t, nil) + " of " + generic + ", not instantiated by a call pluginctl follows"
	}
	fl.problems = append(fl.problems, contract.Unresolved{Pos: fl.a.pos(pos), Reason: reason})
}

func instanceArgs(info *types.Info, call *ast.CallExpr) *types.TypeList {
	fun := ast.Unparen(call.Fun)
	switch x := fun.(type) {
	case *ast.IndexExpr:
		fun = x.X
	case *ast.IndexListExpr:
		fun = x.X
	}
	var id *ast.Ident
	switch x := ast.Unparen(fun).(type) {
	case *ast.Ident:
		id = x
	case *ast.SelectorExpr:
		id = x.Sel
	default:
		return nil
	}
	inst, ok := info.Instances[id]
	if !ok {
		return nil
	}
	return inst.TypeArgs
}

// cond handles a condition e that is true (when) or false (!when) on
// the "not found" path: it finds the if statement or switch case it
// controls and judges that path.
func (fl *flow) cond(f *fn, e ast.Expr, when bool, stack []*callSite, v *verdict) {
	a := fl.a
	var n ast.Node = e
	for {
		p := a.parent[n]
		switch p := p.(type) {
		case *ast.ParenExpr:
			n = p
			continue
		case *ast.UnaryExpr:
			if p.Op == token.NOT {
				when = !when
				n = p
				continue
			}
		case *ast.BinaryExpr:
			if p.Op == token.LAND || p.Op == token.LOR {
				n = p
				continue
			}
		case *ast.IfStmt:
			if p.Cond == n {
				fl.ifBranch(f, p, when, stack, v)
			}
		case *ast.CaseClause:
			if when {
				fl.block(f, p.Body, stack, v, p)
			} else {
				v.tolerated = true
			}
		}
		return
	}
}

func (fl *flow) ifBranch(f *fn, s *ast.IfStmt, when bool, stack []*callSite, v *verdict) {
	if when {
		fl.block(f, s.Body.List, stack, v, s)
		return
	}
	if s.Else != nil {
		fl.block(f, elseList(s), stack, v, s)
		return
	}
	if !fl.a.terminates(f, s.Body.List) {
		v.tolerated = true
		return
	}
	// if err == nil { ...; return } — the rest of the block is the
	// "not found" path.
	var list []ast.Stmt
	switch p := fl.a.parent[s].(type) {
	case *ast.BlockStmt:
		list = p.List
	case *ast.CaseClause:
		list = p.Body
	case *ast.CommClause:
		list = p.Body
	}
	for i, st := range list {
		if st == s {
			fl.block(f, list[i+1:], stack, v, nil)
			return
		}
	}
	v.tolerated = true
}

// block judges a "not found" path: the statements that run when the
// symbol is missing.
//
// owner is the if statement or case clause the path belongs to: a path
// that does something and then falls through to the end of a loop body
// skips the plugin (if err != nil { log...; } at the end of a for loop);
// one that falls through elsewhere lets the host carry on.
func (fl *flow) block(f *fn, stmts []ast.Stmt, stack []*callSite, v *verdict, owner ast.Node) {
	if len(stmts) == 0 {
		v.tolerated = true
		return
	}
	fl.paths = append(fl.paths, [2]token.Pos{stmts[0].Pos(), stmts[len(stmts)-1].End()})
	a := fl.a
	var visit func(n ast.Node, loops int) bool
	visit = func(n ast.Node, loops int) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.ReturnStmt:
			fl.onReturn(f, n, stack, v)
		case *ast.BranchStmt:
			switch {
			case n.Tok == token.CONTINUE || n.Tok == token.GOTO:
				v.required = true // skips the plugin
			case n.Tok == token.BREAK && (loops == 0 || n.Label != nil):
				v.required = true
			}
		case *ast.ExprStmt:
			if a.isExitStmt(f, n) {
				v.required = true
			}
		case *ast.ForStmt, *ast.RangeStmt, *ast.SwitchStmt, *ast.TypeSwitchStmt, *ast.SelectStmt:
			ast.Inspect(n, func(m ast.Node) bool {
				if m == n {
					return true
				}
				if m == nil {
					return false
				}
				return visit(m, loops+1)
			})
			return false
		}
		return true
	}
	for _, s := range stmts {
		ast.Inspect(s, func(n ast.Node) bool {
			if n == nil {
				return false
			}
			return visit(n, 0)
		})
	}
	if !a.terminates(f, stmts) {
		if owner != nil && a.lastInLoop(owner) {
			v.required = true
		} else {
			v.tolerated = true // falls through: the host carries on
		}
	}
}

// lastInLoop reports whether the statement s (an if statement, or the
// switch of a case clause) ends the body of a for or range loop.
func (a *analyzer) lastInLoop(s ast.Node) bool {
	if cc, ok := s.(*ast.CaseClause); ok {
		s = a.parent[a.parent[cc]] // the body, then the switch
	}
	for {
		// An else branch: go up to the outermost if of the chain.
		p, ok := a.parent[s].(*ast.IfStmt)
		if !ok || p.Else != s {
			break
		}
		s = p
	}
	body, ok := a.parent[s].(*ast.BlockStmt)
	if !ok || len(body.List) == 0 || body.List[len(body.List)-1] != s {
		return false
	}
	switch a.parent[body].(type) {
	case *ast.ForStmt, *ast.RangeStmt:
		return true
	}
	return false
}

// onReturn judges a return on a "not found" path.
func (fl *flow) onReturn(f *fn, ret *ast.ReturnStmt, stack []*callSite, v *verdict) {
	if f.sig == nil || f.sig.Results().Len() == 0 {
		v.required = true // leaves the function: the rest is skipped
		return
	}
	res := f.sig.Results()
	var errIdx []int
	for i := range res.Len() {
		if isError(res.At(i).Type()) {
			errIdx = append(errIdx, i)
		}
	}
	switch {
	case len(ret.Results) == 0:
		v.required = true
		return
	case len(errIdx) == 0:
		// No error result: nil and false mean "failed", any other value
		// is a default the host carries on with (return 1).
		for _, r := range ret.Results {
			if !isNil(f.info(), r) && !isFalse(f.info(), r) {
				v.tolerated = true
				return
			}
		}
		v.required = true
		return
	case len(ret.Results) != res.Len(): // return g()
		for _, i := range errIdx {
			fl.refuse(f, i, stack, v)
		}
		return
	}
	nonNil := false
	for _, i := range errIdx {
		if !isNil(f.info(), ret.Results[i]) {
			nonNil = true
			fl.refuse(f, i, stack, v)
		}
	}
	if !nonNil {
		v.tolerated = true // return nil, nil: missing is fine
	}
}

// refuse judges a non-nil error returned as result i of f on a "not
// found" path: a refusal, unless f is a helper that was passed the
// symbol name by the caller on the stack: then that caller decides.
func (fl *flow) refuse(f *fn, i int, stack []*callSite, v *verdict) {
	if len(stack) > 0 && stack[0].callee == f && slices.Contains(fl.nameHelpers, stack[0]) {
		fl.fromReturn(f, i, stack, fk{v: v})
		return
	}
	v.required = true
}

// terminates reports whether a statement list never falls through.
func (a *analyzer) terminates(f *fn, stmts []ast.Stmt) bool {
	if len(stmts) == 0 {
		return false
	}
	switch s := stmts[len(stmts)-1].(type) {
	case *ast.ReturnStmt, *ast.BranchStmt:
		return true
	case *ast.ExprStmt:
		return a.isExitStmt(f, s)
	case *ast.BlockStmt:
		return a.terminates(f, s.List)
	case *ast.IfStmt:
		return s.Else != nil && a.terminates(f, s.Body.List) && a.terminates(f, elseList(s))
	}
	return false
}

// elseList returns the statements of an if statement's else branch.
func elseList(s *ast.IfStmt) []ast.Stmt {
	if b, ok := s.Else.(*ast.BlockStmt); ok {
		return b.List
	}
	return []ast.Stmt{s.Else}
}

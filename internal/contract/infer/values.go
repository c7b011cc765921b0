package infer

import (
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
)

// valueSite is a constant a host compares a looked-up string with.
type valueSite struct {
	val string
	pos token.Pos
}

// maxValueDepth bounds how far a looked-up value is followed through
// local variables.
const maxValueDepth = 4

// valuesFrom follows the result of a type assertion to *string or string
// (sym.(*string)) to the constants the host compares it with:
// `*v != api.APIVersion`, `*sym.(*string) == "v3"`, `v := *s; if v != X`,
// `switch *v { case "v2", "v3": }`. Each is an accepted value, recorded
// with the position of the comparison.
func (fl *flow) valuesFrom(f *fn, ta *ast.TypeAssertExpr) {
	if ta.Type == nil {
		return
	}
	t := f.info().TypeOf(ta.Type)
	if t == nil {
		return
	}
	isPtr := false
	if p, ok := t.Underlying().(*types.Pointer); ok {
		t, isPtr = p.Elem(), true
	}
	if b, ok := t.Underlying().(*types.Basic); !ok || b.Kind() != types.String {
		return
	}
	fl.valueExpr(f, ta, isPtr, 0)
}

// valueExpr follows e, a *string when ptr, else a string.
func (fl *flow) valueExpr(f *fn, e ast.Expr, ptr bool, depth int) {
	a := fl.a
	if depth > maxValueDepth {
		return
	}
	child := a.childOf(e)
	switch p := a.parentOf(e).(type) {
	case *ast.StarExpr:
		if ptr {
			fl.valueExpr(f, p, false, depth)
		}
	case *ast.AssignStmt, *ast.ValueSpec:
		lhs, rhs, at := assigned(p)
		for i, r := range rhs {
			if r == child && i < len(lhs) {
				fl.valueVar(f, lhs[i], at, ptr, depth)
			}
		}
	case *ast.BinaryExpr:
		if ptr || (p.Op != token.EQL && p.Op != token.NEQ) {
			return
		}
		other := p.Y
		if child == p.Y {
			other = p.X
		}
		if s, ok := constString(f.info(), other); ok {
			fl.values = append(fl.values, valueSite{val: s, pos: p.Pos()})
		}
	case *ast.SwitchStmt:
		if ptr || p.Tag != child {
			return
		}
		for _, st := range p.Body.List {
			cc, ok := st.(*ast.CaseClause)
			if !ok {
				continue
			}
			for _, x := range cc.List {
				if s, ok := constString(f.info(), x); ok {
					fl.values = append(fl.values, valueSite{val: s, pos: x.Pos()})
				}
			}
		}
	}
}

// valueVar follows the variable lhs (assigned at position at) to its uses.
func (fl *flow) valueVar(f *fn, lhs ast.Expr, at token.Pos, ptr bool, depth int) {
	v := identVar(f.info(), lhs)
	if v == nil {
		return
	}
	for _, id := range fl.a.usesAfter(v, at) {
		if g := fl.a.enclosing(id); g != nil {
			fl.valueExpr(g, id, ptr, depth+1)
		}
	}
}

func constString(info *types.Info, e ast.Expr) (string, bool) {
	tv, ok := info.Types[ast.Unparen(e)]
	if !ok || tv.Value == nil || tv.Value.Kind() != constant.String {
		return "", false
	}
	return constant.StringVal(tv.Value), true
}

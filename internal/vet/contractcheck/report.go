// The contract check's findings on one plugin: what is missing or of
// another type or kind, with near misses and mechanical fixes.

package contractcheck

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/tools/go/analysis"

	"github.com/pluginctl/pluginctl/internal/contract"
	"github.com/pluginctl/pluginctl/internal/vet/internal/common"
)

// pending is a diagnostic held back until the plugin's kinds are judged.
type pending struct {
	pos, end      token.Pos
	category, msg string
	fix           string
	edits         []analysis.TextEdit
}

type reporter struct {
	pass     *analysis.Pass
	cfg      *common.Config
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
	got = r.short(found)
	for _, t := range e.Types {
		if found != "" && r.short(t) == got && t != found {
			return e.Want(nil), found // short names clash: print them whole
		}
	}
	return e.Want(r.short), got
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
		root := r.cfg.Root()
		if ok && root != "" && r.cfg.Dir != "" && root != r.cfg.Dir && !filepath.IsAbs(file) {
			if rel, err := filepath.Rel(r.cfg.Dir, filepath.Join(root, filepath.FromSlash(file))); err == nil {
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
	t, kind := lookedUp(obj)
	if t == nil {
		switch o := obj.(type) {
		case *types.Func:
			r.report(pos, end, CatKind,
				r.withOrigin(fmt.Sprintf("%s is a generic function: a plugin exports only instantiated code, so the host's Lookup(%q) fails", sym, sym), e),
				r.declFix(e), nil)
		case *types.Const:
			fix, edits := r.declFix(e), r.constToVar(o, e)
			if edits != nil {
				fix = "declare " + sym + " with var instead of const"
			}
			r.report(pos, end, CatKind,
				r.withOrigin(fmt.Sprintf("%s is a constant: constants are not plugin symbols, the host's Lookup(%q) fails", sym, sym), e),
				fix, edits)
		default:
			r.report(pos, end, CatKind,
				r.withOrigin(fmt.Sprintf("%s is a %s: only functions and variables are plugin symbols, the host's Lookup(%q) fails", sym, objKind(obj), sym), e),
				r.declFix(e), nil)
		}
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
				r.declFix(e), varToFunc(r.pass, obj.(*types.Var), e.MatchesType))
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
	// A declared defined type whose method set the contract does not
	// record: an interface to implement, when the plugin links its
	// package; otherwise vet cannot tell (the dynamic check asserts it).
	for _, alt := range e.Types {
		if !e.MaybeInterface(alt) {
			continue
		}
		it, linked := r.linkedInterface(alt)
		if !linked || it != nil && types.Implements(t, it) {
			return
		}
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
		if p, ok := t.(*types.Pointer); ok && kind == contract.KindVar {
			switch p.Elem().Underlying().(type) {
			case *types.Pointer:
				fix = "export the value, not a pointer to it: var " + sym + " = <value> (Lookup already returns a pointer)"
			case *types.Interface:
				fix = "declare " + sym + " with its concrete type, not an interface type (var " + sym + " = <value>): Lookup returns a pointer to the variable, and a pointer to an interface has no methods"
			}
		}
	}
	r.report(pos, end, CatType, r.withOrigin(msg, e), fix, nil)
}

// linkedInterface returns the interface named by the qualified type name
// alt ("example.com/fw.Registerer"); linked is false when the package
// does not link alt's package (or it has no such type), it is nil when
// alt is not an interface.
func (r *reporter) linkedInterface(alt string) (it *types.Interface, linked bool) {
	dot := strings.LastIndex(alt, ".")
	path, name := alt[:dot], alt[dot+1:]
	pkg := common.FindAPI(r.pass.Pkg, path) // any linked package, as the API is found
	if pkg == nil {
		return nil, false
	}
	obj, ok := pkg.Scope().Lookup(name).(*types.TypeName)
	if !ok {
		return nil, false
	}
	it, _ = obj.Type().Underlying().(*types.Interface)
	return it, true
}

// whyNot explains why t implements none of the entry's interface
// alternatives ("" when none of them is an interface): the first
// alternative's missing method, or its method of another type.
func (r *reporter) whyNot(e contract.Entry, t types.Type) string {
	for _, alt := range e.Types {
		methods, ok := e.InterfaceMethods(alt)
		if !ok && e.MaybeInterface(alt) {
			if it, _ := r.linkedInterface(alt); it != nil {
				methods, ok = contract.Entry{}.InterfaceMethods(contract.InterfaceLiteral(it))
			}
		}
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
			edits = rename(r.pass, first, sym)
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
	t, kind := lookedUp(obj)
	return t != nil && (e.Kind == "" || e.Kind == kind) && e.MatchesType(t)
}

// lookedUp is what Lookup gives the host for obj (a pointer to a
// variable, a function), and its kind; nil for what is no plugin symbol:
// a generic function, a constant, a type.
func lookedUp(obj types.Object) (types.Type, string) {
	switch o := obj.(type) {
	case *types.Func:
		if o.Signature().TypeParams().Len() == 0 {
			return o.Type(), contract.KindFunc
		}
	case *types.Var:
		return types.NewPointer(o.Type()), contract.KindVar
	}
	return nil, ""
}

// rename renames obj's declaration and its uses in the package.
func rename(pass *analysis.Pass, obj types.Object, name string) []analysis.TextEdit {
	edits := []analysis.TextEdit{{Pos: obj.Pos(), End: obj.Pos() + token.Pos(len(obj.Name())), NewText: []byte(name)}}
	var uses []*ast.Ident
	for id, o := range pass.TypesInfo.Uses {
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

// single returns the declaration of obj when it is the one name of an
// unparenthesized var or const declaration with one value; nil
// otherwise.
func single(pass *analysis.Pass, obj types.Object) (*ast.GenDecl, *ast.ValueSpec) {
	decl, spec := common.Decl(pass, obj)
	gd, _ := decl.(*ast.GenDecl)
	vs, _ := spec.(*ast.ValueSpec)
	if gd == nil || vs == nil || gd.Lparen.IsValid() || len(vs.Names) != 1 || len(vs.Values) != 1 {
		return nil, nil
	}
	return gd, vs
}

// varToFunc rewrites "var F = func(...) ... {...}" as "func F(...) ...
// {...}" when accept takes the function literal's type.
func varToFunc(pass *analysis.Pass, v *types.Var, accept func(types.Type) bool) []analysis.TextEdit {
	gd, vs := single(pass, v)
	if vs == nil || vs.Type != nil {
		return nil
	}
	lit, ok := vs.Values[0].(*ast.FuncLit)
	if !ok || !accept(pass.TypesInfo.TypeOf(lit)) {
		return nil
	}
	return []analysis.TextEdit{{Pos: gd.Pos(), End: lit.Type.Func + 4, NewText: []byte("func " + v.Name())}}
}

// constToVar turns "const C = value" into "var C = value" when the
// variable this makes has a type the entry accepts.
func (r *reporter) constToVar(c *types.Const, e contract.Entry) []analysis.TextEdit {
	gd, _ := single(r.pass, c)
	if gd == nil || !e.MatchesType(types.NewPointer(types.Default(c.Type()))) || (e.Kind != "" && e.Kind != contract.KindVar) {
		return nil
	}
	return []analysis.TextEdit{{Pos: gd.TokPos, End: gd.TokPos + token.Pos(len("const")), NewText: []byte("var")}}
}

// The convention's entries on a plugin that uses the API package: what
// the contract's types cannot say (APIVersion's value, a factory under
// another name) and the advice that knows the API (pluginapi.Plugin,
// Host). Findings carry the codes users know: factory (New), apiversion
// (APIVersion), capabilities (Capabilities, Init).

package contractcheck

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/constant"
	"go/format"
	"go/token"
	"go/types"
	"slices"
	"strings"

	"golang.org/x/tools/go/analysis"

	"github.com/pluginctl/pluginctl/internal/vet/internal/common"
)

// conv checks the convention's entries of a plugin reaching the API
// package.
type conv struct {
	pass                 *analysis.Pass
	api                  string         // import path
	pkg                  *types.Package // the API package
	pluginType, hostType types.Type
	qual                 types.Qualifier
}

func newConv(pass *analysis.Pass, api string, pkg *types.Package) *conv {
	v := &conv{pass: pass, api: api, pkg: pkg, qual: common.Qualifier(pass.Pkg)}
	if tn, ok := pkg.Scope().Lookup("Plugin").(*types.TypeName); ok {
		v.pluginType = tn.Type()
	}
	if tn, ok := pkg.Scope().Lookup("Host").(*types.TypeName); ok {
		v.hostType = tn.Type()
	}
	return v
}

// check checks the convention's entry for symbol; false leaves it to the
// contract's generic check (no convention check for it, or a missing
// symbol without a near miss to report at).
func (v *conv) check(symbol string) bool {
	switch symbol {
	case "New":
		return v.factory()
	case "APIVersion":
		return v.apiVersion()
	case "Capabilities":
		strs := types.NewSlice(types.Typ[types.String])
		v.optional(symbol, types.NewSignatureType(nil, nil, nil, nil, types.NewTuple(types.NewVar(token.NoPos, nil, "", strs)), false),
			"func Capabilities() []string", "ErrBadCapabilities")
	case "Init":
		var want *types.Signature
		wantStr := "func Init(host " + v.api + ".Host) error"
		if v.hostType != nil {
			params := types.NewTuple(types.NewVar(token.NoPos, nil, "host", v.hostType))
			res := types.NewTuple(types.NewVar(token.NoPos, nil, "", types.Universe.Lookup("error").Type()))
			want = types.NewSignatureType(nil, nil, nil, params, res, false)
			wantStr = "func Init(host " + types.TypeString(v.hostType, v.qual) + ") error"
		}
		v.optional(symbol, want, wantStr, "ErrBadInit")
	case "PluginctlMetadata":
		// pluginctl build stamps it.
	default:
		return false
	}
	return true
}

func (v *conv) report(code string, pos, end token.Pos, category, msg, fix string, edits []analysis.TextEdit) {
	common.Report(v.pass, pos, end, code+"/"+category, msg, fix, edits)
}

// candidates are the New-like factories of a plugin without New that
// imports the API directly: exported New* functions, and functions
// returning the API's Plugin or a type implementing it; in source order.
func (v *conv) candidates() []*types.Func {
	if !common.ImportsDirectly(v.pass.Pkg, v.api) {
		return nil
	}
	var out []*types.Func
	scope := v.pass.Pkg.Scope()
	for _, name := range scope.Names() {
		fn, ok := scope.Lookup(name).(*types.Func)
		if !ok || name == "main" || name == "init" {
			continue
		}
		if strings.HasPrefix(strings.ToLower(name), "new") || v.returnsPlugin(fn) {
			out = append(out, fn)
		}
	}
	slices.SortFunc(out, func(a, b *types.Func) int { return int(a.Pos() - b.Pos()) })
	return out
}

// returnsPlugin reports whether fn returns the API's Plugin or a type
// implementing it.
func (v *conv) returnsPlugin(fn *types.Func) bool {
	if v.pluginType == nil || fn.Signature().Results().Len() == 0 {
		return false
	}
	r := fn.Signature().Results().At(0).Type()
	iface, _ := v.pluginType.Underlying().(*types.Interface)
	return types.Identical(r, v.pluginType) || (iface != nil && types.Implements(r, iface))
}

// factory: New must be exactly func() <api>.Plugin, a function.
func (v *conv) factory() bool {
	pass := v.pass
	// The type a host expects of New: func() <api>.Plugin; nil when the
	// API has no Plugin type.
	var want *types.Signature
	wantStr := "func() " + v.api + ".Plugin"
	if v.pluginType != nil {
		want = types.NewSignatureType(nil, nil, nil, nil, types.NewTuple(types.NewVar(token.NoPos, nil, "", v.pluginType)), false)
		wantStr = types.TypeString(want, v.qual)
	}
	decl := "func New" + strings.TrimPrefix(wantStr, "func")
	obj := pass.Pkg.Scope().Lookup("New")
	if obj == nil {
		return v.noNew(want, decl)
	}
	pos, end := obj.Pos(), obj.Pos()+token.Pos(len(obj.Name()))
	switch obj := obj.(type) {
	case *types.Func:
		sig := obj.Signature()
		switch {
		case sig.TypeParams().Len() > 0:
			v.report("factory", pos, end, CatKind,
				"New is a generic function: a plugin exports only instantiated code, so the host's Lookup(\"New\") fails",
				"declare it as "+decl, nil)
		case want == nil:
			v.report("factory", pos, end, CatType,
				fmt.Sprintf("New has type %s, want %s, but the plugin does not import %s", types.TypeString(sig, v.qual), wantStr, v.api),
				fmt.Sprintf("import %q and declare %s", v.api, decl), nil)
		case !types.Identical(sig, want):
			var edits []analysis.TextEdit
			fix := "declare it as " + decl
			if e := v.resultFix(obj); e != nil {
				edits, fix = e, "return "+types.TypeString(v.pluginType, v.qual)+" instead of "+types.TypeString(sig.Results().At(0).Type(), v.qual)
			}
			target := wantStr
			if v.pkg.Scope().Lookup("NewFunc") != nil {
				target = v.pkg.Name() + ".NewFunc"
			}
			v.report("factory", pos, end, CatType,
				fmt.Sprintf("New has type %s, want %s: the host's assertion to %s fails", types.TypeString(sig, v.qual), wantStr, target),
				fix, edits)
		}
	case *types.Var:
		t := types.TypeString(obj.Type(), v.qual)
		v.report("factory", pos, end, CatKind,
			fmt.Sprintf("New is a variable of type %s: Lookup gives the host a pointer to it (*%s), not a %s", t, t, wantStr),
			"declare New as a function: "+decl, v.varToFunc(obj, want))
	case *types.Const:
		v.report("factory", pos, end, CatKind, "New is a constant: constants are not plugin symbols, the host's Lookup(\"New\") fails", "declare "+decl, nil)
	case *types.TypeName:
		v.report("factory", pos, end, CatKind, "New is a type: types are not plugin symbols, the host's Lookup(\"New\") fails", "declare "+decl, nil)
	}
	return true
}

// noNew reports a plugin without New at the factories it has instead;
// false when it has none.
func (v *conv) noNew(want *types.Signature, decl string) bool {
	cands := v.candidates()
	if len(cands) == 0 {
		return false
	}
	names := make([]string, len(cands))
	for i, c := range cands {
		names[i] = c.Name()
	}
	first := cands[0]
	fix := "declare " + decl
	var edits []analysis.TextEdit
	if len(cands) == 1 && want != nil && types.Identical(first.Signature(), want) {
		fix = "rename " + first.Name() + " to New"
		edits = rename(v.pass, first, "New")
	}
	v.report("factory", first.Pos(), first.Pos()+token.Pos(len(first.Name())), CatMissing,
		fmt.Sprintf("plugin has no New; found %s: the host looks up \"New\" and skips the plugin", strings.Join(names, ", ")), fix, edits)
	return true
}

// resultFix changes the result type of New to <api>.Plugin when New takes
// no parameters and returns one value implementing it.
func (v *conv) resultFix(fn *types.Func) []analysis.TextEdit {
	sig := fn.Signature()
	if sig.Params().Len() != 0 || sig.Results().Len() != 1 {
		return nil
	}
	iface, _ := v.pluginType.Underlying().(*types.Interface)
	if iface == nil || !types.Implements(sig.Results().At(0).Type(), iface) {
		return nil
	}
	d, _ := common.Decl(v.pass, fn)
	fd, _ := d.(*ast.FuncDecl)
	if fd == nil || fd.Type.Results == nil || len(fd.Type.Results.List) != 1 {
		return nil
	}
	name := common.ImportName(common.FileOf(v.pass, fn.Pos()), v.api, v.pkg.Name())
	if name == "" || name == "." || name == "_" {
		return nil
	}
	r := fd.Type.Results
	return []analysis.TextEdit{{Pos: r.Pos(), End: r.End(), NewText: []byte(name + ".Plugin")}}
}

// varToFunc rewrites "var X = func(...) ... {...}" as "func X(...) ...
// {...}" when the literal has type want, and, for Capabilities, "var
// Capabilities = []string{...}" as a function returning the list.
func (v *conv) varToFunc(obj *types.Var, want *types.Signature) []analysis.TextEdit {
	if want == nil {
		return nil
	}
	if edits := varToFunc(v.pass, obj, func(t types.Type) bool { return types.Identical(t, want) }); edits != nil {
		return edits
	}
	gd, vs := single(v.pass, obj)
	if vs == nil {
		return nil
	}
	val := vs.Values[0]
	if _, ok := val.(*ast.CompositeLit); !ok || obj.Name() != "Capabilities" || !types.Identical(v.pass.TypesInfo.TypeOf(val), want.Results().At(0).Type()) {
		return nil
	}
	return []analysis.TextEdit{
		{Pos: gd.Pos(), End: val.Pos(), NewText: []byte("func Capabilities() []string { return ")},
		{Pos: val.End(), End: val.End(), NewText: []byte(" }")},
	}
}

// optional: Capabilities and Init need not exist, but must have the type
// the host asserts when they do (want nil: the API has no Host type).
func (v *conv) optional(name string, want *types.Signature, wantStr, sentinel string) {
	obj := v.pass.Pkg.Scope().Lookup(name)
	if obj == nil {
		return
	}
	pos, end := obj.Pos(), obj.Pos()+token.Pos(len(name))
	fix := "declare " + wantStr
	skip := fmt.Sprintf("the host's assertion fails and the loader skips the plugin (%s)", sentinel)
	bare := "func" + wantStr[len("func "+name):]
	switch obj := obj.(type) {
	case *types.Func:
		sig := obj.Signature()
		if want != nil && types.Identical(sig, want) {
			return
		}
		msg := fmt.Sprintf("%s has type %s, want %s: %s", name, types.TypeString(sig, v.qual), bare, skip)
		if want == nil {
			msg = fmt.Sprintf("%s has type %s, want %s, but the plugin does not import the API package", name, types.TypeString(sig, v.qual), bare)
		}
		v.report("capabilities", pos, end, CatType, msg, initHint(name, sig, want, wantStr), nil)
	case *types.Var:
		t := types.TypeString(obj.Type(), v.qual)
		v.report("capabilities", pos, end, CatKind,
			fmt.Sprintf("%s is a variable of type %s: Lookup gives the host a *%s, %s", name, t, t, skip),
			fix, v.varToFunc(obj, want))
	default:
		v.report("capabilities", pos, end, CatKind, fmt.Sprintf("%s is a %s, not a function: %s", name, objKind(obj), skip), fix, nil)
	}
}

// initHint gives the fix for the usual mistakes.
func initHint(name string, got, want *types.Signature, wantStr string) string {
	if want == nil {
		return "import the API package and declare " + wantStr
	}
	if name == "Init" {
		switch {
		case got.Params().Len() == 1 && got.Results().Len() == 0:
			return "return an error: " + wantStr + " (nil when all is well; the host skips the plugin on an error)"
		case got.Params().Len() == 0:
			return "take the host: " + wantStr + " (read configuration and log through it)"
		case got.Params().Len() == 1:
			if ptr, ok := got.Params().At(0).Type().(*types.Pointer); ok && types.Identical(ptr.Elem(), want.Params().At(0).Type()) {
				return "take the Host interface, not a pointer to it: " + wantStr
			}
		}
	}
	return "declare " + wantStr
}

// APIVersion categories beyond missing, type and kind.
const (
	catStale   = "stale"    // a literal that differs from the API's value
	catLiteral = "literal"  // a literal equal to the API's value (warning)
	catValue   = "computed" // some other expression
)

// apiVersion: var APIVersion = <api>.APIVersion, a string variable.
func (v *conv) apiVersion() bool {
	pass := v.pass
	ref := v.pkg.Name() + ".APIVersion"
	want := "var APIVersion = " + ref
	obj := pass.Pkg.Scope().Lookup("APIVersion")
	if obj == nil {
		return v.noAPIVersion(want)
	}
	pos, end := obj.Pos(), obj.Pos()+token.Pos(len(obj.Name()))
	switch obj := obj.(type) {
	case *types.Const:
		var edits []analysis.TextEdit
		if gd, _ := common.Decl(pass, obj); gd != nil {
			if gd := gd.(*ast.GenDecl); !gd.Lparen.IsValid() {
				edits = []analysis.TextEdit{{Pos: gd.TokPos, End: gd.TokPos + token.Pos(len("const")), NewText: []byte("var")}}
			}
		}
		v.report("apiversion", pos, end, CatKind,
			"APIVersion is a constant: constants are not plugin symbols, so the host's Lookup(\"APIVersion\") fails and it skips the plugin",
			"declare it as "+want, edits)
	case *types.Func:
		v.report("apiversion", pos, end, CatKind, "APIVersion is a function, not a string variable: the host's assertion to *string fails", "declare "+want, nil)
	case *types.TypeName:
		v.report("apiversion", pos, end, CatKind, "APIVersion is a type, not a string variable: the host's Lookup(\"APIVersion\") fails", "declare "+want, nil)
	case *types.Var:
		if !types.Identical(obj.Type(), types.Typ[types.String]) {
			t := types.TypeString(obj.Type(), v.qual)
			v.report("apiversion", pos, end, CatType,
				fmt.Sprintf("APIVersion has type %s: Lookup gives the host a *%s, not the *string it asserts", t, t),
				"declare it as "+want, nil)
			return true
		}
		v.versionValue(obj, ref, want)
	}
	return true
}

// versionValue checks the initializer of the string variable APIVersion.
func (v *conv) versionValue(obj *types.Var, ref, want string) {
	pass := v.pass
	_, spec := common.Decl(pass, obj)
	vs, _ := spec.(*ast.ValueSpec)
	if vs == nil {
		return
	}
	idx := 0
	for i, n := range vs.Names {
		if n.Name == obj.Name() {
			idx = i
		}
	}
	name, imports := v.apiName(common.FileOf(pass, obj.Pos()))
	id := vs.Names[idx]
	if len(vs.Values) == 0 {
		var edits []analysis.TextEdit
		if len(vs.Names) == 1 && vs.Type != nil {
			edits = append(imports, analysis.TextEdit{Pos: vs.Type.End(), End: vs.Type.End(), NewText: []byte(" = " + name + ".APIVersion")})
		}
		v.report("apiversion", id.Pos(), id.End(), CatMissing,
			"APIVersion has no initializer: its value is whatever code sets it at run time, not the API this plugin was compiled against",
			"declare it as "+want, edits)
		return
	}
	if len(vs.Values) != len(vs.Names) {
		v.report("apiversion", id.Pos(), id.End(), catValue,
			fmt.Sprintf("APIVersion is set from a function call, not %s: the host compares it with its own %s", ref, ref),
			"declare it as "+want, nil)
		return
	}
	val := vs.Values[idx]
	if sel := selected(val); sel != nil {
		if o := pass.TypesInfo.Uses[sel]; o != nil && o.Name() == "APIVersion" && o.Pkg() != nil && o.Pkg().Path() == v.pkg.Path() {
			return
		}
	}
	edits := append(imports, analysis.TextEdit{Pos: val.Pos(), End: val.End(), NewText: []byte(name + ".APIVersion")})
	fix := "use " + ref
	tv := pass.TypesInfo.Types[val]
	if tv.Value == nil || tv.Value.Kind() != constant.String {
		v.report("apiversion", val.Pos(), val.End(), catValue,
			fmt.Sprintf("APIVersion is set to %s, not %s: the host compares it with its own %s", render(pass.Fset, val), ref, ref),
			fix, edits)
		return
	}
	lit := constant.StringVal(tv.Value)
	c, known := v.pkg.Scope().Lookup("APIVersion").(*types.Const)
	known = known && c.Val().Kind() == constant.String
	switch {
	case known && lit == constant.StringVal(c.Val()):
		v.report("apiversion", val.Pos(), val.End(), catLiteral,
			fmt.Sprintf("APIVersion is the hand-copied literal %q: it equals %s today but goes stale when the API changes", lit, ref),
			fix, edits)
	case known:
		v.report("apiversion", val.Pos(), val.End(), catStale,
			fmt.Sprintf("APIVersion is the hand-copied literal %q, but %s is %q: the host refuses this plugin", lit, ref, constant.StringVal(c.Val())),
			fix, edits)
	default:
		v.report("apiversion", val.Pos(), val.End(), catStale, fmt.Sprintf("APIVersion is the hand-copied literal %q, not %s", lit, ref), fix, edits)
	}
}

// selected is the identifier an expression names (x, pkg.x), nil if none.
func selected(e ast.Expr) *ast.Ident {
	switch e := ast.Unparen(e).(type) {
	case *ast.Ident:
		return e
	case *ast.SelectorExpr:
		return e.Sel
	}
	return nil
}

// noAPIVersion reports a plugin without APIVersion at a near miss
// (apiVersion, Version) or at its factory; false when there is neither.
func (v *conv) noAPIVersion(want string) bool {
	var near types.Object
	scope := v.pass.Pkg.Scope()
	for _, n := range scope.Names() {
		if strings.EqualFold(n, "APIVersion") || n == "Version" {
			near = scope.Lookup(n)
			break
		}
	}
	at := near
	if at == nil {
		at = scope.Lookup("New")
	}
	if at == nil {
		if cands := v.candidates(); len(cands) > 0 {
			at = cands[0]
		}
	}
	if at == nil {
		return false
	}
	msg := "plugin declares no APIVersion: the host checks it before anything else and skips the plugin without it"
	if near != nil {
		msg = fmt.Sprintf("plugin declares no APIVersion (found %s): the host looks up \"APIVersion\" before anything else and skips the plugin without it", near.Name())
	}
	var edits []analysis.TextEdit
	if file := common.FileOf(v.pass, at.Pos()); file != nil {
		name, imports := v.apiName(file)
		decl := fmt.Sprintf("\n\n// APIVersion is the API version this plugin was compiled against.\nvar APIVersion = %s.APIVersion", name)
		pos := file.Name.End()
		for _, d := range file.Decls {
			if gd, ok := d.(*ast.GenDecl); ok && gd.Tok == token.IMPORT {
				pos = gd.End()
			}
		}
		if len(imports) > 0 && imports[0].Pos == file.Name.End() {
			// The import goes right after the package clause too: one edit.
			imports[0].NewText = append(imports[0].NewText, decl...)
			edits = imports
		} else {
			edits = append(imports, analysis.TextEdit{Pos: pos, End: pos, NewText: []byte(decl)})
		}
	}
	v.report("apiversion", at.Pos(), at.Pos()+token.Pos(len(at.Name())), CatMissing, msg, "declare "+want, edits)
	return true
}

// apiName returns the name by which file refers to the API package, and
// the edits that import it first when file does not.
func (v *conv) apiName(file *ast.File) (string, []analysis.TextEdit) {
	if file == nil {
		return v.pkg.Name(), nil
	}
	if n := common.ImportName(file, v.api, v.pkg.Name()); n != "" && n != "_" && n != "." {
		return n, nil
	}
	return v.pkg.Name(), common.AddImport(file, v.api)
}

func render(fset *token.FileSet, e ast.Expr) string {
	var b bytes.Buffer
	if err := format.Node(&b, fset, e); err != nil || b.Len() > 60 {
		return "an expression"
	}
	return b.String()
}

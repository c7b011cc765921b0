// Package apiversion defines the apiversion analyzer: a plugin's
// APIVersion must be the string variable var APIVersion = <api>.APIVersion.
package apiversion

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/constant"
	"go/format"
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/analysis"

	"github.com/pluginctl/pluginctl/internal/vet/internal/common"
)

const doc = `check a plugin's APIVersion

A host looks up APIVersion before any other symbol and asserts it to
*string, so a plugin must declare

	var APIVersion = <api>.APIVersion

The analyzer reports a plugin without APIVersion, an APIVersion that is a
constant, a function or a type (not a symbol Lookup finds as *string), a
variable of another type than string, and a value that is not
<api>.APIVersion: a hand-copied literal (an error once it differs from the
API's value, a warning while it still equals it) or anything computed.
Suggested fixes replace the value with <api>.APIVersion, add the missing
declaration, and turn a lone const declaration into a var.`

// Analyzer checks APIVersion against the default API package.
var Analyzer = NewAnalyzer(nil)

// NewAnalyzer returns an apiversion analyzer checking against the API
// package *api (common.DefaultAPI when nil); -api sets *api.
func NewAnalyzer(api *string) *analysis.Analyzer {
	if api == nil {
		s := common.DefaultAPI
		api = &s
	}
	a := &analysis.Analyzer{Name: "apiversion", Doc: doc}
	common.APIFlag(&a.Flags, api)
	a.Run = func(pass *analysis.Pass) (any, error) { run(pass, *api); return nil, nil }
	return a
}

// Categories.
const (
	catMissing = "missing"  // no APIVersion, or no value
	catKind    = "kind"     // a constant, function or type
	catType    = "type"     // a variable of another type than string
	catStale   = "stale"    // a literal that differs from the API's value
	catLiteral = "literal"  // a literal equal to the API's value (warning)
	catValue   = "computed" // some other expression
)

func run(pass *analysis.Pass, api string) {
	p := common.ClassifyPlugin(pass, api)
	if p == nil {
		return
	}
	ref := api + ".APIVersion"
	if p.API != nil {
		ref = p.API.Name() + ".APIVersion"
	}
	want := "var APIVersion = " + ref
	obj := pass.Pkg.Scope().Lookup(common.SymbolAPIVersion)
	if obj == nil {
		missing(pass, p, api, want)
		return
	}
	pos, end := obj.Pos(), obj.Pos()+token.Pos(len(obj.Name()))
	qual := common.Qualifier(pass.Pkg)
	switch obj := obj.(type) {
	case *types.Const:
		var edits []analysis.TextEdit
		if gd, _ := common.Decl(pass, obj); gd != nil {
			if gd := gd.(*ast.GenDecl); !gd.Lparen.IsValid() {
				edits = []analysis.TextEdit{{Pos: gd.TokPos, End: gd.TokPos + token.Pos(len("const")), NewText: []byte("var")}}
			}
		}
		common.Report(pass, pos, end, catKind,
			"APIVersion is a constant: constants are not plugin symbols, so the host's Lookup(\"APIVersion\") fails and it skips the plugin",
			"declare it as "+want, edits)
		return
	case *types.Func:
		common.Report(pass, pos, end, catKind, "APIVersion is a function, not a string variable: the host's assertion to *string fails", "declare "+want, nil)
		return
	case *types.TypeName:
		common.Report(pass, pos, end, catKind, "APIVersion is a type, not a string variable: the host's Lookup(\"APIVersion\") fails", "declare "+want, nil)
		return
	case *types.Var:
		if !types.Identical(obj.Type(), types.Typ[types.String]) {
			t := types.TypeString(obj.Type(), qual)
			common.Report(pass, pos, end, catType,
				fmt.Sprintf("APIVersion has type %s: Lookup gives the host a *%s, not the *string it asserts", t, t),
				"declare it as "+want, nil)
			return
		}
		checkValue(pass, p, obj, api, ref, want)
	}
}

// checkValue checks the initializer of the string variable APIVersion.
func checkValue(pass *analysis.Pass, p *common.Plugin, v *types.Var, api, ref, want string) {
	_, spec := common.Decl(pass, v)
	vs, _ := spec.(*ast.ValueSpec)
	if vs == nil {
		return
	}
	idx := -1
	for i, n := range vs.Names {
		if n.Name == v.Name() {
			idx = i
		}
	}
	file := common.FileOf(pass, v.Pos())
	name, imports := apiName(file, p, api)
	if len(vs.Values) == 0 {
		var edits []analysis.TextEdit
		if len(vs.Names) == 1 && p.API != nil && vs.Type != nil {
			edits = append(imports, analysis.TextEdit{Pos: vs.Type.End(), End: vs.Type.End(), NewText: []byte(" = " + name + ".APIVersion")})
		}
		common.Report(pass, vs.Names[idx].Pos(), vs.Names[idx].End(), catMissing,
			"APIVersion has no initializer: its value is whatever code sets it at run time, not the API this plugin was compiled against",
			"declare it as "+want, edits)
		return
	}
	if len(vs.Values) != len(vs.Names) {
		// var APIVersion, err = f(): computed, and no mechanical fix.
		common.Report(pass, vs.Names[idx].Pos(), vs.Names[idx].End(), catValue,
			fmt.Sprintf("APIVersion is set from a function call, not %s: the host compares it with its own %s", ref, ref),
			"declare it as "+want, nil)
		return
	}
	val := vs.Values[idx]
	if refersToAPIVersion(pass, val, p.API) {
		return
	}
	var edits []analysis.TextEdit
	if p.API != nil {
		edits = append(imports, analysis.TextEdit{Pos: val.Pos(), End: val.End(), NewText: []byte(name + ".APIVersion")})
	}
	fix := "use " + ref
	tv := pass.TypesInfo.Types[val]
	if tv.Value == nil || tv.Value.Kind() != constant.String {
		common.Report(pass, val.Pos(), val.End(), catValue,
			fmt.Sprintf("APIVersion is set to %s, not %s: the host compares it with its own %s", render(pass.Fset, val), ref, ref),
			fix, edits)
		return
	}
	lit := constant.StringVal(tv.Value)
	apiVal, known := apiValue(p.API)
	switch {
	case known && lit == apiVal:
		common.Report(pass, val.Pos(), val.End(), catLiteral,
			fmt.Sprintf("APIVersion is the hand-copied literal %q: it equals %s today but goes stale when the API changes", lit, ref),
			fix, edits)
	case known:
		common.Report(pass, val.Pos(), val.End(), catStale,
			fmt.Sprintf("APIVersion is the hand-copied literal %q, but %s is %q: the host refuses this plugin", lit, ref, apiVal),
			fix, edits)
	default:
		common.Report(pass, val.Pos(), val.End(), catStale,
			fmt.Sprintf("APIVersion is the hand-copied literal %q, not %s", lit, ref),
			fix, edits)
	}
}

// missing reports a plugin without APIVersion, at a near miss
// (apiVersion, ApiVersion, Version) or at New.
func missing(pass *analysis.Pass, p *common.Plugin, api, want string) {
	var near types.Object
	scope := pass.Pkg.Scope()
	for _, n := range scope.Names() {
		if strings.EqualFold(n, common.SymbolAPIVersion) || n == "Version" {
			near = scope.Lookup(n)
			break
		}
	}
	at := near
	if at == nil {
		at = p.New
	}
	if at == nil && len(p.Candidates) > 0 {
		at = p.Candidates[0]
	}
	if at == nil {
		return
	}
	msg := "plugin declares no APIVersion: the host checks it before anything else and skips the plugin without it"
	if near != nil {
		msg = fmt.Sprintf("plugin declares no APIVersion (found %s): the host looks up \"APIVersion\" before anything else and skips the plugin without it", near.Name())
	}
	var edits []analysis.TextEdit
	file := common.FileOf(pass, at.Pos())
	if p.API != nil && file != nil {
		name, imports := apiName(file, p, api)
		decl := fmt.Sprintf("\n\n// APIVersion is the API version this plugin was compiled against.\nvar APIVersion = %s.APIVersion", name)
		at := file.Name.End()
		for _, d := range file.Decls {
			if gd, ok := d.(*ast.GenDecl); ok && gd.Tok == token.IMPORT {
				at = gd.End()
			}
		}
		if len(imports) > 0 && imports[0].Pos == file.Name.End() {
			// The import goes right after the package clause too: one edit.
			imports[0].NewText = append(imports[0].NewText, decl...)
			edits = imports
		} else {
			edits = append(imports, analysis.TextEdit{Pos: at, End: at, NewText: []byte(decl)})
		}
	}
	common.Report(pass, at.Pos(), at.Pos()+token.Pos(len(at.Name())), catMissing, msg, "declare "+want, edits)
}

// apiName returns the name by which file refers to the API package, and
// the edits that import it first when file does not.
func apiName(file *ast.File, p *common.Plugin, api string) (string, []analysis.TextEdit) {
	if p.API == nil || file == nil {
		return "", nil
	}
	if n := common.ImportName(file, api, p.API.Name()); n != "" && n != "_" && n != "." {
		return n, nil
	}
	return p.API.Name(), common.AddImport(file, api)
}

// refersToAPIVersion reports whether e is the API's APIVersion constant.
func refersToAPIVersion(pass *analysis.Pass, e ast.Expr, api *types.Package) bool {
	var id *ast.Ident
	switch e := ast.Unparen(e).(type) {
	case *ast.Ident:
		id = e
	case *ast.SelectorExpr:
		id = e.Sel
	default:
		return false
	}
	obj := pass.TypesInfo.Uses[id]
	return obj != nil && obj.Name() == common.SymbolAPIVersion && obj.Pkg() != nil && api != nil && obj.Pkg().Path() == api.Path()
}

func apiValue(api *types.Package) (string, bool) {
	if api == nil {
		return "", false
	}
	c, ok := api.Scope().Lookup(common.SymbolAPIVersion).(*types.Const)
	if !ok || c.Val().Kind() != constant.String {
		return "", false
	}
	return constant.StringVal(c.Val()), true
}

func render(fset *token.FileSet, e ast.Expr) string {
	var b bytes.Buffer
	if err := format.Node(&b, fset, e); err != nil || b.Len() > 60 {
		return "an expression"
	}
	return b.String()
}

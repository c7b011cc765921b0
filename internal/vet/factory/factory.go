// Package factory defines the factory analyzer: a plugin's New must be an
// exported top-level function of exactly the type the host asserts,
// func() <api>.Plugin.
package factory

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/analysis"

	"github.com/pluginctl/pluginctl/internal/vet/internal/common"
)

const doc = `check a plugin's New factory

A plugin package (package main declaring a top-level New, or importing the
API package and declaring New-like factories) must export

	func New() <api>.Plugin

exactly: the host asserts the looked-up symbol to <api>.NewFunc. The
analyzer reports a New of another type, a New that is a variable (Lookup
gives the host a pointer to it), a constant, a type or a generic
function, and a plugin without New, naming what it has instead (for
example NewPlugin). Suggested fixes rename a lone correct factory to New,
turn "var New = func() ..." into a function, and change a concrete result
type to <api>.Plugin.`

// Analyzer checks New against the default API package; -api changes it.
var Analyzer = NewAnalyzer(nil)

// NewAnalyzer returns a factory analyzer checking against the API package
// whose import path is *api (common.DefaultAPI when api is nil). The -api
// flag sets *api.
func NewAnalyzer(api *string) *analysis.Analyzer {
	if api == nil {
		s := common.DefaultAPI
		api = &s
	}
	a := &analysis.Analyzer{Name: "factory", Doc: doc}
	common.APIFlag(&a.Flags, api)
	a.Run = func(pass *analysis.Pass) (any, error) { run(pass, *api); return nil, nil }
	return a
}

// Categories.
const (
	catMissing = "missing" // no New
	catType    = "type"    // New of the wrong type
	catKind    = "kind"    // New is not a function
)

func run(pass *analysis.Pass, api string) {
	p := common.ClassifyPlugin(pass, api)
	if p == nil {
		return
	}
	qual := common.Qualifier(pass.Pkg)
	want := p.NewType()
	wantStr := "func() " + api + ".Plugin"
	if want != nil {
		wantStr = types.TypeString(want, qual)
	}
	if p.New == nil {
		missing(pass, p, want, wantStr)
		return
	}
	obj := p.New
	pos, end := obj.Pos(), obj.Pos()+token.Pos(len(obj.Name()))
	switch obj := obj.(type) {
	case *types.Func:
		sig := obj.Signature()
		switch {
		case sig.TypeParams().Len() > 0:
			common.Report(pass, pos, end, catKind,
				"New is a generic function: a plugin exports only instantiated code, so the host's Lookup(\"New\") fails",
				"declare it as "+declString(wantStr), nil)
		case want == nil:
			common.Report(pass, pos, end, catType,
				fmt.Sprintf("New has type %s, want %s, but the plugin does not import %s", types.TypeString(sig, qual), wantStr, api),
				fmt.Sprintf("import %q and declare %s", api, declString(wantStr)), nil)
		case !types.Identical(sig, want):
			var edits []analysis.TextEdit
			fix := "declare it as " + declString(wantStr)
			if e := resultFix(pass, p, obj, api); e != nil {
				edits, fix = e, "return "+types.TypeString(p.PluginType, qual)+" instead of "+types.TypeString(sig.Results().At(0).Type(), qual)
			}
			common.Report(pass, pos, end, catType,
				fmt.Sprintf("New has type %s, want %s: the host's assertion to %s fails", types.TypeString(sig, qual), wantStr, assertTarget(p, wantStr)),
				fix, edits)
		}
	case *types.Var:
		var edits []analysis.TextEdit
		if want != nil {
			edits = varToFunc(pass, obj, want)
		}
		common.Report(pass, pos, end, catKind,
			fmt.Sprintf("New is a variable of type %s: Lookup gives the host a pointer to it (*%s), not a %s", types.TypeString(obj.Type(), qual), types.TypeString(obj.Type(), qual), wantStr),
			"declare New as a function: "+declString(wantStr), edits)
	case *types.Const:
		common.Report(pass, pos, end, catKind, "New is a constant: constants are not plugin symbols, the host's Lookup(\"New\") fails", "declare "+declString(wantStr), nil)
	case *types.TypeName:
		common.Report(pass, pos, end, catKind, "New is a type: types are not plugin symbols, the host's Lookup(\"New\") fails", "declare "+declString(wantStr), nil)
	}
}

// declString turns "func() T" into "func New() T".
func declString(want string) string { return "func New" + strings.TrimPrefix(want, "func") }

func missing(pass *analysis.Pass, p *common.Plugin, want *types.Signature, wantStr string) {
	names := make([]string, len(p.Candidates))
	for i, c := range p.Candidates {
		names[i] = c.Name()
	}
	first := p.Candidates[0]
	pos, end := first.Pos(), first.Pos()+token.Pos(len(first.Name()))
	msg := fmt.Sprintf("plugin has no New; found %s: the host looks up \"New\" and skips the plugin", strings.Join(names, ", "))
	fix := "declare " + declString(wantStr)
	var edits []analysis.TextEdit
	if len(p.Candidates) == 1 && want != nil && types.Identical(first.Signature(), want) {
		fix = "rename " + first.Name() + " to New"
		edits = append(edits, analysis.TextEdit{Pos: first.Pos(), End: end, NewText: []byte("New")})
		for id, obj := range pass.TypesInfo.Uses {
			if obj == first {
				edits = append(edits, analysis.TextEdit{Pos: id.Pos(), End: id.End(), NewText: []byte("New")})
			}
		}
	}
	common.Report(pass, pos, end, catMissing, msg, fix, edits)
}

// resultFix changes the result type of New to <api>.Plugin when New takes
// no parameters and returns one value implementing it.
func resultFix(pass *analysis.Pass, p *common.Plugin, fn *types.Func, api string) []analysis.TextEdit {
	sig := fn.Signature()
	if sig.Params().Len() != 0 || sig.Results().Len() != 1 {
		return nil
	}
	iface, _ := p.PluginType.Underlying().(*types.Interface)
	if iface == nil || !types.Implements(sig.Results().At(0).Type(), iface) {
		return nil
	}
	decl, _ := common.Decl(pass, fn)
	fd, _ := decl.(*ast.FuncDecl)
	if fd == nil || fd.Type.Results == nil || len(fd.Type.Results.List) != 1 {
		return nil
	}
	name := common.ImportName(common.FileOf(pass, fn.Pos()), api, p.API.Name())
	if name == "" || name == "." || name == "_" {
		return nil
	}
	r := fd.Type.Results
	return []analysis.TextEdit{{Pos: r.Pos(), End: r.End(), NewText: []byte(name + ".Plugin")}}
}

// varToFunc rewrites "var New = func() T { ... }" as "func New() T { ... }".
func varToFunc(pass *analysis.Pass, v *types.Var, want *types.Signature) []analysis.TextEdit {
	decl, spec := common.Decl(pass, v)
	gd, _ := decl.(*ast.GenDecl)
	vs, _ := spec.(*ast.ValueSpec)
	if gd == nil || vs == nil || gd.Lparen.IsValid() || len(vs.Names) != 1 || len(vs.Values) != 1 || vs.Type != nil {
		return nil
	}
	lit, ok := vs.Values[0].(*ast.FuncLit)
	if !ok || !types.Identical(pass.TypesInfo.TypeOf(lit), want) {
		return nil
	}
	// Replace "var New = func" by "func New".
	return []analysis.TextEdit{{Pos: gd.Pos(), End: lit.Type.Func + 4, NewText: []byte("func New")}}
}

// assertTarget names what a host asserts New to: <api>.NewFunc when the
// API declares it, else the function type.
func assertTarget(p *common.Plugin, wantStr string) string {
	if p.API.Scope().Lookup("NewFunc") != nil {
		return p.API.Name() + ".NewFunc"
	}
	return wantStr
}

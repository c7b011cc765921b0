// Package capabilities defines the capabilities analyzer: a plugin's
// optional Capabilities and Init exports must have the types the host
// asserts, func() []string and func(<api>.Host) error.
package capabilities

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/analysis"

	"github.com/pluginctl/pluginctl/internal/vet/internal/common"
)

const doc = `check a plugin's Capabilities and Init

Both are optional, but when a plugin declares them the host asserts them
with comma-ok and skips the plugin if the type differs:

	func Capabilities() []string
	func Init(host <api>.Host) error

The analyzer reports either of them with another signature, or declared
as a variable (Lookup gives the host a pointer to it), constant or type.
Suggested fixes turn "var Capabilities = []string{...}" into a function
returning the list, and "var Init = func(...) error {...}" into a
function.`

// Analyzer checks against the default API package.
var Analyzer = NewAnalyzer(nil)

// NewAnalyzer returns a capabilities analyzer checking against the API
// package *api (common.DefaultAPI when nil); -api sets *api.
func NewAnalyzer(api *string) *analysis.Analyzer {
	if api == nil {
		s := common.DefaultAPI
		api = &s
	}
	a := &analysis.Analyzer{Name: "capabilities", Doc: doc}
	common.APIFlag(&a.Flags, api)
	a.Run = func(pass *analysis.Pass) (any, error) { run(pass, *api); return nil, nil }
	return a
}

// Categories: the symbol concerned and the problem.
const (
	catType = "type" // a function of another type
	catKind = "kind" // not a function
)

func run(pass *analysis.Pass, api string) {
	p := common.ClassifyPlugin(pass, api)
	if p == nil {
		return
	}
	qual := common.Qualifier(pass.Pkg)
	strs := types.NewSlice(types.Typ[types.String])
	capsWant := types.NewSignatureType(nil, nil, nil, nil, types.NewTuple(types.NewVar(token.NoPos, nil, "", strs)), false)
	check(pass, p, common.SymbolCapabilities, capsWant, "func Capabilities() []string", "ErrBadCapabilities", qual)

	var initWant *types.Signature
	initStr := "func Init(host " + api + ".Host) error"
	if p.HostType != nil {
		params := types.NewTuple(types.NewVar(token.NoPos, nil, "host", p.HostType))
		errType := types.Universe.Lookup("error").Type()
		initWant = types.NewSignatureType(nil, nil, nil, params, types.NewTuple(types.NewVar(token.NoPos, nil, "", errType)), false)
		initStr = "func Init(host " + types.TypeString(p.HostType, qual) + ") error"
	}
	check(pass, p, common.SymbolInit, initWant, initStr, "ErrBadInit", qual)
}

// check checks the optional symbol name against want (nil: the API is
// not reachable, so any Init is wrong).
func check(pass *analysis.Pass, p *common.Plugin, name string, want *types.Signature, wantStr, sentinel string, qual types.Qualifier) {
	obj := pass.Pkg.Scope().Lookup(name)
	if obj == nil {
		return
	}
	pos, end := obj.Pos(), obj.Pos()+token.Pos(len(name))
	fix := "declare " + wantStr
	skip := fmt.Sprintf("the host's assertion fails and the loader skips the plugin (%s)", sentinel)
	switch obj := obj.(type) {
	case *types.Func:
		sig := obj.Signature()
		if want != nil && types.Identical(sig, want) {
			return
		}
		msg := fmt.Sprintf("%s has type %s, want %s: %s", name, types.TypeString(sig, qual), trimName(wantStr, name), skip)
		if want == nil {
			msg = fmt.Sprintf("%s has type %s, want %s, but the plugin does not import the API package", name, types.TypeString(sig, qual), trimName(wantStr, name))
		}
		common.Report(pass, pos, end, catType, msg, hint(name, sig, want, wantStr, qual), nil)
	case *types.Var:
		t := types.TypeString(obj.Type(), qual)
		var edits []analysis.TextEdit
		if want != nil {
			edits = varToFunc(pass, obj, want, name)
		}
		common.Report(pass, pos, end, catKind,
			fmt.Sprintf("%s is a variable of type %s: Lookup gives the host a *%s, %s", name, t, t, skip),
			fix, edits)
	default:
		common.Report(pass, pos, end, catKind,
			fmt.Sprintf("%s is a %s, not a function: %s", name, kind(obj), skip), fix, nil)
	}
}

func kind(obj types.Object) string {
	switch obj.(type) {
	case *types.Const:
		return "constant"
	case *types.TypeName:
		return "type"
	}
	return "declaration"
}

// trimName turns "func Init(host pluginapi.Host) error" into
// "func(host pluginapi.Host) error".
func trimName(decl, name string) string {
	return "func" + decl[len("func "+name):]
}

// hint gives the fix for the usual mistakes.
func hint(name string, got, want *types.Signature, wantStr string, qual types.Qualifier) string {
	if want == nil {
		return "import the API package and declare " + wantStr
	}
	if name == common.SymbolInit {
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

// varToFunc rewrites "var Capabilities = []string{...}" as a function
// returning the list, and "var X = func..." as "func X...".
func varToFunc(pass *analysis.Pass, v *types.Var, want *types.Signature, name string) []analysis.TextEdit {
	decl, spec := common.Decl(pass, v)
	gd, _ := decl.(*ast.GenDecl)
	vs, _ := spec.(*ast.ValueSpec)
	if gd == nil || vs == nil || gd.Lparen.IsValid() || len(vs.Names) != 1 || len(vs.Values) != 1 {
		return nil
	}
	val := vs.Values[0]
	if lit, ok := val.(*ast.FuncLit); ok && vs.Type == nil && types.Identical(pass.TypesInfo.TypeOf(lit), want) {
		return []analysis.TextEdit{{Pos: gd.Pos(), End: lit.Type.Func + 4, NewText: []byte("func " + name)}}
	}
	if name != common.SymbolCapabilities {
		return nil
	}
	if _, ok := val.(*ast.CompositeLit); !ok || !types.Identical(pass.TypesInfo.TypeOf(val), want.Results().At(0).Type()) {
		return nil
	}
	// var Capabilities = []string{...}  ->  func Capabilities() []string { return []string{...} }
	return []analysis.TextEdit{
		{Pos: gd.Pos(), End: val.Pos(), NewText: []byte("func Capabilities() []string { return ")},
		{Pos: val.End(), End: val.End(), NewText: []byte(" }")},
	}
}

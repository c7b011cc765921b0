// Package hostload defines the hostload analyzer: code that opens plugins
// itself must follow the careful-host rules that package
// <api>/loader implements: assert looked-up symbols with comma-ok, and
// check APIVersion before trusting any other symbol.
package hostload

import (
	"fmt"
	"go/ast"
	"go/constant"
	"go/types"
	"sort"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/types/typeutil"

	"github.com/pluginctl/pluginctl/internal/vet/internal/common"
	"github.com/pluginctl/pluginctl/pluginapi"
)

const doc = `check how a host loads plugins

In packages that import "plugin", the analyzer reports

  - a type assertion of a looked-up plugin.Symbol without comma-ok
    (x := sym.(T)): a plugin whose symbol has another type panics the
    host instead of being skipped;
  - plugin.Open in a package that never looks up APIVersion (and does
    not use <api>/loader, whose Check does it), and a
    function that looks up another symbol before APIVersion: the version
    check must come first, before any other symbol is trusted.

The fix in both cases is to load plugins with <api>/loader (loader.Load,
loader.Open or loader.Check), which does all of this.`

// NewAnalyzer returns a hostload analyzer; cfg.API names the API package
// whose loader the fixes point to.
func NewAnalyzer(cfg *common.Config) *analysis.Analyzer {
	a := &analysis.Analyzer{Name: "hostload", Doc: doc}
	a.Run = func(pass *analysis.Pass) (any, error) { run(pass, cfg); return nil, nil }
	return a
}

// Categories.
const (
	catUnchecked = "unchecked-assertion"
	catNoVersion = "no-version"
	catOrder     = "order"
)

type lookup struct {
	call *ast.CallExpr
	name string // constant symbol name, "" if not constant
	fn   ast.Node
}

func run(pass *analysis.Pass, cfg *common.Config) {
	api := cfg.API
	if !common.ImportsDirectly(pass.Pkg, "plugin") || pass.Pkg.Path() == api+"/loader" {
		return
	}
	// The loader exists for pluginctl's own API package; a project's own
	// API gets the advice without it.
	loaderFix := ""
	if api == pluginapi.ImportPath {
		loaderFix = fmt.Sprintf(", or load plugins with %s/loader (loader.Load), which checks APIVersion first and asserts every symbol with comma-ok", api)
	}
	// An API package without an APIVersion constant has nothing to check
	// first: the version advice is for APIs that have one.
	versioned := false
	if a := common.FindAPI(pass.Pkg, api); a != nil {
		_, versioned = a.Scope().Lookup("APIVersion").(*types.Const)
	}

	// Comma-ok assertions (v, ok := x.(T) and var v, ok = x.(T)), opens
	// and lookups; unchecked assertions are reported on the way.
	commaOK := map[*ast.TypeAssertExpr]bool{}
	var opens []*ast.CallExpr
	var lookups []lookup
	for _, f := range pass.Files {
		var fnStack []ast.Node
		ast.Inspect(f, func(n ast.Node) bool {
			if n == nil {
				fnStack = fnStack[:len(fnStack)-1]
				return true
			}
			fnStack = append(fnStack, n)
			switch n := n.(type) {
			case *ast.AssignStmt:
				if len(n.Lhs) == 2 && len(n.Rhs) == 1 {
					if ta, ok := ast.Unparen(n.Rhs[0]).(*ast.TypeAssertExpr); ok {
						commaOK[ta] = true
					}
				}
			case *ast.ValueSpec:
				if len(n.Names) == 2 && len(n.Values) == 1 {
					if ta, ok := ast.Unparen(n.Values[0]).(*ast.TypeAssertExpr); ok {
						commaOK[ta] = true
					}
				}
			case *ast.TypeAssertExpr:
				// Unchecked assertions of symbols (the statement making
				// it comma-ok was visited first).
				if n.Type == nil || commaOK[n] || !isSymbol(pass.TypesInfo.TypeOf(n.X)) {
					break
				}
				t := types.TypeString(pass.TypesInfo.TypeOf(n.Type), common.Qualifier(pass.Pkg))
				common.Report(pass, n.Pos(), n.End(), catUnchecked,
					fmt.Sprintf("type assertion of a looked-up plugin symbol to %s without comma-ok: a plugin whose symbol has another type panics the host", t),
					"use v, ok := sym.("+t+") and skip the plugin when !ok"+loaderFix, nil)
			case *ast.CallExpr:
				fn, ok := typeutil.Callee(pass.TypesInfo, n).(*types.Func)
				if !ok || fn.Pkg() == nil || fn.Pkg().Path() != "plugin" {
					break
				}
				switch {
				case fn.Name() == "Open" && fn.Signature().Recv() == nil:
					opens = append(opens, n)
				case fn.Name() == "Lookup" && fn.Signature().Recv() != nil && len(n.Args) == 1:
					l := lookup{call: n, fn: enclosingFunc(fnStack)}
					if tv := pass.TypesInfo.Types[n.Args[0]]; tv.Value != nil && tv.Value.Kind() == constant.String {
						l.name = constant.StringVal(tv.Value)
					}
					lookups = append(lookups, l)
				}
			}
			return true
		})
	}

	// APIVersion first.
	checksVersion := false
	for _, l := range lookups {
		if l.name == "APIVersion" {
			checksVersion = true
		}
	}
	// A package that uses the loader (loader.Check on an opened plugin)
	// has it check APIVersion.
	if common.ImportsDirectly(pass.Pkg, api+"/loader") {
		checksVersion = true
	}
	if !checksVersion {
		if !versioned {
			return
		}
		sites := opens
		if len(sites) == 0 && len(lookups) > 0 {
			sites = []*ast.CallExpr{lookups[0].call}
		}
		for _, c := range sites {
			common.Report(pass, c.Pos(), c.End(), catNoVersion,
				"plugins are opened here but APIVersion is never looked up: a plugin built against another API is trusted until it breaks",
				"look up APIVersion first and compare *sym.(*string) with the host's APIVersion"+loaderFix, nil)
		}
		return
	}
	byFunc := map[ast.Node][]lookup{}
	for _, l := range lookups {
		byFunc[l.fn] = append(byFunc[l.fn], l)
	}
	var fns []ast.Node
	for fn := range byFunc {
		fns = append(fns, fn)
	}
	sort.Slice(fns, func(i, j int) bool { return fns[i].Pos() < fns[j].Pos() })
	for _, fn := range fns {
		ls := byFunc[fn]
		sort.Slice(ls, func(i, j int) bool { return ls[i].call.Pos() < ls[j].call.Pos() })
		versionAt := -1
		for i, l := range ls {
			if l.name == "APIVersion" {
				versionAt = i
				break
			}
		}
		for _, l := range ls[:max(versionAt, 0)] {
			name := l.name
			if name == "" {
				name = "a symbol"
			} else {
				name = fmt.Sprintf("%q", name)
			}
			common.Report(pass, l.call.Pos(), l.call.End(), catOrder,
				fmt.Sprintf("looks up %s before checking APIVersion: nothing from a plugin should be trusted before its API version matches", name),
				"look up and compare APIVersion first"+loaderFix, nil)
		}
	}
}

func enclosingFunc(stack []ast.Node) ast.Node {
	for i := len(stack) - 1; i >= 0; i-- {
		switch stack[i].(type) {
		case *ast.FuncDecl, *ast.FuncLit:
			return stack[i]
		}
	}
	return nil
}

// isSymbol reports whether t is plugin.Symbol.
func isSymbol(t types.Type) bool {
	n, ok := t.(*types.Named)
	if !ok {
		if a, ok := t.(*types.Alias); ok {
			return isSymbol(types.Unalias(a))
		}
		return false
	}
	obj := n.Obj()
	return obj.Pkg() != nil && obj.Pkg().Path() == "plugin" && obj.Name() == "Symbol"
}

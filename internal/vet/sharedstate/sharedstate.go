// Package sharedstate defines the sharedstate analyzer: an exported
// package-level variable of a plugin is memory the host can reach (Lookup
// returns a pointer to it), so the plugin must not write it without
// atomics or a mutex.
package sharedstate

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/types/typeutil"

	"github.com/pluginctl/pluginctl/internal/vet/internal/common"
)

const doc = `check writes to a plugin's exported variables

plugin.Lookup of an exported variable gives the host a pointer to the
plugin's own variable: both sides share that memory. The analyzer reports
every write to an exported package-level variable of a plugin package
(assignment, ++/--, op-assignment, map or slice element, field, delete or
clear) made in a function without holding a sync.Mutex/RWMutex (a Lock
call earlier in the same function) and outside sync.Once.Do. Package
initialization (init functions and variable initializers) and the
plugin's Init, which the host calls once before using the plugin, are
not reported. Plain integer increments get a suggested fix to sync/atomic.`

// NewAnalyzer returns a sharedstate analyzer for the project cfg
// describes (which packages are plugins).
func NewAnalyzer(cfg *common.Config) *analysis.Analyzer {
	a := &analysis.Analyzer{Name: "sharedstate", Doc: doc}
	a.Run = func(pass *analysis.Pass) (any, error) { run(pass, cfg); return nil, nil }
	return a
}

const catWrite = "write"

func run(pass *analysis.Pass, cfg *common.Config) {
	if !cfg.IsPlugin(pass) {
		return
	}
	exported := map[*types.Var]bool{}
	scope := pass.Pkg.Scope()
	for _, n := range scope.Names() {
		if v, ok := scope.Lookup(n).(*types.Var); ok && v.Exported() && n != "PluginctlMetadata" {
			exported[v] = true
		}
	}
	if len(exported) == 0 {
		return
	}
	for _, f := range pass.Files {
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Body == nil {
				continue
			}
			if fd.Recv == nil && (fd.Name.Name == "init" || fd.Name.Name == "Init") {
				continue
			}
			checkFunc(pass, f, fd.Body, exported)
		}
	}
}

// checkFunc checks one function body; function literals are checked as
// functions of their own.
func checkFunc(pass *analysis.Pass, file *ast.File, body *ast.BlockStmt, exported map[*types.Var]bool) {
	var locks []token.Pos // positions of Lock calls in this function
	ast.Inspect(body, func(n ast.Node) bool {
		if call, ok := n.(*ast.CallExpr); ok && isLock(pass, call) {
			locks = append(locks, call.Pos())
		}
		_, lit := n.(*ast.FuncLit)
		return !lit
	})
	locked := func(pos token.Pos) bool {
		for _, l := range locks {
			if l < pos {
				return true
			}
		}
		return false
	}
	write := func(n ast.Node, lhs ast.Expr, how string) {
		v := root(pass, lhs)
		if v == nil || !exported[v] || locked(n.Pos()) {
			return
		}
		t := types.TypeString(v.Type(), common.Qualifier(pass.Pkg))
		msg := fmt.Sprintf("exported variable %s is written here (%s) without atomics or a mutex: plugin.Lookup(%q) gives the host a *%s to the same memory",
			v.Name(), how, v.Name(), t)
		fix := fmt.Sprintf("use sync/atomic (an atomic.Int64 or atomic.AddInt64(&%s, 1)), guard every access with a mutex, or unexport %s", v.Name(), v.Name())
		edits, afix := atomicFix(pass, file, n, v)
		if edits != nil {
			fix = afix
		}
		common.Report(pass, n.Pos(), n.End(), catWrite, msg, fix, edits)
	}
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			if !onceDo(pass, n) {
				checkFunc(pass, file, n.Body, exported)
			}
			return false
		case *ast.AssignStmt:
			if n.Tok == token.DEFINE {
				return true
			}
			for _, l := range n.Lhs {
				write(n, l, n.Tok.String())
			}
		case *ast.IncDecStmt:
			write(n, n.X, n.Tok.String())
		case *ast.RangeStmt:
			if n.Tok == token.ASSIGN {
				if n.Key != nil {
					write(n, n.Key, "range")
				}
				if n.Value != nil {
					write(n, n.Value, "range")
				}
			}
		case *ast.CallExpr:
			if b, ok := typeutil.Callee(pass.TypesInfo, n).(*types.Builtin); ok && (b.Name() == "delete" || b.Name() == "clear") && len(n.Args) > 0 {
				write(n, n.Args[0], b.Name())
			}
		}
		return true
	})
}

// root returns the package-level variable an assignment target writes
// into: V, V.f, V[i], *V, (V).
func root(pass *analysis.Pass, e ast.Expr) *types.Var {
	for {
		switch x := e.(type) {
		case *ast.ParenExpr:
			e = x.X
		case *ast.SelectorExpr:
			if sel := pass.TypesInfo.Selections[x]; sel == nil {
				// A qualified identifier pkg.V: another package.
				return nil
			}
			e = x.X
		case *ast.IndexExpr:
			e = x.X
		case *ast.StarExpr:
			e = x.X
		case *ast.Ident:
			v, _ := pass.TypesInfo.Uses[x].(*types.Var)
			if v == nil || v.Parent() != pass.Pkg.Scope() {
				return nil
			}
			return v
		default:
			return nil
		}
	}
}

// isLock reports whether call locks a sync.Mutex or sync.RWMutex.
func isLock(pass *analysis.Pass, call *ast.CallExpr) bool {
	fn, ok := typeutil.Callee(pass.TypesInfo, call).(*types.Func)
	if !ok || fn.Pkg() == nil || fn.Pkg().Path() != "sync" {
		return false
	}
	return fn.Name() == "Lock" || fn.Name() == "TryLock"
}

// onceDo reports whether lit is the argument of a sync.Once's Do.
func onceDo(pass *analysis.Pass, lit *ast.FuncLit) bool {
	found := false
	for _, f := range pass.Files {
		if f.FileStart > lit.Pos() || lit.Pos() > f.FileEnd {
			continue
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if found {
				return false
			}
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) != 1 || call.Args[0] != lit {
				return true
			}
			fn, ok := typeutil.Callee(pass.TypesInfo, call).(*types.Func)
			found = ok && fn.Pkg() != nil && fn.Pkg().Path() == "sync" && fn.Name() == "Do"
			return false
		})
	}
	return found
}

// atomicFix rewrites V++, V--, V += x and V -= x on a plain integer
// variable V as the sync/atomic call.
func atomicFix(pass *analysis.Pass, file *ast.File, n ast.Node, v *types.Var) ([]analysis.TextEdit, string) {
	b, ok := v.Type().(*types.Basic)
	if !ok {
		return nil, ""
	}
	var fn string
	switch b.Kind() {
	case types.Int32:
		fn = "AddInt32"
	case types.Int64:
		fn = "AddInt64"
	case types.Uint32:
		fn = "AddUint32"
	case types.Uint64:
		fn = "AddUint64"
	default:
		return nil, ""
	}
	var lhs ast.Expr
	delta := ""
	switch n := n.(type) {
	case *ast.IncDecStmt:
		lhs = n.X
		delta = "1"
		if n.Tok == token.DEC {
			if b.Info()&types.IsUnsigned != 0 {
				return nil, ""
			}
			delta = "-1"
		}
	case *ast.AssignStmt:
		if len(n.Lhs) != 1 || len(n.Rhs) != 1 || (n.Tok != token.ADD_ASSIGN && n.Tok != token.SUB_ASSIGN) {
			return nil, ""
		}
		if n.Tok == token.SUB_ASSIGN && b.Info()&types.IsUnsigned != 0 {
			return nil, ""
		}
		lhs = n.Lhs[0]
		src, err := source(pass, n.Rhs[0])
		if err != nil {
			return nil, ""
		}
		delta = src
		if n.Tok == token.SUB_ASSIGN {
			delta = "-(" + src + ")"
		}
	default:
		return nil, ""
	}
	if id, ok := lhs.(*ast.Ident); !ok || id.Name != v.Name() {
		return nil, ""
	}
	name := common.ImportName(file, "sync/atomic", "atomic")
	edits := []analysis.TextEdit(nil)
	if name == "" {
		if file.Scope != nil && file.Scope.Lookup("atomic") != nil || pass.Pkg.Scope().Lookup("atomic") != nil {
			return nil, ""
		}
		name = "atomic"
		edits = common.AddImport(file, "sync/atomic")
	} else if name == "_" || name == "." {
		return nil, ""
	}
	call := fmt.Sprintf("%s.%s(&%s, %s)", name, fn, v.Name(), delta)
	edits = append(edits, analysis.TextEdit{Pos: n.Pos(), End: n.End(), NewText: []byte(call)})
	return edits, fmt.Sprintf("use %s (and atomic loads wherever %s is read)", call, v.Name())
}

func source(pass *analysis.Pass, e ast.Expr) (string, error) {
	f := pass.Fset.File(e.Pos())
	content, err := pass.ReadFile(f.Name())
	if err != nil {
		return "", err
	}
	return string(content[f.Offset(e.Pos()):f.Offset(e.End())]), nil
}

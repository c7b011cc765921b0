package main

import (
	"go/ast"
	"go/constant"
	"go/types"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/tools/go/packages"

	"github.com/pluginctl/pluginctl/internal/diag"
)

// TestExitCodeTable: every exit code the binary can return is in
// diag.ExitCodes (pluginctl help exit-codes) and the manual generated from
// it (doc.go), and they list no other. The codes
// are read from the source: the constants returned by every ExitCode
// method or given as the code of an exitError or a diag.EnvError, in
// every package of the module, and those main passes to os.Exit.
func TestExitCodeTable(t *testing.T) {
	if testing.Short() {
		t.Skip("type-checks the whole module")
	}
	cfg := &packages.Config{Mode: packages.NeedName | packages.NeedSyntax | packages.NeedTypes | packages.NeedTypesInfo, Dir: "../.."}
	pkgs, err := packages.Load(cfg, "./...")
	if err != nil {
		t.Fatal(err)
	}
	codes := map[int]string{ExitOK: "success"}
	add := func(p *packages.Package, e ast.Expr) {
		tv, ok := p.TypesInfo.Types[e]
		if !ok || tv.Value == nil || tv.Value.Kind() != constant.Int {
			return // a variable: its constants are found where it is set
		}
		n, _ := constant.Int64Val(tv.Value)
		codes[int(n)] = p.Fset.Position(e.Pos()).String()
	}
	named := func(p *packages.Package, lit *ast.CompositeLit, names ...string) bool {
		tv, ok := p.TypesInfo.Types[lit]
		if !ok {
			return false
		}
		typ := tv.Type
		if ptr, ok := typ.(*types.Pointer); ok {
			typ = ptr.Elem()
		}
		n, ok := types.Unalias(typ).(*types.Named)
		return ok && slices.Contains(names, n.Obj().Name())
	}
	for _, p := range pkgs {
		if strings.Contains(p.PkgPath, "/testdata/") || strings.HasSuffix(p.PkgPath, ".test") || len(p.Errors) > 0 {
			continue
		}
		for _, f := range p.Syntax {
			if strings.HasSuffix(p.Fset.Position(f.Pos()).Filename, "_test.go") {
				continue
			}
			ast.Inspect(f, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.FuncDecl:
					if n.Name.Name == "ExitCode" && n.Recv != nil && n.Body != nil {
						ast.Inspect(n.Body, func(m ast.Node) bool {
							if r, ok := m.(*ast.ReturnStmt); ok && len(r.Results) == 1 {
								add(p, r.Results[0])
							}
							return true
						})
					}
				case *ast.CompositeLit:
					if named(p, n, "exitError") && len(n.Elts) > 0 {
						if _, kv := n.Elts[0].(*ast.KeyValueExpr); !kv {
							add(p, n.Elts[0])
						}
					}
					for _, e := range n.Elts {
						if kv, ok := e.(*ast.KeyValueExpr); ok && named(p, n, "exitError", "EnvError") {
							if id, ok := kv.Key.(*ast.Ident); ok && (id.Name == "Code" || id.Name == "code") {
								add(p, kv.Value)
							}
						}
					}
				case *ast.CallExpr:
					if sel, ok := n.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "Exit" && len(n.Args) == 1 {
						// Only main exits (programs of their own, such as
						// the probe, exit with codes pluginctl reads).
						if id, ok := sel.X.(*ast.Ident); ok && id.Name == "os" && p.PkgPath == "github.com/pluginctl/pluginctl/cmd/pluginctl" {
							add(p, n.Args[0])
						}
					}
				}
				return true
			})
		}
	}
	for _, want := range []int{ExitFailure, ExitUsage, ExitInterrupted} {
		if _, ok := codes[want]; !ok {
			t.Errorf("exit code %d not found in the source: the scan is broken", want)
		}
	}
	doc, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	var documented []int
	for _, e := range diag.ExitCodes {
		documented = append(documented, e.Code)
	}
	tables := map[string][]int{
		"doc.go":         table(t, string(doc), "# Exit codes", regexp.MustCompile(`(?m)^//\s+- (\d+): `)),
		"diag.ExitCodes": documented,
	}
	for file, listed := range tables {
		for code, where := range codes {
			if !slices.Contains(listed, code) {
				t.Errorf("%s: exit code %d (returned at %s) is not in the table", file, code, where)
			}
		}
		for _, code := range listed {
			if _, ok := codes[code]; !ok {
				t.Errorf("%s: the table lists exit code %d, which nothing returns", file, code)
			}
		}
	}
}

const (
	ExitOK          = 0
	ExitFailure     = 1
	ExitUsage       = 2
	ExitInterrupted = 130
)

// table returns the codes of the table under heading in text.
func table(t *testing.T, text, heading string, row *regexp.Regexp) []int {
	i := strings.Index(text, heading)
	if i < 0 {
		t.Fatalf("no %q heading", heading)
	}
	text = text[i+len(heading):]
	if j := strings.Index(text, "\n// #"); j >= 0 { // the next heading of doc.go
		text = text[:j]
	}
	var codes []int
	for _, m := range row.FindAllStringSubmatch(text, -1) {
		n, _ := strconv.Atoi(m[1])
		codes = append(codes, n)
	}
	if len(codes) == 0 {
		t.Fatalf("no rows under %q", heading)
	}
	return codes
}

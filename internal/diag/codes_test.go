package diag_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"

	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/pluginctl/pluginctl/internal/diag"
	"github.com/pluginctl/pluginctl/internal/vet"
)

// declaredCodes finds, in the repository's non-test Go files, every string
// literal given the type Code (const X Code = "...", Code("..."),
// diag.Code("...")) or set as a Code field (Code: "..."): every code the
// program can report.
func declaredCodes(t *testing.T) map[string]string {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	isCode := func(e ast.Expr) bool {
		switch e := e.(type) {
		case *ast.Ident:
			return e.Name == "Code"
		case *ast.SelectorExpr:
			return e.Sel.Name == "Code"
		}
		return false
	}
	lit := func(e ast.Expr) (string, bool) {
		b, ok := e.(*ast.BasicLit)
		if !ok || b.Kind != token.STRING {
			return "", false
		}
		s, err := strconv.Unquote(b.Value)
		return s, err == nil
	}
	found := map[string]string{}
	fset := token.NewFileSet()
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); n == "testdata" || n == ".git" || n == "examples" {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") || strings.HasSuffix(path, filepath.Join("diag", "codes.go")) {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.ValueSpec:
				if n.Type != nil && isCode(n.Type) {
					for _, v := range n.Values {
						if s, ok := lit(v); ok {
							found[s] = rel
						}
					}
				}
			case *ast.CallExpr:
				if len(n.Args) == 1 && isCode(n.Fun) {
					if s, ok := lit(n.Args[0]); ok {
						found[s] = rel
					}
				}
			case *ast.KeyValueExpr:
				if k, ok := n.Key.(*ast.Ident); ok && k.Name == "Code" {
					if s, ok := lit(n.Value); ok {
						found[s] = rel
					}
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range vet.Checks {
		found[c] = "internal/vet (vet.Checks)"
	}
	return found
}

// TestCodesDocumented: every code the program can report is in diag.Codes
// (which `pluginctl help codes` prints), with a meaning and a fix, and
// diag.Codes lists no code the program cannot report.
func TestCodesDocumented(t *testing.T) {
	declared := declaredCodes(t)
	if len(declared) < 20 {
		t.Fatalf("found only %d codes in the source: the scan is broken", len(declared))
	}
	documented := map[string]bool{}
	for _, d := range diag.Codes {
		c := string(d.Code)
		if documented[c] {
			t.Errorf("%s is documented twice", c)
		}
		documented[c] = true
		if d.Meaning == "" || d.Fix == "" || d.FoundBy == "" {
			t.Errorf("%s lacks a meaning, a fix or its checks", c)
		}
		if _, ok := declared[c]; !ok {
			t.Errorf("%s is documented but no code declares it", c)
		}
	}
	var missing []string
	for c, where := range declared {
		if !documented[c] {
			missing = append(missing, c+" (declared in "+where+")")
		}
	}
	sort.Strings(missing)
	for _, m := range missing {
		t.Errorf("code %s has no entry in internal/diag/codes.go", m)
	}
}

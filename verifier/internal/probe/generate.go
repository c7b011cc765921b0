// Generation of the probe's main.go: the host's package set named or
// blank-imported, the contract's types asserted as the host asserts them
// (classified by whether the host can name them).

package probe

import (
	"bytes"
	"cmp"
	_ "embed"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"maps"
	"slices"
	"strconv"
	"strings"
	"text/template"

	"debug/buildinfo"

	"github.com/pluginctl/pluginctl/internal/contract"
	"github.com/pluginctl/pluginctl/pluginapi"
)

// templateData feeds main.go.tmpl.
type templateData struct {
	HostPath    string
	Name        string
	GoDebug     []string
	Fmt         bool
	Reflect     bool
	API         string
	Loader      string
	Blank       []string
	TypeImports []typeImport
	Types       []TypeCheck // the k-th asserted by assertTypek unless it has a Reason
}

// typeImport is a package the contract's types mention, imported by name.
type typeImport struct{ Name, Path string }

// generated is the probe's source.
type generated struct {
	src []byte
	// named are the packages the probe imports by name (beyond the
	// host's imports and the contract's types' packages).
	named []string
	// lines maps each line of an assertion function to its type (an
	// index into the TypeChecks), to blame compile errors.
	lines map[int]int
}

// generate returns the probe's main.go for the host and the contract's
// types tcs.
func generate(bi *buildinfo.BuildInfo, lp listed, apiPkg string, tcs []TypeCheck) (*generated, error) {
	d := templateData{HostPath: bi.Path, Name: dirName}
	if v := settingsOf(bi)["DefaultGODEBUG"]; v != "" {
		d.GoDebug = strings.Split(v, ",")
	}
	deps := map[string]bool{}
	for _, p := range lp.Deps {
		deps[p] = true
	}
	named := []string{"os", "plugin", "runtime", "syscall"}
	switch {
	case deps["fmt"]:
		d.Fmt = true
		named = append(named, "fmt")
	case deps["reflect"]:
		d.Reflect = true
		named = append(named, "reflect")
	}
	if deps[apiPkg] && apiPkg == pluginapi.ImportPath {
		// The convention code uses pluginapi's own types (NewFunc...);
		// a project's own API package is checked through the contract's
		// type assertions instead.
		d.API = apiPkg
		named = append(named, apiPkg)
		if l := apiPkg + "/loader"; deps[l] {
			// The host's Host, when it gives none of its own.
			d.Loader = l
			named = append(named, l)
		}
	}
	blank := map[string]bool{}
	for _, imp := range lp.Imports {
		switch {
		case imp == "C":
			// cgo code links these; the host has them.
			for _, p := range []string{"runtime/cgo", "syscall", "unsafe"} {
				if deps[p] {
					blank[p] = true
				}
			}
		case strings.HasPrefix(imp, "vendor/"), imp == "unsafe" && !deps["unsafe"]:
		default:
			blank[imp] = true
		}
	}
	for _, n := range named {
		delete(blank, n)
	}
	d.Blank = slices.Sorted(maps.Keys(blank))

	// The contract's types: only the packages of the assertable ones are
	// imported, each under the name typeImportName gives it.
	d.Types = tcs
	for _, imp := range typeImportOrder(tcs) {
		if slices.ContainsFunc(tcs, func(tc TypeCheck) bool { return tc.Reason == "" && slices.Contains(tc.Imports, imp.Path) }) {
			d.TypeImports = append(d.TypeImports, imp)
		}
	}

	t, err := template.New("main.go").Parse(mainTemplate)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, d); err != nil {
		return nil, err
	}
	src, err := format.Source(buf.Bytes())
	if err != nil {
		return nil, fmt.Errorf("internal error: generated probe does not parse: %v\n%s", err, buf.Bytes())
	}
	// The lines of assertTypek, from its func line to its closing brace.
	gen := &generated{src: src, named: named, lines: map[int]int{}}
	k := -1
	for i, line := range strings.Split(string(src), "\n") {
		if rest, ok := strings.CutPrefix(line, "func assertType"); ok {
			k, _ = strconv.Atoi(rest[:strings.IndexByte(rest, '(')])
		}
		if k >= 0 {
			gen.lines[i+1] = k
		}
		if line == "}" {
			k = -1
		}
	}
	return gen, nil
}

// typeImportOrder returns every package the types tcs mention, sorted,
// with the name the probe imports it under: ctype0, ctype1, ...
func typeImportOrder(tcs []TypeCheck) []typeImport {
	var paths []string
	for _, tc := range tcs {
		paths = append(paths, tc.Imports...)
	}
	slices.Sort(paths)
	paths = slices.Compact(paths)
	out := make([]typeImport, len(paths))
	for i, p := range paths {
		out[i] = typeImport{Name: fmt.Sprintf("ctype%d", i), Path: p}
	}
	return out
}

// classifyTypes decides, for each contract type, whether the host can
// assert it, and how the probe writes it. The probe may link no package
// the host does not link, so it imports a type's packages only when the
// host's package set (go list -deps of its main package) has them; a type
// that mentions another package cannot be asserted by the host either:
// the host would link every package whose types it names. Nor can a type
// of the host's own package main, of an internal package the host's main
// package may not import, of a vendored standard library package, or a
// type with an unexported name.
func classifyTypes(types []string, lp listed) []TypeCheck {
	deps := map[string]bool{}
	for _, d := range lp.Deps {
		deps[d] = true
	}
	tcs := make([]TypeCheck, len(types))
	for i, typ := range types {
		tc := TypeCheck{Type: typ}
		canon, err := contract.CanonicalType(typ)
		if err != nil {
			tc.Reason = err.Error()
			tcs[i] = tc
			continue
		}
		tc.Imports = contract.TypeImports(canon)
		for _, imp := range tc.Imports {
			if r := importProblem(imp, lp.ImportPath, deps); r != "" {
				tc.Reason = r
				break
			}
		}
		tcs[i] = tc
	}
	names := map[string]string{}
	for _, imp := range typeImportOrder(tcs) {
		names[imp.Path] = imp.Name
	}
	for i := range tcs {
		tc := &tcs[i]
		if tc.Reason != "" {
			continue
		}
		goSyntax, err := contract.GoSyntax(tc.Type, func(p string) string { return names[p] })
		if err != nil {
			tc.Reason = err.Error()
			continue
		}
		if r := unexportedName(goSyntax, names); r != "" {
			tc.Reason = r
			continue
		}
		tc.Go = goSyntax
	}
	return tcs
}

// importProblem says why a type of package imp cannot be asserted by the
// host whose main package is hostPkg and which links the packages deps,
// "" when it can.
func importProblem(imp, hostPkg string, deps map[string]bool) string {
	switch {
	case imp == "unsafe":
		return "" // no code, nothing linked
	case imp == hostPkg || imp == "main":
		return fmt.Sprintf("its package %s is the host's package main, which no other package can import: "+
			"the probe cannot name the type (nor can a plugin, unless it is an interface); "+
			"declare it in a package the host imports", imp)
	case !deps[imp]:
		return fmt.Sprintf("it mentions package %s, which the host does not link: "+
			"a host that asserted this type would link it (a contract for another host, or other build tags?)", imp)
	case strings.HasPrefix(imp, "vendor/") || strings.Contains(imp, "/vendor/"):
		return fmt.Sprintf("it mentions the vendored package %s, which only its vendoring packages can import", imp)
	}
	if parent, ok := internalParent(imp); ok && hostPkg != parent && !strings.HasPrefix(hostPkg, parent+"/") {
		return fmt.Sprintf("it mentions package %s, internal to %s, which the host's main package cannot import", imp, cmp.Or(parent, "the standard library"))
	}
	return ""
}

// internalParent returns the parent of the last "internal" element of
// an import path: only packages below it may import the path.
func internalParent(path string) (string, bool) {
	switch {
	case strings.HasSuffix(path, "/internal"):
		return strings.TrimSuffix(path, "/internal"), true
	case strings.Contains(path, "/internal/"):
		return path[:strings.LastIndex(path, "/internal/")], true
	case path == "internal" || strings.HasPrefix(path, "internal/"):
		return "", true
	}
	return "", false
}

// unexportedName returns why the Go syntax of a type cannot be written
// outside its packages: it names an unexported identifier of one.
func unexportedName(goSyntax string, names map[string]string) string {
	expr, err := parser.ParseExpr(goSyntax)
	if err != nil {
		return "not a Go type: " + goSyntax
	}
	paths := map[string]string{}
	for p, n := range names {
		paths[n] = p
	}
	var reason string
	ast.Inspect(expr, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		if !ok || reason != "" {
			return reason == ""
		}
		if id, ok := sel.X.(*ast.Ident); ok && paths[id.Name] != "" && !sel.Sel.IsExported() {
			reason = fmt.Sprintf("it names %s.%s, which is not exported: only its own package can name it", paths[id.Name], sel.Sel.Name)
		}
		return true
	})
	return reason
}

// markUncompilable gives a Reason to every type whose assertion function
// a compile error of the probe (the go command's stderr) is in, and
// reports whether every error was in one: the probe is worth building
// again without them.
func markUncompilable(tcs []TypeCheck, lines map[int]int, stderr string) bool {
	ms := compileErrorRE.FindAllStringSubmatch(stderr, -1)
	if len(ms) == 0 {
		return false
	}
	marked := map[int]string{}
	for _, m := range ms {
		line, _ := strconv.Atoi(m[1])
		k, ok := lines[line]
		if !ok {
			return false // not the contract's fault
		}
		if _, seen := marked[k]; !seen {
			marked[k] = strings.TrimSpace(m[2])
		}
	}
	// The message names the packages by their import names: name them
	// by path.
	var oldnew []string
	imps := typeImportOrder(tcs)
	for i := len(imps) - 1; i >= 0; i-- { // ctype10 before ctype1
		oldnew = append(oldnew, imps[i].Name+".", imps[i].Path+".")
	}
	unalias := strings.NewReplacer(oldnew...)
	for k, msg := range marked {
		tcs[k].Reason = "it does not compile with the host's packages: " + unalias.Replace(msg)
		tcs[k].Go = ""
	}
	return true
}

package cli

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"golang.org/x/mod/modfile"

	"github.com/pluginctl/pluginctl/internal/diag"
	"github.com/pluginctl/pluginctl/internal/fsutil"
	"github.com/pluginctl/pluginctl/verifier"
)

// maxSource bounds what locate reads of one source file or module file.
const maxSource = 4 << 20

// locate gives the static and dynamic problems of r a source position
// when the plugin's source is at hand: the declaration of the symbol the
// problem is about (APIVersion, New, a contract symbol) in the plugin's
// package, else the package's first file; so that an annotation lands
// on a line of the repository, not on a build output. Positions are
// relative to base (the GitHub workspace, else the project root). It
// finds the package by the import path the artifact records, in the
// main modules of the project around dir; nothing is located otherwise.
func locate(r *verifier.Report, dir, base string) {
	mods := mainModules(dir)
	if len(mods) == 0 {
		return
	}
	if base == "" {
		base = mods[0].root
	}
	cache := map[string]*pkgSource{}
	for i := range r.Artifacts {
		a := &r.Artifacts[i]
		pkg := a.PluginPath
		if a.Metadata != nil && a.Metadata.Package != "" {
			pkg = a.Metadata.Package
		}
		if pkg == "" || strings.HasPrefix(pkg, "plugin/unnamed") {
			continue
		}
		for j := range a.Problems {
			p := &a.Problems[j]
			if p.Pos != "" || (p.Check != diag.Static && p.Check != diag.Dynamic) {
				continue
			}
			sym := problemSymbol(*p)
			if sym == "" {
				continue
			}
			src, ok := cache[pkg]
			if !ok {
				src = readPackage(mods, pkg)
				cache[pkg] = src
			}
			if src == nil {
				continue
			}
			file, line := src.first, 1
			if d, ok := src.decls[sym]; ok {
				file, line = d.file, d.line
			}
			if rel, err := filepath.Rel(base, file); err == nil && filepath.IsLocal(rel) {
				p.Pos = filepath.ToSlash(rel) + ":" + strconv.Itoa(line)
			}
		}
	}
}

var (
	symbolAfterNo = regexp.MustCompile(`^exports no ([A-Z]\w*)`)
	symbolFirst   = regexp.MustCompile(`^([A-Z]\w*) `)
)

// problemSymbol is the plugin symbol a problem is about; "" for a
// problem about the whole file (fingerprints, versions, a crash).
func problemSymbol(p verifier.Problem) string {
	switch p.Code {
	case verifier.APIVersionMismatch:
		return "APIVersion"
	case verifier.MissingNew, verifier.BadNewSignature:
		return "New"
	case verifier.MissingSymbol, verifier.BadSymbolType, verifier.BadSymbolValue, verifier.MissingCapability, verifier.BadMetadata:
		if m := symbolAfterNo.FindStringSubmatch(p.Message); m != nil {
			return m[1]
		}
		if m := symbolFirst.FindStringSubmatch(p.Message); m != nil {
			return m[1]
		}
		return "package"
	}
	return ""
}

type module struct{ path, root string }

// mainModules are the main modules around dir: the go.work's, else the
// go.mod's; nil outside a module.
func mainModules(dir string) []module {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil
	}
	work, mod := enclosing(dir)
	if work != "" && os.Getenv("GOWORK") != "off" {
		data, err := fsutil.ReadRegular(filepath.Join(work, "go.work"), maxSource)
		if err != nil {
			return nil
		}
		wf, err := modfile.ParseWork("go.work", data, nil)
		if err != nil {
			return nil
		}
		var out []module
		for _, u := range wf.Use {
			root := filepath.Join(work, filepath.FromSlash(u.Path))
			if data, err := fsutil.ReadRegular(filepath.Join(root, "go.mod"), maxSource); err == nil {
				out = append(out, module{modfile.ModulePath(data), root})
			}
		}
		return out
	}
	if mod == "" {
		return nil
	}
	data, err := fsutil.ReadRegular(filepath.Join(mod, "go.mod"), maxSource)
	if err != nil {
		return nil
	}
	return []module{{modfile.ModulePath(data), mod}}
}

type decl struct {
	file string
	line int
}

// pkgSource is what locate knows of a package's source: where each
// top-level name is declared, and its first file.
type pkgSource struct {
	first string
	decls map[string]decl
}

// readPackage parses the declarations of package pkg of one of mods.
func readPackage(mods []module, pkg string) *pkgSource {
	var dir string
	for _, m := range mods {
		if m.path == "" {
			continue
		}
		if rest, ok := strings.CutPrefix(pkg, m.path); ok && (rest == "" || rest[0] == '/') {
			dir = filepath.Join(m.root, filepath.FromSlash(path.Clean("./"+rest)))
			break
		}
	}
	if dir == "" {
		return nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	src := &pkgSource{decls: map[string]decl{}}
	fset := token.NewFileSet()
	for _, e := range entries {
		n := e.Name()
		if e.IsDir() || !strings.HasSuffix(n, ".go") || strings.HasSuffix(n, "_test.go") {
			continue
		}
		file := filepath.Join(dir, n)
		data, err := fsutil.ReadRegular(file, maxSource)
		if err != nil {
			continue
		}
		f, err := parser.ParseFile(fset, file, data, parser.SkipObjectResolution)
		if err != nil || f.Name.Name != "main" {
			continue
		}
		if src.first == "" {
			src.first = file
		}
		at := func(id *ast.Ident) {
			if _, dup := src.decls[id.Name]; !dup {
				src.decls[id.Name] = decl{file, fset.Position(id.Pos()).Line}
			}
		}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil {
					at(d.Name)
				}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					if vs, ok := s.(*ast.ValueSpec); ok {
						for _, id := range vs.Names {
							at(id)
						}
					}
				}
			}
		}
	}
	if src.first == "" {
		return nil
	}
	return src
}

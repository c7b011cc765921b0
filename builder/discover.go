package builder

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"golang.org/x/tools/go/packages"

	"github.com/pluginctl/pluginctl/internal/contract"
)

// Kind is what an artifact is.
type Kind string

const (
	Host   Kind = "host"
	Plugin Kind = "plugin"
)

// target is one main package to build.
type target struct {
	Kind       Kind
	ImportPath string
	Dir        string
	Name       string // artifact base name, without .so
	Module     string
	ModVersion string
	// Deps are the import paths of every package it links.
	Deps map[string]bool
	// NumDeps orders plugins: the one with most dependencies is built
	// first, to warm the cache for the others.
	NumDeps int
}

// discoverOptions says which packages to consider.
type discoverOptions struct {
	Patterns       []string
	PluginPatterns []string
	HostPatterns   []string
	Tags           []string
	Dir            string
	Env            []string
	// PluginDirs are directories whose main packages are all plugins
	// (pluginctl.toml's [plugins] dirs, absolute).
	PluginDirs []string
	// Contract returns the contract that tells plugins, given the hosts
	// found (their packages): a package main is a plugin when it
	// declares its symbols (contract.Contract.PluginSymbols: the
	// required ones, those of one kind when it has kinds). nil (or a nil
	// contract) means New.
	Contract func(hosts []*packages.Package) (*contract.Contract, error)
}

// loadMode asks go/packages only for names, files, the import graph and
// module: enough to classify main packages without type-checking anything.
const loadMode = packages.NeedName | packages.NeedFiles | packages.NeedImports | packages.NeedDeps | packages.NeedModule

// discover finds the hosts and plugins among the packages the patterns
// match. A plugin is a package main declaring a top-level New; a host is a
// package main that links package plugin. --plugins and --hosts patterns
// replace that discovery for their kind.
func discover(ctx context.Context, o discoverOptions) ([]*target, string, error) {
	all := append(append(append([]string(nil), o.Patterns...), o.PluginPatterns...), o.HostPatterns...)
	cfg := &packages.Config{Mode: loadMode, Context: ctx, Dir: o.Dir, Env: o.Env}
	if len(o.Tags) > 0 {
		cfg.BuildFlags = []string{"-tags=" + strings.Join(o.Tags, ",")}
	}
	roots, err := packages.Load(cfg, all...)
	if err != nil {
		return nil, "", fmt.Errorf("loading packages: %w", err)
	}
	var errs []string
	for _, p := range roots {
		for _, e := range p.Errors {
			if e.Kind == packages.ListError || e.Kind == packages.ParseError {
				errs = append(errs, e.Error())
			}
		}
	}
	if len(errs) > 0 {
		return nil, "", &PackageError{Errors: errs}
	}

	abs := func(p string) string {
		if filepath.IsAbs(p) {
			return filepath.Clean(p)
		}
		return filepath.Join(o.Dir, p)
	}
	matchAny := func(p *packages.Package, pats []string) bool {
		for _, pat := range pats {
			if matchPattern(pat, p, abs) {
				return true
			}
		}
		return false
	}

	isPlugin := func(p *packages.Package) bool { return declaresAll(p, []string{"New"}) }
	if o.Contract != nil {
		var hosts []*packages.Package
		for _, p := range roots {
			if deps := map[string]bool{}; p.Name == "main" {
				collectDeps(p, deps)
				if deps["plugin"] && declaredNames(p)["main"] {
					hosts = append(hosts, p) // not a plugin importing its framework
				}
			}
		}
		c, err := o.Contract(hosts)
		if err != nil {
			return nil, "", err
		}
		// A contract that requires nothing tells no plugin: New, as
		// without one.
		if c != nil && c.PluginSymbols(func(string) bool { return true }) {
			isPlugin = func(p *packages.Package) bool {
				declared := declaredNames(p)
				if len(c.Kinds) > 0 && !declared["main"] {
					// A framework host's plugin may be of no kind (and
					// is then refused by verify): a package main without
					// func main cannot be a program.
					return true
				}
				return c.PluginSymbols(func(s string) bool { return declared[s] })
			}
		}
	}
	underPluginDir := func(p *packages.Package) bool {
		for _, d := range o.PluginDirs {
			if dir := pkgDir(p); dir == d || strings.HasPrefix(dir, d+string(filepath.Separator)) {
				return true
			}
		}
		return false
	}

	var out []*target
	seen := map[string]bool{}
	for _, p := range roots {
		if p.Name != "main" || seen[p.PkgPath] {
			continue
		}
		seen[p.PkgPath] = true
		deps := map[string]bool{}
		collectDeps(p, deps)
		t := &target{ImportPath: p.PkgPath, Dir: pkgDir(p), Deps: deps, NumDeps: len(deps)}
		if p.Module != nil {
			t.Module, t.ModVersion = p.Module.Path, p.Module.Version
		}
		t.Name = path.Base(p.PkgPath)
		switch {
		case len(o.PluginPatterns) > 0 && matchAny(p, o.PluginPatterns):
			t.Kind = Plugin
		case len(o.HostPatterns) > 0 && matchAny(p, o.HostPatterns):
			t.Kind = Host
		case !matchAny(p, o.Patterns):
			continue // matched only an override pattern of the other kind
		case len(o.PluginPatterns) == 0 && (underPluginDir(p) || isPlugin(p)):
			t.Kind = Plugin
		case len(o.HostPatterns) == 0 && deps["plugin"]:
			t.Kind = Host
		case namedExplicitly(p, o.Patterns, abs):
			t.Kind = Host // a main named on the command line is built as a program
		default:
			continue
		}
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ImportPath < out[j].ImportPath })
	return out, sourceKey(roots), nil
}

// PackageError is a package that cannot be loaded (syntax errors, missing
// imports, no matching packages).
type PackageError struct{ Errors []string }

func (e *PackageError) Error() string {
	return "loading packages:\n\t" + strings.Join(e.Errors, "\n\t")
}

func collectDeps(p *packages.Package, seen map[string]bool) {
	for path, dep := range p.Imports {
		if !seen[path] {
			seen[path] = true
			collectDeps(dep, seen)
		}
	}
}

func pkgDir(p *packages.Package) string {
	if p.Dir != "" {
		return p.Dir
	}
	if len(p.GoFiles) > 0 {
		return filepath.Dir(p.GoFiles[0])
	}
	return ""
}

// declaresAll reports whether the package declares every one of names at
// top level. Only the declarations are parsed: no type checking, so
// discovery stays cheap on large modules.
func declaresAll(p *packages.Package, names []string) bool {
	declared := declaredNames(p)
	for _, n := range names {
		if !declared[n] {
			return false
		}
	}
	return true
}

// declaredNames returns the top-level functions and variables the
// package declares, from its parsed declarations.
func declaredNames(p *packages.Package) map[string]bool {
	declared := map[string]bool{}
	fset := token.NewFileSet()
	for _, f := range p.GoFiles {
		file, err := parser.ParseFile(fset, f, nil, parser.SkipObjectResolution)
		if err != nil {
			continue
		}
		for _, d := range file.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil {
					declared[d.Name.Name] = true
				}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					if vs, ok := s.(*ast.ValueSpec); ok {
						for _, n := range vs.Names {
							declared[n.Name] = true
						}
					}
				}
			}
		}
	}
	return declared
}

// matchPattern reports whether package p matches a go package pattern:
// a relative or absolute directory (with an optional /... suffix), or an
// import path where "..." matches any string.
func matchPattern(pat string, p *packages.Package, abs func(string) string) bool {
	if strings.HasPrefix(pat, ".") || filepath.IsAbs(pat) {
		dir := pkgDir(p)
		if base, ok := strings.CutSuffix(pat, "/..."); ok {
			b := abs(base)
			return dir == b || strings.HasPrefix(dir, b+string(filepath.Separator))
		}
		return dir == abs(pat)
	}
	if !strings.Contains(pat, "...") {
		return p.PkgPath == pat
	}
	// As cmd/go: "..." matches any string, and "x/..." matches x too.
	re := regexp.QuoteMeta(pat)
	re = strings.ReplaceAll(re, `/\.\.\.`, `(/.*)?`)
	re = strings.ReplaceAll(re, `\.\.\.`, `.*`)
	ok, _ := regexp.MatchString("^"+re+"$", p.PkgPath)
	return ok
}

func namedExplicitly(p *packages.Package, pats []string, abs func(string) string) bool {
	for _, pat := range pats {
		if !strings.Contains(pat, "...") && matchPattern(pat, p, abs) {
			return true
		}
	}
	return false
}

// sourceKey identifies the state of every non-standard-library source
// file the packages link, by name, size and modification time: equal keys
// mean that nothing a source check (vet) reads has changed.
func sourceKey(roots []*packages.Package) string {
	var files []string
	packages.Visit(roots, nil, func(p *packages.Package) {
		if p.Module != nil {
			files = append(files, p.GoFiles...)
			files = append(files, p.OtherFiles...)
		}
	})
	sort.Strings(files)
	h := sha256.New()
	for _, f := range files {
		fi, err := os.Stat(f)
		if err != nil {
			return "" // unknown: never equal
		}
		fmt.Fprintf(h, "%s %d %d\n", f, fi.Size(), fi.ModTime().UnixNano())
	}
	return hex.EncodeToString(h.Sum(nil))
}

package project

import (
	"strings"

	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"path/filepath"

	"golang.org/x/tools/go/packages"

	"github.com/pluginctl/pluginctl/internal/contract"

	"github.com/pluginctl/pluginctl/internal/load"
)

// Kind is what a package is to pluginctl.
type Kind string

const (
	// Other is neither a host nor a plugin: not built, not checked as one.
	Other Kind = ""
	// Host is a program that loads plugins.
	Host Kind = "host"
	// Plugin is built with -buildmode=plugin.
	Plugin Kind = "plugin"
)

// Package is what Classify reads of a package: its syntax and import
// graph, never its types, so that classifying a module type-checks
// nothing.
type Package struct {
	ImportPath string
	Dir        string
	// Name is the package name.
	Name string
	// HasMain is true when it declares func main().
	HasMain bool
	// Declared are its top-level names (functions, variables, constants,
	// types; not methods).
	Declared map[string]bool
	// LinksPlugin is true when it imports package plugin, directly or
	// not.
	LinksPlugin bool
	// Forced is the kind --plugins / --hosts gave it, Other when none.
	Forced Kind
	// Named is true when it was named on the command line by a pattern
	// without "..." (a program the user asked to build).
	Named bool
}

// Exported reports whether the package declares an exported top-level
// name other than main: only such a package can satisfy a contract.
func (p *Package) Exported() bool {
	for n := range p.Declared {
		if ast.IsExported(n) {
			return true
		}
	}
	return false
}

// Classify is the one rule deciding what a package is. In order:
//
//  1. A package that is not package main is Other.
//  2. --plugins / --hosts (Package.Forced) decide.
//  3. A package main under a [plugins] dirs folder of pluginctl.toml is a
//     Plugin.
//  4. A package main that declares no func main is a Plugin, whatever it
//     imports: the go command can build it only with -buildmode=plugin.
//  5. A package main that declares New (the factory of the pluginapi
//     convention), a symbol the contract requires of some plugin or a
//     symbol of one of its kinds (of any type: a plugin getting it wrong
//     is still a plugin) is a
//     Plugin, never a host, even when it links package plugin through a
//     framework.
//  6. A package main that links package plugin is a Host; one that
//     does not and declares a function named New... (NewPlugin: a
//     factory under the wrong name) is a Plugin.
//  7. A package main named on the command line without "..." is built
//     as a Host (a program the user asked for).
//  8. Anything else is Other.
//
// c is the contract in force; it is consulted only for rule 5, and only
// for a package main with func main that declares an exported name, so
// callers may pass a function that resolves it lazily (ContractFunc).
func (p *Project) Classify(pkg *Package, c func() *contract.Contract) Kind {
	if pkg.Name != "main" {
		return Other
	}
	if pkg.Forced != Other {
		return pkg.Forced
	}
	for _, d := range p.Config.PluginDirs {
		if within(d, pkg.Dir) {
			return Plugin
		}
	}
	if !pkg.HasMain {
		return Plugin
	}
	if pkg.Declared["New"] {
		return Plugin
	}
	if pkg.Exported() && c != nil {
		if ct := c(); ct != nil {
			for _, e := range ct.Entries {
				if e.Required && pkg.Declared[e.Symbol] {
					return Plugin
				}
			}
			for _, k := range ct.Kinds {
				for _, s := range k.Symbols {
					if pkg.Declared[s] {
						return Plugin
					}
				}
			}
		}
	}
	if pkg.LinksPlugin {
		return Host
	}
	for n := range pkg.Declared {
		if strings.HasPrefix(n, "New") {
			return Plugin // a factory under another name (NewPlugin): a plugin getting New wrong
		}
	}
	if pkg.Named {
		return Host
	}
	return Other
}

// HostCandidate reports whether a package may be a host: what the
// contract is inferred from before the contract is known (a package main
// with func main linking plugin).
func HostCandidate(pkg *Package) bool {
	return pkg.Name == "main" && pkg.HasMain && pkg.LinksPlugin && pkg.Forced != Plugin
}

// PluginName is the name of the plugin in dir, as contract.Entry.Applies
// matches it: dir relative to the root (slash-separated), or its base
// name.
func (p *Project) PluginName(dir string) string {
	if p.Root != "" {
		if rel, err := filepath.Rel(p.Root, dir); err == nil && filepath.IsLocal(rel) {
			return filepath.ToSlash(rel)
		}
	}
	return filepath.Base(dir)
}

// FromPackages summarizes a go/packages package (loaded with at least
// NeedName, NeedFiles, NeedImports and NeedDeps) from the syntax of its
// files: only declarations are parsed.
func FromPackages(p *packages.Package) *Package {
	pkg := &Package{ImportPath: p.PkgPath, Name: p.Name, Dir: PackageDir(p), Declared: map[string]bool{}}
	pkg.LinksPlugin = load.LinksPlugin(p, nil)
	if p.Name != "main" {
		return pkg
	}
	fset := token.NewFileSet()
	for _, name := range p.GoFiles {
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			continue
		}
		declare(pkg, f)
	}
	return pkg
}

// FromSyntax summarizes a type-checked package under analysis from its
// files (go vet -vettool hands pluginctl-vet one package at a time:
// whether it links plugin is read from its imports' types).
func FromSyntax(tp *types.Package, dir string, files []*ast.File) *Package {
	pkg := &Package{ImportPath: tp.Path(), Name: tp.Name(), Dir: dir, Declared: map[string]bool{}}
	seen := map[*types.Package]bool{}
	var links func(t *types.Package) bool
	links = func(t *types.Package) bool {
		if seen[t] {
			return false
		}
		seen[t] = true
		if t.Path() == "plugin" {
			return true
		}
		for _, q := range t.Imports() {
			if links(q) {
				return true
			}
		}
		return false
	}
	pkg.LinksPlugin = links(tp)
	for _, f := range files {
		declare(pkg, f)
	}
	return pkg
}

func declare(pkg *Package, f *ast.File) {
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if d.Recv != nil {
				continue
			}
			if d.Name.Name == "main" && d.Type.Params.NumFields() == 0 && d.Type.Results.NumFields() == 0 {
				pkg.HasMain = true
			}
			pkg.Declared[d.Name.Name] = true
		case *ast.GenDecl:
			for _, s := range d.Specs {
				switch s := s.(type) {
				case *ast.ValueSpec:
					for _, n := range s.Names {
						pkg.Declared[n.Name] = true
					}
				case *ast.TypeSpec:
					pkg.Declared[s.Name.Name] = true
				}
			}
		}
	}
}

// PackageDir is the directory of a go/packages package.
func PackageDir(p *packages.Package) string {
	if p.Dir != "" {
		return p.Dir
	}
	if len(p.GoFiles) > 0 {
		return filepath.Dir(p.GoFiles[0])
	}
	if len(p.CompiledGoFiles) > 0 {
		return filepath.Dir(p.CompiledGoFiles[0])
	}
	return ""
}

package project

import (
	"cmp"
	"go/ast"
	"go/parser"
	"go/token"
	"sort"

	"golang.org/x/tools/go/packages"

	"github.com/pluginctl/pluginctl/pluginapi"
)

// The API package is decided here: its default (API), the one whose
// APIVersion the artifacts' metadata records (MetadataAPI), and, with the
// contract in force, the project's API packages (Resolved.API).

// API is the API package in force when api is the one given, resolved or
// recorded ("" when none is): api, else the pluginapi convention's,
// pluginapi.ImportPath. It is the one default of the API package.
func API(api string) string { return cmp.Or(api, pluginapi.ImportPath) }

// MetadataAPI returns the API package whose APIVersion constant the
// artifacts' metadata records: the first declared API package that
// declares a constant APIVersion, else the package outside the standard
// library that a host and a plugin both link and that declares one
// (main-module packages first, then by import path); "" when none does.
// Only syntax is read.
// unlinked are the declared API packages no host or plugin links (a typo,
// a package that does not exist): they are worth a warning.
func (p *Project) MetadataAPI(hosts, plugins []*packages.Package) (api string, unlinked []string) {
	declared := p.API
	byPath := map[string]*packages.Package{}
	inHost := map[string]bool{}
	packages.Visit(hosts, nil, func(p *packages.Package) {
		byPath[p.PkgPath] = p
		inHost[p.PkgPath] = true
	})
	shared := map[string]bool{}
	packages.Visit(plugins, nil, func(p *packages.Package) {
		byPath[p.PkgPath] = p
		if inHost[p.PkgPath] || len(hosts) == 0 {
			shared[p.PkgPath] = true
		}
	})
	for _, a := range declared {
		if byPath[a] == nil && len(hosts)+len(plugins) > 0 {
			unlinked = append(unlinked, a)
		}
	}
	for _, a := range declared {
		if p := byPath[a]; p != nil && declaresConst(p, "APIVersion") {
			return a, unlinked
		}
	}
	var cands []*packages.Package
	for path := range shared {
		p := byPath[path]
		if p.Name == "main" || p.Module == nil || !declaresConst(p, "APIVersion") {
			continue
		}
		cands = append(cands, p)
	}
	sort.Slice(cands, func(i, j int) bool {
		if a, b := cands[i].Module.Main, cands[j].Module.Main; a != b {
			return a
		}
		return cands[i].PkgPath < cands[j].PkgPath
	})
	if len(cands) == 0 {
		return "", unlinked
	}
	return cands[0].PkgPath, unlinked
}

// declaresConst reports whether the package declares the constant name,
// from the syntax of its files.
func declaresConst(p *packages.Package, name string) bool {
	fset := token.NewFileSet()
	for _, f := range p.GoFiles {
		file, err := parser.ParseFile(fset, f, nil, parser.SkipObjectResolution)
		if err != nil {
			continue
		}
		for _, d := range file.Decls {
			if gd, ok := d.(*ast.GenDecl); ok && gd.Tok == token.CONST {
				for _, s := range gd.Specs {
					for _, n := range s.(*ast.ValueSpec).Names {
						if n.Name == name {
							return true
						}
					}
				}
			}
		}
	}
	return false
}

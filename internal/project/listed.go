package project

import (
	"slices"

	"golang.org/x/tools/go/packages"
)

// listing is a package graph the command already loaded with ListMode and
// the project's configuration (the build's discovery), which hosts and
// the contract's source key use instead of running go list again.
type listing struct {
	patterns []string
	roots    []*packages.Package
	byPath   map[string]*packages.Package // every package of the graph
}

// Listed offers roots, loaded for patterns with ListMode and the
// project's configuration, to the later hosts and InForce calls of the
// same command: hosts of the same patterns, and the source key of
// packages in the graph, are then answered from it.
func (p *Project) Listed(patterns []string, roots []*packages.Package) {
	l := &listing{patterns: slices.Clone(patterns), roots: roots, byPath: map[string]*packages.Package{}}
	packages.Visit(roots, nil, func(q *packages.Package) { l.byPath[q.PkgPath] = q })
	p.mu.Lock()
	defer p.mu.Unlock()
	p.listed = l
}

func (p *Project) listing() *listing {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.listed
}

// listedRoots returns the roots of the listing, if it was loaded for
// exactly these patterns.
func (p *Project) listedRoots(patterns []string) ([]*packages.Package, bool) {
	l := p.listing()
	if l == nil || !slices.Equal(l.patterns, patterns) {
		return nil, false
	}
	return l.roots, true
}

// listedPackages returns the packages of the listing with these import
// paths (with their dependencies), if every one is in it.
func (p *Project) listedPackages(paths []string) ([]*packages.Package, bool) {
	l := p.listing()
	if l == nil || len(paths) == 0 {
		return nil, false
	}
	out := make([]*packages.Package, 0, len(paths))
	for _, path := range paths {
		q, ok := l.byPath[path]
		if !ok || len(q.Errors) > 0 {
			return nil, false
		}
		out = append(out, q)
	}
	return out, true
}

package infer

import (
	"context"

	"golang.org/x/tools/go/packages"

	"github.com/pluginctl/pluginctl/internal/load"
)

// loadProgram lists the patterns and type-checks, with package load, the
// source packages: the roots keep keeps (nil keeps all), which are the
// program's SourceRoots, and the packages they import, of the main
// module(s) or of dependencies (from the module cache or vendor/), that
// link package plugin (only they can call Lookup or wrap it). Their other
// imports (the standard library, packages that cannot reach plugin) come
// from export data.
func loadProgram(ctx context.Context, o *Options, patterns []string, keep func(p *packages.Package) bool) (*load.Program, error) {
	// Root is called for every root before Source is: the hosts are
	// known by the first call of Source.
	var hosts []*packages.Package
	var reach map[*packages.Package]bool // what the hosts import
	var walk func(p *packages.Package)
	walk = func(p *packages.Package) {
		if reach[p] {
			return
		}
		reach[p] = true
		for _, q := range p.Imports {
			walk(q)
		}
	}
	opts := load.Options{
		// Lookups in dependencies (a framework that loads the plugins):
		// the packages of other modules that link plugin are read from
		// source too, and only those.
		Deps: true,
		Root: func(p *packages.Package) bool {
			if keep != nil && !keep(p) {
				return false
			}
			hosts = append(hosts, p)
			return true
		},
		Source: func(p *packages.Package) bool {
			if reach == nil {
				reach = map[*packages.Package]bool{}
				for _, h := range hosts {
					walk(h)
				}
			}
			return reach[p] && load.LinksPlugin(p, nil)
		},
	}
	return load.Load(ctx, load.Config{Dir: o.Dir, Env: o.Env, Tags: o.Tags, BuildFlags: o.BuildFlags}, patterns, opts)
}

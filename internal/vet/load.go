package vet

import (
	"context"
	"path/filepath"

	"golang.org/x/tools/go/packages"

	"github.com/pluginctl/pluginctl/internal/load"
)

// loaded is what Run analyses: the pattern roots and, type-checked from
// source too, the main-module packages they import (so that analyzers
// get facts about them), with comments and every types.Info map. See
// package load for how.
type loaded struct{ *load.Program }

// loadPackages loads the packages; listed, when not nil, is called with the
// roots as soon as they are listed (before anything is compiled, parsed
// or type-checked: Run starts the contract inference then).
func loadPackages(ctx context.Context, o *Options, listed func(roots []*packages.Package)) (*loaded, error) {
	cfg := load.Config{Dir: o.Dir, Env: o.Env, Tags: o.Tags, BuildFlags: o.BuildFlags}
	prog, err := load.Load(ctx, cfg, o.Patterns, load.Options{Listed: listed, ParseComments: true})
	if err != nil {
		return nil, err
	}
	return &loaded{prog}, nil
}

// pkgDir is the directory of a package.
func pkgDir(p *packages.Package) string {
	if p.Dir != "" {
		return p.Dir
	}
	if len(p.GoFiles) > 0 {
		return filepath.Dir(p.GoFiles[0])
	}
	return ""
}

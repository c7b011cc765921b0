package builder

import (
	"context"
	"fmt"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"golang.org/x/tools/go/packages"

	"github.com/pluginctl/pluginctl/internal/contract"
	"github.com/pluginctl/pluginctl/internal/project"
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
	Project        *project.Project
	// Env is the go command's environment for go list.
	Env []string
	// Contract returns the contract in force; Classify asks for it only
	// for a package main with func main that declares exported names.
	Contract func() *contract.Contract
	// Classify, when set, replaces Project.Classify (a build for a
	// released host: forClassify).
	Classify func(pkg *project.Package, c func() *contract.Contract) project.Kind
}

// discovered is what discover found.
type discovered struct {
	targets []*target
	// sourceKey identifies every source file the targets link.
	sourceKey string
	// api is the API package whose APIVersion constant the artifacts
	// record ("" when none).
	api string
	// unlinkedAPI are declared API packages that nothing links.
	unlinkedAPI []string
}

// discover finds the hosts and plugins among the packages the patterns
// match, by the project's one rule (project.Project.Classify), from the
// import graph and the syntax of the package mains: nothing is compiled
// or type-checked. --plugins and --hosts patterns replace that discovery
// for their kind.
func discover(ctx context.Context, o discoverOptions) (*discovered, error) {
	all := append(append(append([]string(nil), o.Patterns...), o.PluginPatterns...), o.HostPatterns...)
	cfg, err := o.Project.PackagesConfig(ctx, project.ListMode)
	if err != nil {
		return nil, err
	}
	cfg.Env = o.Env
	roots, err := packages.Load(cfg, all...)
	if err != nil {
		return nil, fmt.Errorf("loading packages: %w", err)
	}
	var errs []string
	noPattern := true // every error is a pattern that names nothing
	for _, p := range roots {
		for _, e := range p.Errors {
			if e.Kind == packages.ListError || e.Kind == packages.ParseError {
				msg := e.Error()
				if e.Pos == "" || e.Pos == "-" { // no position: go/packages writes "-: "
					msg = e.Msg
				}
				noPattern = noPattern && strings.HasPrefix(e.Msg, "pattern ") && e.Kind == packages.ListError
				errs = append(errs, msg)
			}
		}
	}
	if len(errs) > 0 && noPattern {
		return nil, &EnvError{Msg: "no such packages: " + strings.Join(errs, "; "), Fix: "check the package patterns (relative ones are relative to the current directory)"}
	}
	if len(errs) > 0 {
		return nil, &PackageError{Errors: errs}
	}
	if len(o.PluginPatterns) == 0 && len(o.HostPatterns) == 0 {
		o.Project.Listed(o.Patterns, roots)
	}

	dir := o.Project.Dir
	abs := func(p string) string {
		if filepath.IsAbs(p) {
			return filepath.Clean(p)
		}
		return filepath.Join(dir, p)
	}
	matchAny := func(p *packages.Package, pats []string) bool {
		for _, pat := range pats {
			if matchPattern(pat, p, abs) {
				return true
			}
		}
		return false
	}

	d := &discovered{}
	var hostPkgs, pluginPkgs []*packages.Package
	seen := map[string]bool{}
	for _, p := range roots {
		if p.Name != "main" || seen[p.PkgPath] {
			continue
		}
		seen[p.PkgPath] = true
		pkg := project.FromPackages(p)
		pluginForced := len(o.PluginPatterns) > 0 && matchAny(p, o.PluginPatterns)
		hostForced := len(o.HostPatterns) > 0 && matchAny(p, o.HostPatterns)
		switch {
		case pluginForced:
			pkg.Forced = project.Plugin
		case hostForced:
			pkg.Forced = project.Host
		case !matchAny(p, o.Patterns):
			continue // matched only an override pattern of the other kind
		}
		pkg.Named = namedExplicitly(p, o.Patterns, abs)
		classify := o.Project.Classify
		if o.Classify != nil {
			classify = o.Classify
		}
		kind := classify(pkg, o.Contract)
		// --plugins / --hosts replace the discovery of their kind.
		if pkg.Forced == project.Other {
			switch {
			case kind == project.Plugin && len(o.PluginPatterns) > 0, kind == project.Host && len(o.HostPatterns) > 0:
				kind = project.Other
				if pkg.Named {
					kind = project.Host
				}
			}
		}
		deps := map[string]bool{}
		collectDeps(p, deps)
		t := &target{ImportPath: p.PkgPath, Dir: pkg.Dir, Deps: deps, NumDeps: len(deps)}
		if p.Module != nil {
			t.Module, t.ModVersion = p.Module.Path, p.Module.Version
		}
		t.Name = execName(p.PkgPath)
		switch kind {
		case project.Plugin:
			t.Kind = Plugin
			pluginPkgs = append(pluginPkgs, p)
		case project.Host:
			t.Kind = Host
			hostPkgs = append(hostPkgs, p)
		default:
			continue
		}
		d.targets = append(d.targets, t)
	}
	sort.Slice(d.targets, func(i, j int) bool { return d.targets[i].ImportPath < d.targets[j].ImportPath })
	d.sourceKey = project.SourceKey(roots, o.Project.ModuleDirs(), o.Project.GoWork)
	d.api, d.unlinkedAPI = o.Project.MetadataAPI(hostPkgs, pluginPkgs)
	return d, nil
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

// matchPattern reports whether package p matches a go package pattern:
// a relative or absolute directory (with an optional /... suffix), or an
// import path where "..." matches any string.
func matchPattern(pat string, p *packages.Package, abs func(string) string) bool {
	if strings.HasPrefix(pat, ".") || filepath.IsAbs(pat) {
		dir := project.PackageDir(p)
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

// execName is the name go build gives the program of package importPath:
// its last element, or the one before a major-version suffix
// (example.com/server/v2 is "server", not "v2").
func execName(importPath string) string {
	elem := path.Base(importPath)
	if elem != importPath && isVersionElement(elem) {
		elem = path.Base(path.Dir(importPath))
	}
	return elem
}

// isVersionElement reports whether s is a major-version suffix (v2, v3...).
func isVersionElement(s string) bool {
	if len(s) < 2 || s[0] != 'v' || s[1] == '0' || s[1] == '1' && len(s) == 2 {
		return false
	}
	for i := 1; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

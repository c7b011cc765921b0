// Package common holds what the pluginctl vet analyzers share: the API
// package they check against, how a plugin package is recognized, and how
// a finding is reported (category, advice, related positions) so that the
// runner in package vet can turn it into a diag.Problem.
package common

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/tools/go/analysis"

	"github.com/pluginctl/pluginctl/internal/contract"
	"github.com/pluginctl/pluginctl/internal/project"
)

// Config is what the analyzers know of the project they check. They
// read it when they run, so a flag may still change API.
type Config struct {
	// API is the import path of the project's API package.
	API string
	// Contract is the contract in force; nil means the pluginapi
	// convention of API (contract.Default), with plugins recognized
	// without the contract's symbols.
	Contract *contract.Contract
	// Project is the project model: root, [plugins] dirs, plugin names.
	// nil means an empty project (analysistest).
	Project *project.Project
	// Plugins, when not nil, are the import paths of the plugins as the
	// runner classified them; nil means IsPlugin classifies the package
	// under analysis with the project's rule.
	Plugins map[string]bool
	// Dir, when set, is the directory positions in messages are
	// relative to (the contract's are relative to the project root).
	Dir string
}

// InForce returns the contract in force: Contract, or the convention.
func (c *Config) InForce() *contract.Contract {
	if c.Contract != nil {
		return c.Contract
	}
	return contract.Default(c.API)
}

func (c *Config) project() *project.Project {
	if c.Project != nil {
		return c.Project
	}
	return &project.Project{Config: &contract.Config{}}
}

// IsPlugin reports whether the package under analysis is a plugin: as
// the runner classified it (Plugins), else by the project's one rule
// (project.Project.Classify: [plugins] dirs, the contract's symbols, New,
// no func main) applied to its syntax.
func (c *Config) IsPlugin(pass *analysis.Pass) bool {
	if pass.Pkg.Name() != "main" {
		return false
	}
	if c.Plugins != nil {
		return c.Plugins[pass.Pkg.Path()]
	}
	var ct func() *contract.Contract
	if c.Contract != nil {
		ct = func() *contract.Contract { return c.Contract }
	}
	return c.project().Classify(project.FromSyntax(pass.Pkg, PackageDir(pass), pass.Files), ct) == project.Plugin
}

// Root is the project root ("" for an empty project).
func (c *Config) Root() string { return c.project().Root }

// PluginName is the name of the plugin in dir, as contract.Entry.Applies
// matches it (project.Project.PluginName).
func (c *Config) PluginName(dir string) string { return c.project().PluginName(dir) }

// PackageDir returns the directory of the package under analysis (of
// its first file), "" when unknown.
func PackageDir(pass *analysis.Pass) string {
	for _, f := range pass.Files {
		if name := pass.Fset.Position(f.Package).Filename; strings.HasSuffix(name, ".go") {
			return filepath.Dir(name)
		}
	}
	return ""
}

// FixPrefix marks the related information that carries a finding's
// advice when there is no mechanical fix (see Report).
const FixPrefix = "fix: "

// Report reports a diagnostic at [pos, end). category is a stable
// sub-code (see Warning); fix is the advice: with edits it becomes the
// suggested fix's message, without it travels as related information
// prefixed FixPrefix at the same position, so that both go vet users and
// the runner see it. related adds evidence (call paths, declarations).
func Report(pass *analysis.Pass, pos, end token.Pos, category, msg, fix string, edits []analysis.TextEdit, related ...analysis.RelatedInformation) {
	d := analysis.Diagnostic{Pos: pos, End: end, Category: category, Message: msg, Related: related}
	if fix != "" {
		if len(edits) > 0 {
			d.SuggestedFixes = []analysis.SuggestedFix{{Message: fix, TextEdits: edits}}
		} else {
			d.Related = append([]analysis.RelatedInformation{{Pos: pos, End: end, Message: FixPrefix + fix}}, d.Related...)
		}
	}
	pass.Report(d)
}

// warnings lists the "analyzer/category" pairs that are warnings; every
// other finding is an error. An error predicts that a plugin will fail to
// load, or will crash, exit or hang its host (a missing or mistyped
// contract symbol, a wrong API version value, an init that exits, panics
// or blocks, two copies of the API package); everything else is advice:
// I/O or registration in init, unsynchronised shared state, and host-side
// advice (hostload: Go's own plugin tests and many production hosts
// assert without comma-ok, and a build tool must still build them).
var warnings = map[string]bool{
	"apiversion/literal":           true, // equals the API today, goes stale later
	"initio/cgo":                   true,
	"initio/io":                    true,
	"initio/host":                  true,
	"initio/register":              true,
	"sharedstate/write":            true,
	"hostload/unchecked-assertion": true,
	"hostload/no-version":          true,
	"hostload/order":               true,
	"apicopy/same-bytes":           true,
	"apicopy/nested-module":        true,
	"apicopy/plugin-skew":          true,
}

// IsWarning reports whether a finding of analyzer with category is a
// warning rather than an error.
func IsWarning(analyzer, category string) bool { return warnings[analyzer+"/"+category] }

// IsStd reports whether the package under analysis belongs to the
// standard library: no module and a first path element without a dot.
func IsStd(pass *analysis.Pass) bool {
	if pass.Module != nil && pass.Module.Path != "" {
		return false
	}
	first, _, _ := strings.Cut(pass.Pkg.Path(), "/")
	return !strings.Contains(first, ".")
}

// FindAPI returns the package with import path api among pkg and the
// packages it imports, directly or not; nil if pkg does not reach it.
func FindAPI(pkg *types.Package, api string) *types.Package {
	seen := map[*types.Package]bool{}
	var find func(p *types.Package) *types.Package
	find = func(p *types.Package) *types.Package {
		if seen[p] {
			return nil
		}
		seen[p] = true
		if p.Path() == api {
			return p
		}
		for _, q := range p.Imports() {
			if r := find(q); r != nil {
				return r
			}
		}
		return nil
	}
	return find(pkg)
}

// ImportsDirectly reports whether pkg imports path directly.
func ImportsDirectly(pkg *types.Package, path string) bool {
	return slices.ContainsFunc(pkg.Imports(), func(p *types.Package) bool { return p.Path() == path })
}

// Qualifier qualifies package-level names by package name, except those
// of pkg itself.
func Qualifier(pkg *types.Package) types.Qualifier {
	return func(other *types.Package) string {
		if other == pkg {
			return ""
		}
		return other.Name()
	}
}

// ImportName returns the name under which file imports path ("" if it
// does not; "." for a dot import).
func ImportName(file *ast.File, path string, pkgName string) string {
	for _, imp := range file.Imports {
		if strings.Trim(imp.Path.Value, "`\"") != path {
			continue
		}
		if imp.Name != nil {
			return imp.Name.Name
		}
		return pkgName
	}
	return ""
}

// AddImport returns the edit adding an import of path to file; nil when
// file already imports it. The name used is the package name, or "" on
// a clash, which the caller must check with ImportName first.
func AddImport(file *ast.File, path string) []analysis.TextEdit {
	if ImportName(file, path, "x") != "" {
		return nil
	}
	for _, d := range file.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.IMPORT {
			continue
		}
		if gd.Lparen.IsValid() {
			return []analysis.TextEdit{{Pos: gd.Lparen + 1, End: gd.Lparen + 1, NewText: []byte(fmt.Sprintf("\n\t%q", path))}}
		}
		return []analysis.TextEdit{{Pos: gd.End(), End: gd.End(), NewText: []byte(fmt.Sprintf("\nimport %q", path))}}
	}
	end := file.Name.End()
	return []analysis.TextEdit{{Pos: end, End: end, NewText: []byte(fmt.Sprintf("\n\nimport %q", path))}}
}

// FileOf returns the file of pass containing pos.
func FileOf(pass *analysis.Pass, pos token.Pos) *ast.File {
	for _, f := range pass.Files {
		if f.FileStart <= pos && pos <= f.FileEnd {
			return f
		}
	}
	return nil
}

// ShortPos formats pos as "file.go:line" (base name only), for messages
// that must not depend on where the source is.
func ShortPos(fset *token.FileSet, pos token.Pos) string {
	p := fset.Position(pos)
	if !p.IsValid() {
		return "?"
	}
	return fmt.Sprintf("%s:%d", filepath.Base(p.Filename), p.Line)
}

// Decl returns the top-level declaration of obj in pass's files: a
// *ast.FuncDecl, or the *ast.GenDecl and *ast.ValueSpec / *ast.TypeSpec.
func Decl(pass *analysis.Pass, obj types.Object) (ast.Decl, ast.Spec) {
	f := FileOf(pass, obj.Pos())
	if f == nil {
		return nil, nil
	}
	for _, d := range f.Decls {
		if d.Pos() > obj.Pos() || d.End() < obj.Pos() {
			continue
		}
		switch d := d.(type) {
		case *ast.FuncDecl:
			return d, nil
		case *ast.GenDecl:
			for _, s := range d.Specs {
				if s.Pos() <= obj.Pos() && obj.Pos() <= s.End() {
					return d, s
				}
			}
		}
	}
	return nil, nil
}

// Package modtree finds the modules nested in a project's tree: folders
// with their own go.mod below a main module, which the go command leaves
// out of ./... without a word, and the plugins and hosts they hold.
package modtree

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/mod/modfile"
)

// Module is a nested module, read from its files alone (no go command:
// its dependencies may not even be downloaded).
type Module struct {
	Dir  string        // absolute
	File *modfile.File // its go.mod
	// Plugins are the import paths of its package mains declaring New (a
	// function or variable), Hosts those of the other package mains that
	// import package plugin or the loader Find was given.
	Plugins, Hosts []string
}

// Find returns the modules below root, other than root and the main
// modules (mains: directories), in walk order. Folders named vendor or
// testdata or starting with . or _ are skipped; a module nested in a
// nested module is found too. A package main importing loader (an
// import path; "" for none) is a host as well as one importing plugin.
func Find(root string, mains []string, loader string) []*Module {
	var out []*Module
	filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return nil
		}
		if path != root && Skipped(d.Name()) {
			return filepath.SkipDir
		}
		if path == root || slices.ContainsFunc(mains, func(m string) bool { return filepath.Clean(m) == path }) {
			return nil
		}
		gomod := filepath.Join(path, "go.mod")
		data, err := os.ReadFile(gomod)
		if err != nil {
			return nil
		}
		if mf, err := modfile.Parse(gomod, data, nil); err == nil && mf.Module != nil {
			out = append(out, scan(&Module{Dir: path, File: mf}, loader))
		}
		return nil
	})
	return out
}

// Skipped reports whether a folder of this name is left out of a walk:
// vendor, testdata, and names starting with . or _ (as the go command
// leaves them out of ./...).
func Skipped(name string) bool {
	return name == "vendor" || name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")
}

// scan finds the plugins and hosts of m by parsing its package mains.
func scan(m *Module, loader string) *Module {
	fset := token.NewFileSet()
	filepath.WalkDir(m.Dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return nil
		}
		if path != m.Dir {
			if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil || Skipped(d.Name()) {
				return filepath.SkipDir // another module, or not built
			}
		}
		entries, _ := os.ReadDir(path)
		isMain, hasNew, isHost := false, false, false
		for _, e := range entries {
			n := e.Name()
			if e.IsDir() || !strings.HasSuffix(n, ".go") || strings.HasSuffix(n, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(fset, filepath.Join(path, n), nil, parser.SkipObjectResolution)
			if err != nil || f.Name.Name != "main" {
				continue
			}
			isMain = true
			for _, imp := range f.Imports {
				p, _ := strconv.Unquote(imp.Path.Value)
				isHost = isHost || p == "plugin" || p == loader && loader != ""
			}
			hasNew = hasNew || declaresNew(f)
		}
		ip := m.File.Module.Mod.Path
		if rel, _ := filepath.Rel(m.Dir, path); rel != "." {
			ip += "/" + filepath.ToSlash(rel)
		}
		switch {
		case isMain && hasNew:
			m.Plugins = append(m.Plugins, ip)
		case isMain && isHost:
			m.Hosts = append(m.Hosts, ip)
		}
		return nil
	})
	return m
}

// declaresNew reports whether f declares a top-level func or var New.
func declaresNew(f *ast.File) bool {
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if d.Recv == nil && d.Name.Name == "New" {
				return true
			}
		case *ast.GenDecl:
			for _, s := range d.Specs {
				if vs, ok := s.(*ast.ValueSpec); ok && slices.ContainsFunc(vs.Names, func(id *ast.Ident) bool { return id.Name == "New" }) {
					return true
				}
			}
		}
	}
	return false
}

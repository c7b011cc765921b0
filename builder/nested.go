package builder

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// nestedPlugins finds plugin folders that the patterns cover but the go
// command leaves out silently because they are another module: a folder
// with its own go.mod under a module of the build (and not itself a
// module of the go.work). It returns a warning for each, with the fix.
// dir is the directory the patterns are relative to; modDirs are the
// build's main modules.
func nestedPlugins(dir string, patterns []string, modDirs []string) []string {
	mains := map[string]bool{}
	for _, d := range modDirs {
		mains[filepath.Clean(d)] = true
	}
	var roots []string
	for _, p := range patterns {
		root, ok := strings.CutSuffix(p, "/...")
		if !ok || !(root == "." || strings.HasPrefix(root, "./") || strings.HasPrefix(root, "../") || filepath.IsAbs(root)) {
			continue // an import path pattern, or no wildcard: nothing left out silently
		}
		if !filepath.IsAbs(root) {
			root = filepath.Join(dir, root)
		}
		roots = append(roots, filepath.Clean(root))
	}
	seen := map[string]bool{}
	var warnings []string
	for _, root := range roots {
		filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || !d.IsDir() {
				return nil
			}
			name := d.Name()
			if path != root && (name == "vendor" || name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
				return filepath.SkipDir
			}
			if mains[path] || path == root {
				return nil
			}
			if _, err := os.Stat(filepath.Join(path, "go.mod")); err != nil {
				return nil
			}
			// Another module: the go command stops here, and so do we.
			if !seen[path] && hasPluginPackage(path) {
				seen[path] = true
				rel, err := filepath.Rel(dir, path)
				if err != nil {
					rel = path
				}
				warnings = append(warnings, fmt.Sprintf("%s has its own go.mod: its plugin is not part of this build; build it from there (cd %s && pluginctl build), or add it to a go.work (go work use %s)", rel, rel, rel))
			}
			return filepath.SkipDir
		})
	}
	sort.Strings(warnings)
	return warnings
}

// hasPluginPackage reports whether the folder of a module, or one below it
// in that module, holds a package main declaring a top-level New: what
// discovery would have taken for a plugin.
func hasPluginPackage(modDir string) bool {
	found := false
	filepath.WalkDir(modDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || found {
			return filepath.SkipDir
		}
		if !d.IsDir() {
			return nil
		}
		name := d.Name()
		if path != modDir {
			if name == "vendor" || name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") {
				return filepath.SkipDir
			}
			if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil {
				return filepath.SkipDir // yet another module
			}
		}
		if declaresNew(path) {
			found = true
			return filepath.SkipAll
		}
		return nil
	})
	return found
}

// declaresNew reports whether the Go files of dir (tests aside) are a
// package main with a top-level func or var New.
func declaresNew(dir string) bool {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return false
	}
	fset := token.NewFileSet()
	for _, e := range entries {
		n := e.Name()
		if e.IsDir() || !strings.HasSuffix(n, ".go") || strings.HasSuffix(n, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, n), nil, parser.SkipObjectResolution)
		if err != nil || f.Name.Name != "main" {
			continue
		}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil && d.Name.Name == "New" {
					return true
				}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					if vs, ok := s.(*ast.ValueSpec); ok {
						for _, id := range vs.Names {
							if id.Name == "New" {
								return true
							}
						}
					}
				}
			}
		}
	}
	return false
}

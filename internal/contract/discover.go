package contract

import (
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"path"

	"golang.org/x/tools/go/packages"
)

// Export is a package-level symbol a plugin's package main exports.
type Export struct {
	// Kind is KindFunc or KindVar.
	Kind string
	// Type is what Lookup returns for it (canonical), "" when the
	// package was not type-checked.
	Type string

	typ types.Type
}

// Exports returns the exported functions and variables of a package, by
// name: from its types when it has them, else from its syntax, else by
// parsing its GoFiles (declarations only: cheap enough for build
// discovery, which loads packages without syntax).
func Exports(pkg *packages.Package) map[string]Export {
	out := map[string]Export{}
	if pkg.Types != nil && pkg.Types.Scope() != nil && !pkg.IllTyped {
		scope := pkg.Types.Scope()
		for _, name := range scope.Names() {
			obj := scope.Lookup(name)
			if !obj.Exported() {
				continue
			}
			typ, kind, ok := SymbolType(obj)
			if !ok {
				continue
			}
			t := obj.Type()
			if kind == KindVar {
				t = types.NewPointer(t)
			}
			out[name] = Export{Kind: kind, Type: typ, typ: t}
		}
		return out
	}
	files := pkg.Syntax
	if len(files) == 0 {
		fset := token.NewFileSet()
		for _, name := range pkg.GoFiles {
			f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
			if err == nil {
				files = append(files, f)
			}
		}
	}
	for _, f := range files {
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil && d.Name.IsExported() {
					out[d.Name.Name] = Export{Kind: KindFunc}
				}
			case *ast.GenDecl:
				if d.Tok != token.VAR {
					continue
				}
				for _, s := range d.Specs {
					for _, n := range s.(*ast.ValueSpec).Names {
						if n.IsExported() {
							out[n.Name] = Export{Kind: KindVar}
						}
					}
				}
			}
		}
	}
	return out
}

// Satisfies reports whether an export satisfies the entry: same kind
// (when the entry has one) and, when the export's type is known, one of
// the entry's types.
func (e Entry) Satisfies(x Export) bool {
	if e.Kind != "" && x.Kind != e.Kind {
		return false
	}
	switch {
	case x.typ != nil:
		return e.MatchesType(x.typ)
	case x.Type != "":
		return e.Matches(x.Type)
	}
	return true
}

// MissingRequired returns the required entries applying to the package
// (named as its artifact: the last element of its import path) that it
// does not satisfy (see Exports and Entry.Satisfies).
func MissingRequired(pkg *packages.Package, c *Contract) []Entry {
	var out []Entry
	exports := Exports(pkg)
	for _, e := range c.Required(path.Base(pkg.PkgPath)) {
		if x, ok := exports[e.Symbol]; !ok || !e.Satisfies(x) {
			out = append(out, e)
		}
	}
	return out
}

// SatisfiesRequired is the contract's verdict on a package main: it
// defines every required symbol of c applying to it (by name and kind,
// and by type when pkg was type-checked). It is false when no required
// entry applies. It does not say what a package is (a plugin getting its
// symbols wrong is still a plugin): that is project.Classify's.
func SatisfiesRequired(pkg *packages.Package, c *Contract) bool {
	if pkg.Name != "main" || len(c.Required(path.Base(pkg.PkgPath))) == 0 {
		return false
	}
	return len(MissingRequired(pkg, c)) == 0
}

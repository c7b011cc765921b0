// Accumulation of every Lookup's instantiations into contract entries,
// kinds and unresolved lookups.

package contract

import (
	"go/ast"
	"go/token"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// accumulator gathers the instantiations of every Lookup into entries.
type accumulator struct {
	a          *analyzer
	entries    map[[2]string]*Entry
	unresolved []Unresolved
	// loaders are the required symbols (for all plugins) by the origin
	// of the plugin value they are looked up in; loose is set when one
	// such symbol's origin is not known.
	loaders map[token.Pos]*loader
	loose   bool
}

type loader struct {
	pkg     string // the package of the Lookup calls
	fn      string // their function
	symbols []string
	sources []Source
}

func newAccumulator(a *analyzer) *accumulator {
	return &accumulator{a: a, entries: map[[2]string]*Entry{}, loaders: map[token.Pos]*loader{}}
}

func (acc *accumulator) add(f *fn, call *ast.CallExpr, name nameItem, plug plugItem, fl *flow) {
	a := acc.a
	required := fl.required()
	// A comma-ok assertion the host carries on without is an optional
	// extension when another assertion is required of the symbol and it
	// is not made on that one's failure path (if lr, ok := sym.(Logger);
	// ok {...} after the required assertion succeeded); otherwise it is
	// an alternative (tried when another failed).
	extension := func(as assertion) bool {
		if !as.optional {
			return false
		}
		req := false
		for _, r := range fl.asserts {
			if r.optional {
				continue
			}
			if r.onFailurePath(as) {
				return false
			}
			req = true
		}
		return req
	}
	var typs, extras []string
	var asserts []assertion
	for _, as := range fl.asserts {
		if extension(as) {
			extras = append(extras, as.typ)
			continue
		}
		typs = append(typs, as.typ)
		asserts = append(asserts, as)
	}
	acc.unresolved = append(acc.unresolved, fl.problems...)
	namePos := name.pos
	if !namePos.IsValid() {
		namePos = call.Pos()
	}
	for _, plugin := range pluginNames(plug) {
		if name.reason != "" {
			acc.unresolved = append(acc.unresolved, Unresolved{
				Pos: a.pos(namePos), Reason: name.reason, Types: typs, Required: required, Plugins: plugin,
			})
			continue
		}
		var plugPath string
		if plug.kind == plugConst {
			for _, p := range plug.paths {
				if strings.TrimSuffix(path.Base(filepath.ToSlash(p)), ".so") == plugin {
					plugPath = p
				}
			}
		}
		if required && plugin == "" {
			if !plug.origin.IsValid() {
				acc.loose = true
			} else {
				l := acc.loaders[plug.origin]
				if l == nil {
					l = &loader{pkg: f.pkg.PkgPath, fn: f.top.name}
					acc.loaders[plug.origin] = l
				}
				l.symbols = append(l.symbols, name.names...)
				l.sources = append(l.sources, Source{Kind: SourceLookup, Pos: a.pos(namePos)})
			}
		}
		for _, sym := range name.names {
			key := [2]string{sym, plugin}
			e := acc.entries[key]
			if e == nil {
				e = &Entry{Symbol: sym, Plugins: plugin}
				acc.entries[key] = e
			}
			e.Required = e.Required || required
			e.Types = append(e.Types, typs...)
			e.Extras = append(e.Extras, extras...)
			for _, as := range fl.asserts {
				if as.iface != "" {
					if e.Interfaces == nil {
						e.Interfaces = map[string]string{}
					}
					e.Interfaces[as.typ] = as.iface
				}
			}
			if len(asserts) == 0 {
				e.Sources = append(e.Sources, Source{Kind: SourceLookup, Pos: a.pos(namePos), Plugin: plugPath})
			}
			for _, as := range asserts {
				e.Sources = append(e.Sources, Source{Kind: SourceLookup, Pos: a.pos(namePos), Assert: a.pos(as.pos), Type: as.typ, Plugin: plugPath})
			}
			for _, v := range fl.values {
				e.Values = append(e.Values, Value{Value: v.val, Pos: a.pos(v.pos)})
			}
		}
	}
}

func (acc *accumulator) finish(c *Contract) {
	for _, e := range acc.entries {
		slices.Sort(e.Types)
		e.Types = slices.Compact(e.Types)
		// An extra that is also an alternative somewhere is not extra.
		e.Extras = slices.DeleteFunc(e.Extras, func(x string) bool { return slices.Contains(e.Types, x) })
		for k := range e.Interfaces {
			if !slices.Contains(e.Types, k) && !slices.Contains(e.Extras, k) {
				delete(e.Interfaces, k)
			}
		}
		e.Kind = kindOfTypes(e.Types)
		c.Entries = append(c.Entries, *e)
	}
	c.Unresolved = append(c.Unresolved, acc.unresolved...)
	if acc.loose || len(acc.loaders) < 2 {
		return
	}
	// Independent loaders: each one's required symbols form a kind,
	// named after its package (the shortest distinguishing end of its
	// path: lura's loaders are all packages named plugin), and function
	// when a package has two.
	byPkg := map[string]int{}
	var pkgs []string
	for _, l := range acc.loaders {
		if byPkg[l.pkg]++; byPkg[l.pkg] == 1 {
			pkgs = append(pkgs, l.pkg)
		}
	}
	names := uniqueSuffixes(pkgs)
	for _, l := range acc.loaders {
		name := names[l.pkg]
		if byPkg[l.pkg] > 1 {
			name += "." + strings.TrimPrefix(l.fn, path.Base(l.pkg)+".")
		}
		c.Kinds = append(c.Kinds, Kind{Name: name, Symbols: slices.Clone(l.symbols), Sources: l.sources})
	}
}

// uniqueSuffixes maps each import path to its shortest trailing run of
// path elements that no other path of the list ends with.
func uniqueSuffixes(paths []string) map[string]string {
	out := map[string]string{}
	for _, p := range paths {
		elems := strings.Split(p, "/")
		for n := 1; n <= len(elems); n++ {
			suffix := strings.Join(elems[len(elems)-n:], "/")
			unique := true
			for _, q := range paths {
				if q != p && (q == suffix || strings.HasSuffix(q, "/"+suffix)) {
					unique = false
					break
				}
			}
			if unique || n == len(elems) {
				out[p] = suffix
				break
			}
		}
	}
	return out
}

// Accumulation of every Lookup's instantiations into contract entries,
// kinds and unresolved lookups.

package infer

import (
	"go/ast"
	"go/token"
	"path"
	"slices"
	"strings"

	"github.com/pluginctl/pluginctl/internal/contract"
)

// accumulator gathers the instantiations of every Lookup into entries.
type accumulator struct {
	a          *analyzer
	entries    map[[2]string]*contract.Entry
	unresolved []contract.Unresolved
	// loaders are the required symbols (for all plugins) by the origin
	// of the plugin value they are looked up in; loose is set when one
	// such symbol's origin is not known.
	loaders map[token.Pos]*loader
	loose   bool
	// tied are the lookups on plugins the host opens by name, by the
	// plugin's full name (see fullName).
	tied map[string]*loader
	// opens are, per entry, where the plugin of an untied lookup made at
	// a single open (not in a loop) is opened; certain marks the entries
	// with a lookup on every plugin of a folder or list.
	opens   map[*contract.Entry][]string
	certain map[*contract.Entry]bool
}

type loader struct {
	pkg     string // the package of the Lookup calls
	fn      string // their function
	symbols []string
	sources []contract.Source
	// loop: the plugins are opened in a loop (a folder's files).
	loop bool
	at   token.Pos // the open
}

func newAccumulator(a *analyzer) *accumulator {
	return &accumulator{a: a, entries: map[[2]string]*contract.Entry{}, loaders: map[token.Pos]*loader{},
		tied: map[string]*loader{}, opens: map[*contract.Entry][]string{}, certain: map[*contract.Entry]bool{}}
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
			acc.unresolved = append(acc.unresolved, contract.Unresolved{
				Pos: a.pos(namePos), Reason: name.reason, Types: typs, Required: required, Plugins: plugin,
			})
			continue
		}
		var plugPath string
		if plug.kind == plugConst && plugin != "" {
			for _, p := range plug.paths {
				if fullName(p) == plugin {
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
					l = &loader{pkg: f.pkg.PkgPath, fn: f.top.name, at: plug.origin}
					acc.loaders[plug.origin] = l
				}
				l.loop = l.loop || plug.loop
				l.symbols = append(l.symbols, name.names...)
				l.sources = append(l.sources, contract.Source{Kind: contract.SourceLookup, Pos: a.pos(namePos)})
			}
		}
		if plugin != "" {
			l := acc.tied[plugin]
			if l == nil {
				l = &loader{pkg: f.pkg.PkgPath, fn: f.top.name}
				acc.tied[plugin] = l
			}
			if required {
				l.symbols = append(l.symbols, name.names...)
			}
			at := plug.origin
			if !at.IsValid() {
				at = namePos
			}
			l.sources = append(l.sources, contract.Source{Kind: contract.SourceLookup, Pos: a.pos(at), Plugin: plugPath})
		}
		for _, sym := range name.names {
			key := [2]string{sym, plugin}
			e := acc.entries[key]
			if e == nil {
				e = &contract.Entry{Symbol: sym, Plugins: plugin}
				acc.entries[key] = e
			}
			if plugin == "" {
				if plug.loop || !plug.origin.IsValid() {
					acc.certain[e] = true
				} else {
					acc.opens[e] = append(acc.opens[e], a.pos(plug.origin))
				}
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
				e.Sources = append(e.Sources, contract.Source{Kind: contract.SourceLookup, Pos: a.pos(namePos), Plugin: plugPath})
			}
			for _, as := range asserts {
				e.Sources = append(e.Sources, contract.Source{Kind: contract.SourceLookup, Pos: a.pos(namePos), Assert: a.pos(as.pos), Type: as.typ, Plugin: plugPath})
			}
			for _, v := range fl.values {
				e.Values = append(e.Values, contract.Value{Value: v.val, Pos: a.pos(v.pos)})
			}
		}
	}
}

func (acc *accumulator) finish(c *contract.Contract) {
	rename := shortNames(acc.tied)
	anyTied := len(acc.tied) > 0
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
		e.Kind = contract.KindOf(e.Types...)
		if n, ok := rename[e.Plugins]; ok {
			e.Plugins = n
		}
		// A lookup on a plugin the host opens at one place, from a path
		// pluginctl cannot tell, while it opens other plugins by name:
		// which plugin it concerns is not known.
		if anyTied && e.Plugins == "" && !acc.certain[e] && len(acc.opens[e]) > 0 {
			ps := acc.opens[e]
			slices.SortFunc(ps, contract.ComparePos)
			e.Uncertain = strings.Join(slices.Compact(ps), ", ")
		}
		c.Entries = append(c.Entries, *e)
	}
	for i := range acc.unresolved {
		if n, ok := rename[acc.unresolved[i].Plugins]; ok {
			acc.unresolved[i].Plugins = n
		}
	}
	c.Unresolved = append(c.Unresolved, acc.unresolved...)
	// The plugins the host opens by name: each is of its own kind, and
	// must have every required symbol of it.
	for full, l := range acc.tied {
		name := full
		if n, ok := rename[full]; ok {
			name = n
		}
		c.Kinds = append(c.Kinds, contract.Kind{Name: name, Plugins: name, Symbols: append([]string{}, l.symbols...), Sources: l.sources})
	}
	var loaders []*loader
	for _, l := range acc.loaders {
		if anyTied && !l.loop {
			continue // uncertain lookups: warnings, no kind
		}
		loaders = append(loaders, l)
	}
	if acc.loose || len(loaders) < 2 {
		return
	}
	// Independent loaders: each one's required symbols form a kind,
	// named after where it opens its plugins: its package (the shortest
	// distinguishing end of its path: lura's loaders are all packages
	// named plugin), its function when a package has two, the open's
	// line when a function has two.
	byPkg := map[string]int{}
	byFn := map[string]int{}
	var pkgs []string
	for _, l := range loaders {
		if byPkg[l.pkg]++; byPkg[l.pkg] == 1 {
			pkgs = append(pkgs, l.pkg)
		}
		byFn[l.pkg+" "+l.fn]++
	}
	names := uniqueSuffixes(pkgs)
	for _, l := range loaders {
		name := names[l.pkg]
		if byPkg[l.pkg] > 1 {
			name += "." + strings.TrimPrefix(l.fn, path.Base(l.pkg)+".")
		}
		if byFn[l.pkg+" "+l.fn] > 1 {
			name = acc.a.pos(l.at)
		}
		c.Kinds = append(c.Kinds, contract.Kind{Name: name, Symbols: slices.Clone(l.symbols), Sources: l.sources})
	}
}

// shortNames maps the full names of the plugins opened by name
// ("plugins/auth") to their file names ("auth") when no other plugin
// opened by name has that file name: a plugin is matched by its file
// name, and by its folder only where two share a name (plugin1 and
// sub/plugin1).
func shortNames(tied map[string]*loader) map[string]string {
	byBase := map[string]int{}
	for full := range tied {
		byBase[path.Base(full)]++
	}
	out := map[string]string{}
	for full := range tied {
		if b := path.Base(full); b != full && byBase[b] == 1 {
			out[full] = b
		}
	}
	return out
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

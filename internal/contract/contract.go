// Package contract is the model of a host's plugin contract: the
// symbols a host program looks up in the Go plugins it loads, each with
// the exact type the host asserts, whether the host refuses a plugin
// without it, and which plugins it applies to.
//
// A contract comes from three sources, merged in this order:
//
//   - Default: the pluginapi convention (New, APIVersion, Capabilities,
//     Init, PluginctlMetadata), used when nothing else is known;
//   - inferred from the host's source by package infer: every
//     (*plugin.Plugin).Lookup with a constant name and the type
//     assertions applied to its result;
//   - declared: the [[symbol]] tables of pluginctl.toml (LoadConfig) and
//     --expect NAME=TYPE flags (ParseExpect), merged over the inferred
//     contract by Merge.
//
// Types are canonical type strings (see CanonicalType): types.TypeString
// with full import paths, without parameter names, byte and rune spelled
// uint8 and int32, any spelled interface{}. A variable's type is what
// Lookup returns for it, a pointer: `var Seven int` is "*int".
package contract

import (
	"cmp"
	"maps"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Kinds of symbols.
const (
	// KindFunc is an exported function: Lookup returns the function value.
	KindFunc = "func"
	// KindVar is an exported variable: Lookup returns a pointer to it.
	KindVar = "var"
)

// Source kinds: where an entry came from.
const (
	// SourceLookup: inferred from a Lookup call in the host.
	SourceLookup = "lookup"
	// SourceConfig: declared in pluginctl.toml.
	SourceConfig = "config"
	// SourceExpect: declared by an --expect flag.
	SourceExpect = "expect"
	// SourceConvention: the pluginapi convention (Default).
	SourceConvention = "convention"
)

// Contract is the set of symbols a host expects from its plugins.
type Contract struct {
	// Hosts are the import paths of the host packages the contract was
	// inferred from; empty for a contract that was not inferred.
	Hosts []string `json:"hosts,omitempty"`
	// Entries are sorted by Symbol, then Plugins.
	Entries []Entry `json:"entries"`
	// Unresolved are the lookups whose symbol name is not a constant,
	// sorted by position. Declare them in pluginctl.toml.
	Unresolved []Unresolved `json:"unresolved,omitempty"`
	// Kinds, when there are any, are the kinds of plugin the host
	// accepts, sorted by name: a plugin must satisfy at least one (have
	// every symbol of it, of one of its entries' types); the entries of a
	// symbol that belongs to a kind are required only of the plugins of
	// that kind. Inferred from independent loaders (lookups on plugins
	// opened at different places: each loader's required symbols form
	// one kind), or declared ([[kind]] in pluginctl.toml).
	Kinds []Kind `json:"kinds,omitempty"`
	// Folder is how the host picks the files of a folder it opens:
	// inferred from where it lists the folder, or declared; nil when it
	// lists none.
	Folder *Folder `json:"folder,omitempty"`
}

// Kind is one set of symbols a plugin may satisfy (see Contract.Kinds).
type Kind struct {
	// Name names the kind: declared, or inferred from the loader (the
	// package of the function holding its lookups, last element).
	Name string `json:"name"`
	// Symbols are the kind's required symbols, sorted.
	Symbols []string `json:"symbols"`
	// Sources say where the kind comes from: the loader's Lookup calls,
	// the plugin.Open calls of a plugin opened by name, or the
	// pluginctl.toml line.
	Sources []Source `json:"sources,omitempty"`
	// Plugins, when set, is the plugin the host opens by name (as for
	// Entry.Plugins): the kind is that file's, which must have every one
	// of its symbols (its entries say so); it is not one of the kinds a
	// plugin may choose from.
	Plugins string `json:"plugins,omitempty"`
}

// Entry is one symbol of the contract.
type Entry struct {
	// Symbol is the exported name looked up.
	Symbol string `json:"symbol"`
	// Types are the alternatives, sorted: a plugin must export the symbol
	// with one of these types. Empty means any type (the host only
	// checks that the symbol exists). An interface type means "a value
	// implementing it".
	Types []string `json:"types,omitempty"`
	// Kind is KindFunc or KindVar when every alternative is a function
	// or a pointer (variable) type, "" otherwise.
	Kind string `json:"kind,omitempty"`
	// Required is true when the host refuses (skips, errors out on) a
	// plugin lacking the symbol.
	Required bool `json:"required"`
	// Plugins restricts the entry: "" applies to every plugin, otherwise
	// a comma-separated list of names or globs (path.Match syntax)
	// matched against the plugin's file base name without ".so", or
	// against its path (see Applies).
	Plugins string `json:"plugins,omitempty"`
	// Sources say where the entry came from, sorted.
	Sources []Source `json:"sources"`
	// Uncertain, when set, says that the host makes this lookup on a
	// plugin it opens at these places ("host/main.go:42") from a path
	// pluginctl cannot tell, while it opens other plugins by name: the
	// entry may concern any plugin, and verify reports a failure of it
	// as a warning until pluginctl.toml (plugins = ...) or --expect
	// declares the symbol.
	Uncertain string `json:"uncertain,omitempty"`
	// Interfaces maps each alternative of Types that is a named interface
	// type to its method set, as a canonical interface literal
	// ("interface{Close() error}"): the host asserts to an interface, so
	// a symbol satisfies the alternative when its type implements it,
	// which a plugin that cannot import the interface's package must
	// judge from the methods.
	Interfaces map[string]string `json:"interfaces,omitempty"`
	// Extras are interfaces the host also asserts on the symbol with
	// comma-ok and carries on without when the assertion fails (optional
	// extensions such as a logger registration): never required, listed
	// for information.
	Extras []string `json:"extras,omitempty"`
	// Values are the values the host accepts for a string symbol (a
	// *string variable such as APIVersion): the constants it compares the
	// looked-up value with (`*v != api.APIVersion`, `switch *v {...}`),
	// sorted, each with the host line. Empty means any value.
	Values []Value `json:"values,omitempty"`
}

// Value is one accepted value of a string symbol.
type Value struct {
	Value string `json:"value"`
	// Pos is "file:line" of the comparison in the host.
	Pos string `json:"pos,omitempty"`
}

// Accepts reports whether the entry accepts the string value v (any
// value when the host compares it with nothing).
func (e Entry) Accepts(v string) bool {
	return len(e.Values) == 0 || slices.ContainsFunc(e.Values, func(x Value) bool { return x.Value == v })
}

// ValueList returns the accepted values, without positions.
func (e Entry) ValueList() []string {
	var out []string
	for _, v := range e.Values {
		if !slices.Contains(out, v.Value) {
			out = append(out, v.Value)
		}
	}
	return out
}

// Source is one origin of an entry.
type Source struct {
	// Kind is SourceLookup, SourceConfig, SourceExpect or
	// SourceConvention.
	Kind string `json:"kind"`
	// Pos is "file:line" (relative to the module root) of the Lookup
	// call, or of the call passing the constant name to a helper that
	// wraps Lookup; for SourceConfig the config file line; for
	// SourceExpect the flag as given.
	Pos string `json:"pos,omitempty"`
	// Assert is "file:line" of the type assertion or type switch that
	// gave Type, for SourceLookup.
	Assert string `json:"assert,omitempty"`
	// Type is the type this source asks for ("" when it asks for none).
	Type string `json:"type,omitempty"`
	// Plugin is the plugin path given to plugin.Open when it is a
	// constant (the entry then applies to that plugin only).
	Plugin string `json:"plugin,omitempty"`
}

// Unresolved is a Lookup whose symbol name could not be determined.
type Unresolved struct {
	// Pos is "file:line" of the Lookup call, or of the helper call
	// passing the non-constant name.
	Pos string `json:"pos"`
	// Reason says why, e.g. "symbol name from a variable: cfg.Symbol".
	Reason string `json:"reason"`
	// Types are the types asserted on the result, if any: what to declare.
	Types []string `json:"types,omitempty"`
	// Required is the inferred requirement, as for Entry.
	Required bool `json:"required"`
	// Plugins is as for Entry.
	Plugins string `json:"plugins,omitempty"`
}

// Default returns the pluginapi convention for the API package apiPkg
// (its import path, e.g. "github.com/pluginctl/pluginctl/pluginapi"):
// New (required, func() <api>.Plugin), APIVersion (required, *string),
// Capabilities (optional, func() []string), Init (optional,
// func(<api>.Host) error) and PluginctlMetadata (optional, *string: the
// build metadata that pluginctl build adds and pluginapi/loader reads).
func Default(apiPkg string) *Contract {
	conv := []Source{{Kind: SourceConvention}}
	c := &Contract{Entries: []Entry{
		{Symbol: "APIVersion", Types: []string{"*string"}, Kind: KindVar, Required: true},
		{Symbol: "Capabilities", Types: []string{"func() []string"}, Kind: KindFunc},
		{Symbol: "Init", Types: []string{"func(" + apiPkg + ".Host) error"}, Kind: KindFunc},
		{Symbol: "New", Types: []string{"func() " + apiPkg + ".Plugin"}, Kind: KindFunc, Required: true},
		{Symbol: "PluginctlMetadata", Types: []string{"*string"}, Kind: KindVar},
	}}
	for i := range c.Entries {
		c.Entries[i].Sources = slices.Clone(conv)
	}
	return c
}

// For returns the entries that apply to the plugin named pluginName: a
// file base name with or without ".so", or a path. Entries of one symbol
// for all plugins and for this plugin are all returned: the host looks
// the symbol up at each of those places.
func (c *Contract) For(pluginName string) []Entry {
	if c == nil {
		return nil
	}
	// A plugin the host opens by name is matched by the most specific
	// name: sub/plugin1.so is sub/plugin1's, not plugin1's.
	best := 0
	for _, e := range c.Entries {
		if e.tied() && e.Applies(pluginName) {
			best = max(best, strings.Count(e.Plugins, "/")+1)
		}
	}
	var out []Entry
	for _, e := range c.Entries {
		if e.Applies(pluginName) && !(e.tied() && strings.Count(e.Plugins, "/")+1 < best) {
			out = append(out, e)
		}
	}
	return out
}

// tied reports whether the entry was inferred for one plugin the host
// opens by name.
func (e Entry) tied() bool {
	if e.Plugins == "" || strings.Contains(e.Plugins, ",") || len(e.Sources) == 0 {
		return false
	}
	for _, s := range e.Sources {
		if s.Kind != SourceLookup {
			return false
		}
	}
	return true
}

// Symbols returns the distinct symbol names of the contract, sorted.
func (c *Contract) Symbols() []string {
	var out []string
	for _, e := range c.Entries {
		out = append(out, e.Symbol)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Applies reports whether the entry applies to the plugin named
// pluginName (a name, a file name or a path). Each comma-separated glob
// of Plugins is matched against the base name without ".so"; a glob
// containing "/" is matched against the path and against each of its
// trailing sub-paths, with and without ".so".
func (e Entry) Applies(pluginName string) bool {
	if e.Plugins == "" {
		return true
	}
	p := filepath.ToSlash(pluginName)
	base := strings.TrimSuffix(path.Base(p), ".so")
	for _, g := range strings.Split(e.Plugins, ",") {
		g = strings.TrimSpace(g)
		if g == "" {
			continue
		}
		if !strings.Contains(g, "/") {
			if ok, _ := path.Match(g, base); ok {
				return true
			}
			continue
		}
		g = strings.TrimSuffix(g, ".so")
		q := strings.TrimSuffix(p, ".so")
		for {
			if ok, _ := path.Match(g, q); ok {
				return true
			}
			i := strings.Index(q, "/")
			if i < 0 {
				break
			}
			q = q[i+1:]
		}
	}
	return false
}

// Want renders what the entry asks of a symbol, for a message: its types
// joined by " or ", each written by name (nil: as it is), else "any
// type" ("any function", "any variable" when it has a kind). Every
// message that says what an entry wants renders it so.
func (e Entry) Want(name func(typ string) string) string {
	if len(e.Types) == 0 {
		switch e.Kind {
		case KindFunc:
			return "any function"
		case KindVar:
			return "any variable"
		}
		return "any type"
	}
	types := e.Types
	if name != nil {
		types = make([]string, len(e.Types))
		for i, t := range e.Types {
			types[i] = name(t)
		}
	}
	return strings.Join(types, " or ")
}

// Matches reports whether a symbol of type typ satisfies the entry: the
// entry accepts any type, or typ equals one of its alternatives once both
// are canonical (CanonicalType). typ may also use package names instead
// of import paths, as reflect and %T print them ("func() pluginapi.Plugin");
// it then matches an alternative whose qualifiers end in those names.
// Interface alternatives match only the same interface type string: that
// a concrete type implements one cannot be told from strings.
func (e Entry) Matches(typ string) bool {
	if len(e.Types) == 0 {
		return true
	}
	want, err := CanonicalType(typ)
	if err != nil {
		want = strings.TrimSpace(typ)
	}
	for _, t := range e.Types {
		if t == want {
			return true
		}
	}
	if err != nil || !shortQualified(typ) {
		return false
	}
	short, _ := shortType(want)
	for _, t := range e.Types {
		if s, err := shortType(t); err == nil && s == short {
			return true
		}
	}
	return false
}

// KindOf returns the kind the canonical type strings share: KindFunc
// when every one is a function type, KindVar when every one is a pointer
// type, "" otherwise (and for none).
func KindOf(ts ...string) string {
	k := ""
	for i, t := range ts {
		tk := ""
		switch {
		case strings.HasPrefix(t, "func("):
			tk = KindFunc
		case strings.HasPrefix(t, "*"):
			tk = KindVar
		}
		if i > 0 && tk != k {
			return ""
		}
		k = tk
	}
	return k
}

// Merge returns inferred with the declared entries merged over it (in
// order: a later declaration of the same symbol for the same Plugins wins).
// A declared entry replaces the Types (when it has any), Kind and
// Required of the entry with the same Symbol and Plugins, and its sources
// are listed first; an entry with no counterpart is added. Unresolved
// lookups are kept: a declaration cannot say which one it answers.
// inferred may be nil; it is not modified.
func Merge(inferred *Contract, declared ...Entry) *Contract {
	out := &Contract{}
	if inferred != nil {
		out = Union(inferred) // a copy
	}
	for _, d := range declared {
		d = d.clone()
		if d.Kind == "" {
			d.Kind = KindOf(d.Types...)
		}
		i := slices.IndexFunc(out.Entries, func(e Entry) bool { return e.Symbol == d.Symbol && e.Plugins == d.Plugins })
		if i < 0 {
			out.Entries = append(out.Entries, d)
			continue
		}
		e := &out.Entries[i]
		if len(d.Types) > 0 {
			e.Types = d.Types
			e.Kind = d.Kind
			// The inferred method sets still describe the named
			// interfaces the declaration keeps.
			for k, v := range e.Interfaces {
				if _, ok := d.Interfaces[k]; !ok && slices.Contains(d.Types, k) {
					if d.Interfaces == nil {
						d.Interfaces = map[string]string{}
					}
					d.Interfaces[k] = v
				}
			}
			e.Interfaces = d.Interfaces
		}
		e.Required = d.Required
		e.Uncertain = ""
		e.Sources = append(d.Sources, e.Sources...)
		if len(d.Values) > 0 {
			e.Values = d.Values
		}
	}
	// A declaration says which plugins a symbol concerns: the inferred
	// lookup of it on an unknown plugin is answered.
	if len(declared) > 0 {
		out.Entries = slices.DeleteFunc(out.Entries, func(e Entry) bool {
			return e.Uncertain != "" && slices.ContainsFunc(declared, func(d Entry) bool { return d.Symbol == e.Symbol })
		})
	}
	out.normalize()
	return out
}

// Union returns the contract of several hosts inferred apart: their
// hosts, entries and unresolved lookups together.
func Union(cs ...*Contract) *Contract {
	out := &Contract{}
	for _, c := range cs {
		if c.Folder != nil {
			if out.Folder == nil {
				out.Folder = c.Folder
			} else if *out.Folder != *c.Folder {
				out.Folder = &Folder{Pos: c.Folder.Pos, Unknown: "the hosts list their folders in different ways"}
			}
		}
		out.Hosts = append(out.Hosts, c.Hosts...)
		out.Unresolved = append(out.Unresolved, c.Unresolved...)
		for _, k := range c.Kinds {
			out.Kinds = append(out.Kinds, k.clone())
		}
		for _, e := range c.Entries {
			i := slices.IndexFunc(out.Entries, func(o Entry) bool { return o.Symbol == e.Symbol && o.Plugins == e.Plugins })
			if i < 0 {
				out.Entries = append(out.Entries, e.clone())
				continue
			}
			o := &out.Entries[i]
			if len(o.Types) > 0 && len(e.Types) > 0 {
				o.Types = append(o.Types, e.Types...)
			} else {
				o.Types = nil // one host takes any type
			}
			o.Required = o.Required || e.Required
			o.Sources = append(o.Sources, e.Sources...)
			o.Values = append(o.Values, e.Values...)
			o.Extras = append(o.Extras, e.Extras...)
			if o.Interfaces == nil && len(e.Interfaces) > 0 {
				o.Interfaces = map[string]string{}
			}
			maps.Copy(o.Interfaces, e.Interfaces)
			o.Kind = KindOf(o.Types...)
		}
	}
	out.normalize()
	return out
}

func (e Entry) clone() Entry {
	e.Types = slices.Clone(e.Types)
	e.Sources = slices.Clone(e.Sources)
	e.Values = slices.Clone(e.Values)
	e.Extras = slices.Clone(e.Extras)
	e.Interfaces = maps.Clone(e.Interfaces)
	return e
}

// normalize sorts everything and removes duplicates, so that a contract
// prints the same whatever the order it was built in.
func (c *Contract) normalize() {
	slices.Sort(c.Hosts)
	c.Hosts = slices.Compact(c.Hosts)
	for i := range c.Entries {
		e := &c.Entries[i]
		slices.Sort(e.Types)
		e.Types = slices.Compact(e.Types)
		slices.Sort(e.Extras)
		e.Extras = slices.Compact(e.Extras)
		// Declared sources first, in the order given; then the rest sorted.
		n := 0
		for n < len(e.Sources) && (e.Sources[n].Kind == SourceConfig || e.Sources[n].Kind == SourceExpect) {
			n++
		}
		rest := e.Sources[n:]
		slices.SortFunc(rest, compareSource)
		e.Sources = append(e.Sources[:n:n], slices.Compact(rest)...)
		slices.SortFunc(e.Values, func(a, b Value) int { return cmp.Or(cmp.Compare(a.Value, b.Value), ComparePos(a.Pos, b.Pos)) })
		e.Values = slices.Compact(e.Values)
		if e.Sources == nil {
			e.Sources = []Source{}
		}
	}
	slices.SortStableFunc(c.Entries, func(a, b Entry) int {
		return cmp.Or(cmp.Compare(a.Symbol, b.Symbol), cmp.Compare(a.Plugins, b.Plugins))
	})
	for i := range c.Unresolved {
		slices.Sort(c.Unresolved[i].Types)
		c.Unresolved[i].Types = slices.Compact(c.Unresolved[i].Types)
	}
	slices.SortFunc(c.Unresolved, func(a, b Unresolved) int {
		return cmp.Or(ComparePos(a.Pos, b.Pos), cmp.Compare(a.Reason, b.Reason), cmp.Compare(a.Plugins, b.Plugins))
	})
	c.Unresolved = slices.CompactFunc(c.Unresolved, func(a, b Unresolved) bool {
		return a.Pos == b.Pos && a.Reason == b.Reason && a.Plugins == b.Plugins && slices.Equal(a.Types, b.Types) && a.Required == b.Required
	})
	if c.Entries == nil {
		c.Entries = []Entry{}
	}
	c.normalizeKinds()
}

func compareSource(a, b Source) int {
	return cmp.Or(cmp.Compare(a.Kind, b.Kind), ComparePos(a.Pos, b.Pos), ComparePos(a.Assert, b.Assert),
		cmp.Compare(a.Type, b.Type), cmp.Compare(a.Plugin, b.Plugin))
}

// ComparePos orders "file:line" strings by file, then numerically by line.
func ComparePos(a, b string) int {
	fa, la := splitPos(a)
	fb, lb := splitPos(b)
	return cmp.Or(cmp.Compare(fa, fb), cmp.Compare(la, lb), cmp.Compare(a, b))
}

func splitPos(p string) (string, int) {
	i := strings.LastIndex(p, ":")
	n, err := strconv.ParseUint(p[i+1:], 10, 0)
	if i < 0 || err != nil {
		return p, 0
	}
	return p[:i], int(n)
}

// Answers reports whether a declaration answers the unresolved lookup u:
// a declared symbol (pluginctl.toml or --expect) of one of the types
// asserted on it, or any declared symbol when it asserts none.
func (c *Contract) Answers(u Unresolved) bool {
	for _, e := range c.Entries {
		if !slices.ContainsFunc(e.Sources, func(s Source) bool { return s.Kind == SourceConfig || s.Kind == SourceExpect }) {
			continue
		}
		if len(u.Types) == 0 || len(e.Types) == 0 {
			return true
		}
		for _, t := range u.Types {
			if slices.Contains(e.Types, t) {
				return true
			}
		}
	}
	return false
}

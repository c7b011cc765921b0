package contract

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

func (k Kind) clone() Kind {
	k.Symbols = slices.Clone(k.Symbols)
	k.Sources = slices.Clone(k.Sources)
	return k
}

// normalizeKinds sorts the kinds and their symbols, merges kinds with the
// same symbols, and drops the kinds when fewer than two remain: one kind
// is just the required symbols.
func (c *Contract) normalizeKinds() {
	for i := range c.Kinds {
		k := &c.Kinds[i]
		slices.Sort(k.Symbols)
		k.Symbols = slices.Compact(k.Symbols)
		slices.SortFunc(k.Sources, compareSource)
		k.Sources = slices.Compact(k.Sources)
	}
	slices.SortStableFunc(c.Kinds, func(a, b Kind) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), slices.Compare(a.Symbols, b.Symbols))
	})
	var out, tied []Kind
	for _, k := range c.Kinds {
		if k.Plugins != "" {
			if i := slices.IndexFunc(tied, func(o Kind) bool { return o.Plugins == k.Plugins }); i >= 0 {
				tied[i].Symbols = append(tied[i].Symbols, k.Symbols...)
				tied[i].Sources = append(tied[i].Sources, k.Sources...)
				slices.Sort(tied[i].Symbols)
				tied[i].Symbols = slices.Compact(tied[i].Symbols)
				continue
			}
			tied = append(tied, k)
			continue
		}
		if len(k.Symbols) == 0 {
			continue
		}
		if i := slices.IndexFunc(out, func(o Kind) bool { return slices.Equal(o.Symbols, k.Symbols) }); i >= 0 {
			out[i].Sources = append(out[i].Sources, k.Sources...)
			continue
		}
		out = append(out, k)
	}
	if len(out) < 2 {
		out = nil
	}
	c.Kinds = append(out, tied...)
	if len(c.Kinds) == 0 {
		c.Kinds = nil
	}
}

// choice returns the kinds a plugin may choose from: those not tied to
// one plugin opened by name.
func (c *Contract) choice() []Kind {
	if c == nil {
		return nil
	}
	var out []Kind
	for _, k := range c.Kinds {
		if k.Plugins == "" {
			out = append(out, k)
		}
	}
	return out
}

// KindOf returns the kind of the plugin named pluginName when the host
// opens it by name (see Kind.Plugins), the most specific match.
func (c *Contract) KindOf(pluginName string) (Kind, bool) {
	var best Kind
	n := 0
	for _, k := range c.Kinds {
		if k.Plugins == "" || !(Entry{Plugins: k.Plugins}).Applies(pluginName) {
			continue
		}
		if m := strings.Count(k.Plugins, "/") + 1; m > n {
			best, n = k, m
		}
	}
	return best, n > 0
}

// WithKinds returns c with its kinds replaced by the declared ones (when
// there are any: pluginctl.toml's [[kind]] tables); c is not modified.
// A declared kind's symbols need no entry: one that has none is added,
// required, of any type.
func WithKinds(c *Contract, declared ...Kind) *Contract {
	if len(declared) == 0 || c == nil {
		return c
	}
	out := Merge(c)
	out.Kinds = slices.DeleteFunc(out.Kinds, func(k Kind) bool { return k.Plugins == "" })
	for _, k := range declared {
		out.Kinds = append(out.Kinds, k.clone())
		for _, s := range k.Symbols {
			if !slices.ContainsFunc(out.Entries, func(e Entry) bool { return e.Symbol == s }) {
				out.Entries = append(out.Entries, Entry{Symbol: s, Required: true, Sources: slices.Clone(k.Sources)})
			}
		}
	}
	out.normalize()
	// Declared kinds stay even when only one is declared: it still
	// names the symbols.
	if len(out.choice()) == 0 {
		for _, k := range declared {
			out.Kinds = append(out.Kinds, k.clone())
		}
	}
	return out
}

// InKind reports whether symbol belongs to one of the kinds: its entries
// are then required only of the plugins of its kinds (see KindVerdict).
func (c *Contract) InKind(symbol string) bool {
	if c == nil {
		return false
	}
	for _, k := range c.choice() {
		if slices.Contains(k.Symbols, symbol) {
			return true
		}
	}
	return false
}

// Symbol states for KindVerdict.
const (
	SymbolOK      = 0 // present, of one of the types
	SymbolBadType = 1 // present, of none of the types (or another kind)
	SymbolMissing = 2 // absent
)

// KindVerdict judges a plugin against the kinds. state says how the
// plugin fares on the entries of a symbol: SymbolOK, SymbolBadType or
// SymbolMissing. ok is true when the contract has no kinds or the plugin
// satisfies one; otherwise nearest is the kind the plugin comes closest
// to (the fewest failing symbols, absent ones counting double: a plugin
// with a mistyped symbol of a kind meant to be that kind; then the most
// symbols it has; then the first by name) and failed are its failing
// symbols.
func (c *Contract) KindVerdict(state func(symbol string) int) (ok bool, nearest Kind, failed []string) {
	if len(c.choice()) == 0 {
		return true, Kind{}, nil
	}
	best, bestOK := -1, 0
	for _, k := range c.choice() {
		var f []string
		score := 0
		for _, s := range k.Symbols {
			if st := state(s); st != SymbolOK {
				f = append(f, s)
				score += st
			}
		}
		if len(f) == 0 {
			return true, Kind{}, nil
		}
		okCount := len(k.Symbols) - len(f)
		if best < 0 || score < best || score == best && okCount > bestOK {
			best, bestOK, nearest, failed = score, okCount, k, f
		}
	}
	return false, nearest, failed
}

// DescribeKinds writes the kinds for a message:
// "handler (HandlerRegisterer), client (ClientRegisterer)".
func (c *Contract) DescribeKinds() string {
	var parts []string
	for _, k := range c.choice() {
		parts = append(parts, fmt.Sprintf("%s (%s)", k.Name, strings.Join(k.Symbols, ", ")))
	}
	return strings.Join(parts, ", ")
}

// KindsMessage is the message for a plugin that satisfies none of the
// kinds: which kinds there are, the nearest and what it lacks.
func (c *Contract) KindsMessage(nearest Kind, failed []string) string {
	return fmt.Sprintf("is none of the kinds of plugin the host loads: %s; nearest: %s, which needs %s",
		c.DescribeKinds(), nearest.Name, strings.Join(failed, ", "))
}

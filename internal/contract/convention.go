package contract

import "slices"

// IsConvention reports whether e is the pluginapi convention's entry for
// its symbol, whoever declared or inferred it: the convention's type (or
// any type), for all plugins or some (a host opening "plugins/x.so" by
// name still follows the convention). It is the one answer to "is this
// entry the convention?": the verifier, vet and the report all ask it.
func (e Entry) IsConvention(api string) bool {
	return slices.ContainsFunc(Default(api).Entries, func(d Entry) bool {
		return d.Symbol == e.Symbol && (len(e.Types) == 0 || slices.Equal(e.Types, d.Types))
	})
}

// IsConvention reports whether c asks nothing of a plugin but (some of)
// the pluginapi convention of api: every entry is the convention's
// (Entry.IsConvention). A nil contract is the convention; an empty one
// (a host whose every lookup is unresolved) is not, nor is one with
// unresolved lookups.
func (c *Contract) IsConvention(api string) bool {
	if c == nil {
		return true
	}
	if len(c.Unresolved) > 0 {
		return false
	}
	if len(c.Entries) == 0 {
		return false
	}
	for _, e := range c.Entries {
		if !e.IsConvention(api) {
			return false
		}
	}
	return true
}

package manifest

import (
	"maps"
	"slices"

	"github.com/pluginctl/pluginctl/internal/binenc"
	"github.com/pluginctl/pluginctl/internal/contract"
)

// entryMagic starts every remembered manifest (see Cache).
const entryMagic = "pluginctl-manifest/2\n"

func encode(m *Manifest) []byte {
	e := &binenc.Encoder{B: make([]byte, 0, 4096)}
	e.B = append(e.B, entryMagic...)
	for _, s := range []string{m.Schema, m.PluginctlVersion, m.BuildSet, m.GoVersion, m.GOOS, m.GOARCH} {
		e.Str(s)
	}
	e.Strs(m.Flags)
	e.Strs(m.Modules)
	e.Count(len(m.Artifacts), m.Artifacts == nil)
	for _, a := range m.Artifacts {
		e.Str(a.Path)
		e.Str(a.Kind)
		e.Str(a.Package)
		e.Str(a.SHA256)
		e.Uint(uint64(a.Size))
		e.Strs(a.Hosts)
		e.Meta(a.Metadata)
	}
	e.Bool(m.Contract != nil)
	if c := m.Contract; c != nil {
		e.Strs(c.API)
		e.Str(c.From)
		e.Str(c.Source)
		encodeContract(e, c.Contract)
	}
	e.Bool(m.ForHost != nil)
	if h := m.ForHost; h != nil {
		e.Str(h.Path)
		e.Str(h.SHA256)
		e.Str(h.GoVersion)
		e.Count(len(h.Pinned), h.Pinned == nil)
		for _, p := range h.Pinned {
			e.Str(p.Path)
			e.Str(p.GoMod)
			e.Str(p.Host)
		}
		e.Strs(h.Notes)
	}
	return e.B
}

// decode decodes what encode wrote; false for anything else.
func decode(data []byte) (*Manifest, bool) {
	d, ok := binenc.NewDecoder(data, entryMagic)
	if !ok {
		return nil, false
	}
	m := new(Manifest)
	for _, p := range []*string{&m.Schema, &m.PluginctlVersion, &m.BuildSet, &m.GoVersion, &m.GOOS, &m.GOARCH} {
		*p = d.Str()
	}
	m.Flags = d.Strs()
	m.Modules = d.Strs()
	if n, ok := d.Count(7); ok { // an artifact takes at least 7 bytes
		m.Artifacts = make([]Artifact, n)
		for i := range m.Artifacts {
			a := &m.Artifacts[i]
			a.Path, a.Kind, a.Package, a.SHA256 = d.Str(), d.Str(), d.Str(), d.Str()
			a.Size = int64(d.Uint())
			a.Hosts = d.Strs()
			a.Metadata = d.Meta()
		}
	}
	if d.Bool() {
		m.Contract = &Contract{API: d.Strs(), From: d.Str(), Source: d.Str()}
		m.Contract.Contract = decodeContract(d)
	}
	if d.Bool() {
		h := &HostRecord{Path: d.Str(), SHA256: d.Str(), GoVersion: d.Str()}
		if n, ok := d.Count(3); ok {
			h.Pinned = make([]PinnedModule, n)
			for i := range h.Pinned {
				h.Pinned[i] = PinnedModule{Path: d.Str(), GoMod: d.Str(), Host: d.Str()}
			}
		}
		h.Notes = d.Strs()
		m.ForHost = h
	}
	if !d.Done() {
		return nil, false
	}
	return m, true
}

func encodeContract(e *binenc.Encoder, c *contract.Contract) {
	e.Bool(c != nil)
	if c == nil {
		return
	}
	e.Strs(c.Hosts)
	e.Count(len(c.Entries), c.Entries == nil)
	for _, en := range c.Entries {
		e.Str(en.Symbol)
		e.Strs(en.Types)
		e.Str(en.Kind)
		e.Bool(en.Required)
		e.Str(en.Plugins)
		encodeSources(e, en.Sources)
		e.Count(len(en.Interfaces), en.Interfaces == nil)
		for _, k := range slices.Sorted(maps.Keys(en.Interfaces)) {
			e.Str(k)
			e.Str(en.Interfaces[k])
		}
		e.Strs(en.Extras)
		e.Count(len(en.Values), en.Values == nil)
		for _, v := range en.Values {
			e.Str(v.Value)
			e.Str(v.Pos)
		}
	}
	e.Count(len(c.Unresolved), c.Unresolved == nil)
	for _, u := range c.Unresolved {
		e.Str(u.Pos)
		e.Str(u.Reason)
		e.Strs(u.Types)
		e.Bool(u.Required)
		e.Str(u.Plugins)
	}
	e.Count(len(c.Kinds), c.Kinds == nil)
	for _, k := range c.Kinds {
		e.Str(k.Name)
		e.Strs(k.Symbols)
		encodeSources(e, k.Sources)
	}
}

func decodeContract(d *binenc.Decoder) *contract.Contract {
	if !d.Bool() {
		return nil
	}
	c := &contract.Contract{Hosts: d.Strs()}
	if n, ok := d.Count(9); ok {
		c.Entries = make([]contract.Entry, n)
		for i := range c.Entries {
			en := &c.Entries[i]
			en.Symbol, en.Types, en.Kind, en.Required, en.Plugins = d.Str(), d.Strs(), d.Str(), d.Bool(), d.Str()
			en.Sources = decodeSources(d)
			if n, ok := d.Count(2); ok {
				en.Interfaces = make(map[string]string, n)
				for range n {
					k := d.Str()
					en.Interfaces[k] = d.Str()
				}
			}
			en.Extras = d.Strs()
			if n, ok := d.Count(2); ok {
				en.Values = make([]contract.Value, n)
				for j := range en.Values {
					en.Values[j] = contract.Value{Value: d.Str(), Pos: d.Str()}
				}
			}
		}
	}
	if n, ok := d.Count(5); ok {
		c.Unresolved = make([]contract.Unresolved, n)
		for i := range c.Unresolved {
			c.Unresolved[i] = contract.Unresolved{Pos: d.Str(), Reason: d.Str(), Types: d.Strs(), Required: d.Bool(), Plugins: d.Str()}
		}
	}
	if n, ok := d.Count(3); ok {
		c.Kinds = make([]contract.Kind, n)
		for i := range c.Kinds {
			c.Kinds[i] = contract.Kind{Name: d.Str(), Symbols: d.Strs(), Sources: decodeSources(d)}
		}
	}
	return c
}

func encodeSources(e *binenc.Encoder, ss []contract.Source) {
	e.Count(len(ss), ss == nil)
	for _, s := range ss {
		e.Str(s.Kind)
		e.Str(s.Pos)
		e.Str(s.Assert)
		e.Str(s.Type)
		e.Str(s.Plugin)
	}
}

func decodeSources(d *binenc.Decoder) []contract.Source {
	n, ok := d.Count(5)
	if !ok {
		return nil
	}
	ss := make([]contract.Source, n)
	for i := range ss {
		ss[i] = contract.Source{Kind: d.Str(), Pos: d.Str(), Assert: d.Str(), Type: d.Str(), Plugin: d.Str()}
	}
	return ss
}

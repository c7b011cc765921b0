package artifact

import (
	"debug/buildinfo"
	"debug/elf"
	"encoding/binary"
	"maps"
	"runtime/debug"
	"slices"

	"github.com/pluginctl/pluginctl/pluginapi/meta"
)

// A cache entry is a File's exported fields and what its lazy readers
// found, in a fixed order of length-prefixed fields. Read back with no
// reflection and no validation pass, an entry takes 21 µs where the JSON
// the cache wrote before took 71 µs (BenchmarkCacheLoad), on every
// artifact of every static check. A count is written as n+1, 0 standing
// for a nil slice or map; a pointer is preceded by whether it is nil. The
// layout has no version of its own: an entry's name carries the binary's
// identity (toolKey), so that a pluginctl with another layout never reads
// it.

// entryMagic starts every entry.
const entryMagic = "pluginctl-facts\n"

// encodeEntry encodes f and its facts.
func encodeEntry(f *File, fs *facts) []byte {
	e := encoder{b: make([]byte, 0, 4096)}
	e.b = append(e.b, entryMagic...)
	e.str(string(f.Kind))
	e.uint(uint64(f.Size))
	e.str(f.ELFTarget.GOOS)
	e.str(f.ELFTarget.GOARCH)
	e.str(f.BuildTarget.GOOS)
	e.str(f.BuildTarget.GOARCH)
	e.uint(uint64(f.ELFType))
	e.uint(uint64(f.Machine))
	e.uint(uint64(f.Class))
	e.uint(uint64(f.ByteOrder))
	e.uint(uint64(f.OSABI))
	e.buildInfo(f.BuildInfo)
	e.str(f.BuildMode)
	e.hashes(f.Fingerprints)
	e.hashes(f.LinkHashes)
	e.str(f.PluginPath)
	e.str(f.PluginPathSource)
	e.count(len(f.Exported), f.Exported == nil)
	for _, k := range slices.Sorted(maps.Keys(f.Exported)) {
		e.str(k)
		e.str(string(f.Exported[k]))
	}
	e.metadata(f.Metadata)
	e.bool(f.HasSymtab)
	e.bool(f.HasDWARF)
	e.bool(f.DWARFCompressed)
	e.answers(fs.Types)
	e.answers(fs.Strings)
	e.libc(fs.Libc)
	return e.b
}

// decodeEntry decodes what encodeEntry wrote; false for anything else.
func decodeEntry(data []byte) (*File, *facts, bool) {
	if len(data) < len(entryMagic) || string(data[:len(entryMagic)]) != entryMagic {
		return nil, nil, false
	}
	d := decoder{b: data, s: string(data), off: len(entryMagic)}
	f := new(File)
	f.Kind = Kind(d.str())
	f.Size = int64(d.uint())
	f.ELFTarget = Target{d.str(), d.str()}
	f.BuildTarget = Target{d.str(), d.str()}
	f.ELFType = elf.Type(d.uint())
	f.Machine = elf.Machine(d.uint())
	f.Class = elf.Class(d.uint())
	f.ByteOrder = elf.Data(d.uint())
	f.OSABI = elf.OSABI(d.uint())
	f.BuildInfo = d.buildInfo()
	f.BuildMode = d.str()
	f.Fingerprints = d.hashes()
	f.LinkHashes = d.hashes()
	f.PluginPath = d.str()
	f.PluginPathSource = d.str()
	if n, ok := d.count(2); ok {
		f.Exported = make(map[string]ExportKind, n)
		for range n {
			k := d.str()
			f.Exported[k] = ExportKind(d.str())
		}
	}
	f.Metadata = d.metadata()
	f.HasSymtab = d.bool()
	f.HasDWARF = d.bool()
	f.DWARFCompressed = d.bool()
	fs := &facts{Types: d.answers(), Strings: d.answers(), Libc: d.libc()}
	if d.bad || d.off != len(d.b) {
		return nil, nil, false
	}
	return f, fs, true
}

type encoder struct{ b []byte }

func (e *encoder) uint(n uint64) { e.b = binary.AppendUvarint(e.b, n) }

func (e *encoder) str(s string) {
	e.uint(uint64(len(s)))
	e.b = append(e.b, s...)
}

func (e *encoder) bool(v bool) {
	if v {
		e.uint(1)
	} else {
		e.uint(0)
	}
}

// count writes n, or nil.
func (e *encoder) count(n int, isNil bool) {
	if isNil {
		e.uint(0)
	} else {
		e.uint(uint64(n) + 1)
	}
}

func (e *encoder) strs(ss []string) {
	e.count(len(ss), ss == nil)
	for _, s := range ss {
		e.str(s)
	}
}

func (e *encoder) hashes(m map[string]Hash) {
	e.count(len(m), m == nil)
	for _, k := range slices.Sorted(maps.Keys(m)) {
		h := m[k]
		e.str(k)
		e.b = append(e.b, h[:]...)
	}
}

func (e *encoder) module(m *debug.Module) {
	e.bool(m != nil)
	if m == nil {
		return
	}
	e.str(m.Path)
	e.str(m.Version)
	e.str(m.Sum)
	e.module(m.Replace)
}

func (e *encoder) buildInfo(bi *buildinfo.BuildInfo) {
	e.bool(bi != nil)
	if bi == nil {
		return
	}
	e.str(bi.GoVersion)
	e.str(bi.Path)
	e.module(&bi.Main)
	e.count(len(bi.Deps), bi.Deps == nil)
	for _, m := range bi.Deps {
		e.module(m)
	}
	e.count(len(bi.Settings), bi.Settings == nil)
	for _, s := range bi.Settings {
		e.str(s.Key)
		e.str(s.Value)
	}
}

func (e *encoder) metadata(m *meta.Metadata) {
	e.bool(m != nil)
	if m == nil {
		return
	}
	for _, s := range []string{m.Schema, m.Kind, m.Package, m.Module, m.ModuleVersion, m.PluginctlVersion,
		m.GoVersion, m.GOOS, m.GOARCH, m.APIPackage, m.APIVersion, m.VCSRevision, m.BuildSet} {
		e.str(s)
	}
	e.strs(m.Flags)
	e.bool(m.VCSModified)
}

func (e *encoder) answers(m map[string]answer) {
	e.count(len(m), m == nil)
	for _, k := range slices.Sorted(maps.Keys(m)) {
		a := m[k]
		e.str(k)
		e.str(a.Value)
		e.str(a.Err)
		e.bool(a.NoDWARF)
	}
}

func (e *encoder) libc(l *Libc) {
	e.bool(l != nil)
	if l == nil {
		return
	}
	e.strs(l.Needed)
	e.str(l.Interp)
	e.str(l.Flavor)
	e.str(l.GlibcMax)
	e.count(len(l.GlibcSymbols), l.GlibcSymbols == nil)
	for _, k := range slices.Sorted(maps.Keys(l.GlibcSymbols)) {
		e.str(k)
		e.strs(l.GlibcSymbols[k])
	}
}

// decoder reads what encoder wrote. Its strings are slices of s, one
// copy of the whole entry. After the first malformed field, bad is set
// and every read returns a zero value.
type decoder struct {
	b   []byte
	s   string
	off int
	bad bool
}

func (d *decoder) uint() uint64 {
	if d.bad {
		return 0
	}
	n, k := binary.Uvarint(d.b[d.off:])
	if k <= 0 {
		d.bad = true
		return 0
	}
	d.off += k
	return n
}

func (d *decoder) str() string {
	n := d.uint()
	if d.bad || n > uint64(len(d.b)-d.off) {
		d.bad = true
		return ""
	}
	s := d.s[d.off : d.off+int(n)]
	d.off += int(n)
	return s
}

func (d *decoder) bool() bool {
	switch d.uint() {
	case 0:
		return false
	case 1:
		return true
	}
	d.bad = true
	return false
}

// count reads what encoder.count wrote: ok is false for nil. Each of the
// n elements takes at least min bytes, so that a malformed count cannot
// make a reader allocate more than the entry's size.
func (d *decoder) count(min int) (n int, ok bool) {
	c := d.uint()
	if d.bad || c == 0 {
		return 0, false
	}
	if c-1 > uint64((len(d.b)-d.off)/min) {
		d.bad = true
		return 0, false
	}
	return int(c - 1), true
}

func (d *decoder) strs() []string {
	n, ok := d.count(1)
	if !ok {
		return nil
	}
	ss := make([]string, n)
	for i := range ss {
		ss[i] = d.str()
	}
	return ss
}

func (d *decoder) hashes() map[string]Hash {
	n, ok := d.count(1 + len(Hash{}))
	if !ok {
		return nil
	}
	m := make(map[string]Hash, n)
	for range n {
		k := d.str()
		var h Hash
		if len(d.b)-d.off < len(h) {
			d.bad = true
			return nil
		}
		d.off += copy(h[:], d.b[d.off:])
		m[k] = h
	}
	return m
}

// module reads a module and its replacement, at most depth deep (Go
// replaces a module once).
func (d *decoder) module(depth int) *debug.Module {
	if !d.bool() {
		return nil
	}
	if depth == 0 {
		d.bad = true
		return nil
	}
	return &debug.Module{Path: d.str(), Version: d.str(), Sum: d.str(), Replace: d.module(depth - 1)}
}

func (d *decoder) buildInfo() *buildinfo.BuildInfo {
	if !d.bool() {
		return nil
	}
	bi := &buildinfo.BuildInfo{GoVersion: d.str(), Path: d.str()}
	if m := d.module(3); m != nil {
		bi.Main = *m
	} else {
		d.bad = true
	}
	if n, ok := d.count(1); ok {
		bi.Deps = make([]*debug.Module, n)
		for i := range bi.Deps {
			bi.Deps[i] = d.module(2)
		}
	}
	if n, ok := d.count(2); ok {
		bi.Settings = make([]debug.BuildSetting, n)
		for i := range bi.Settings {
			bi.Settings[i] = debug.BuildSetting{Key: d.str(), Value: d.str()}
		}
	}
	return bi
}

func (d *decoder) metadata() *meta.Metadata {
	if !d.bool() {
		return nil
	}
	m := new(meta.Metadata)
	for _, p := range []*string{&m.Schema, &m.Kind, &m.Package, &m.Module, &m.ModuleVersion, &m.PluginctlVersion,
		&m.GoVersion, &m.GOOS, &m.GOARCH, &m.APIPackage, &m.APIVersion, &m.VCSRevision, &m.BuildSet} {
		*p = d.str()
	}
	m.Flags = d.strs()
	m.VCSModified = d.bool()
	return m
}

func (d *decoder) answers() map[string]answer {
	n, ok := d.count(4)
	if !ok {
		return nil
	}
	m := make(map[string]answer, n)
	for range n {
		k := d.str()
		m[k] = answer{Value: d.str(), Err: d.str(), NoDWARF: d.bool()}
	}
	return m
}

func (d *decoder) libc() *Libc {
	if !d.bool() {
		return nil
	}
	l := &Libc{Needed: d.strs(), Interp: d.str(), Flavor: d.str(), GlibcMax: d.str()}
	if n, ok := d.count(2); ok {
		l.GlibcSymbols = make(map[string][]string, n)
		for range n {
			k := d.str()
			l.GlibcSymbols[k] = d.strs()
		}
	}
	return l
}

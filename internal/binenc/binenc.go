// Package binenc owns the layout of pluginctl's binary cache entries
// (remembered artifact facts, decoded manifests): fields in a fixed order,
// each length-prefixed, read back with no reflection and no validation
// pass. A count is written as n+1, 0 standing for a nil slice or map; a
// pointer is preceded by whether it is nil. The layout has no version of
// its own: an entry's name carries the binary's identity, so that a
// pluginctl with another layout never reads it.
package binenc

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"os"
	"time"

	"github.com/pluginctl/pluginctl/internal/fsutil"
	"github.com/pluginctl/pluginctl/internal/version"
	"github.com/pluginctl/pluginctl/pluginapi/meta"
)

// Key is the part of a cache entry's name that identifies the kind of
// entry (e.g. "artifact-facts/v3") and the running binary
// (version.ToolID): a rebuilt pluginctl reads no entry an older one wrote.
func Key(kind string) string {
	h := sha256.Sum256([]byte(kind + "\n" + version.ToolID()))
	return hex.EncodeToString(h[:6])
}

// TouchAfter is how old an entry's modification time may grow before
// ReadEntry marks it used again: a cache's trim removes the entries not
// used for days, and marking each use would cost a write per read.
const TouchAfter = time.Hour

// ReadEntry reads the cache entry at path, of at most limit bytes, and
// marks it used (its modification time) when it was last marked more than
// TouchAfter ago; false when it cannot be read.
func ReadEntry(path string, limit int64) ([]byte, bool) {
	data, mod, err := fsutil.ReadRegularModTime(path, limit)
	if err != nil {
		return nil, false
	}
	if now := time.Now(); now.Sub(mod) > TouchAfter {
		os.Chtimes(path, now, now)
	}
	return data, true
}

// Encoder appends fields to B.
type Encoder struct{ B []byte }

// Uint writes n as a varint.
func (e *Encoder) Uint(n uint64) { e.B = binary.AppendUvarint(e.B, n) }

// Str writes s, length first.
func (e *Encoder) Str(s string) {
	e.Uint(uint64(len(s)))
	e.B = append(e.B, s...)
}

// Bool writes v as 0 or 1.
func (e *Encoder) Bool(v bool) {
	if v {
		e.Uint(1)
	} else {
		e.Uint(0)
	}
}

// Count writes n, or nil.
func (e *Encoder) Count(n int, isNil bool) {
	if isNil {
		e.Uint(0)
	} else {
		e.Uint(uint64(n) + 1)
	}
}

// Strs writes ss, or nil.
func (e *Encoder) Strs(ss []string) {
	e.Count(len(ss), ss == nil)
	for _, s := range ss {
		e.Str(s)
	}
}

// Meta writes pluginctl build metadata, or nil.
func (e *Encoder) Meta(m *meta.Metadata) {
	e.Bool(m != nil)
	if m == nil {
		return
	}
	for _, s := range []string{m.Schema, m.Kind, m.Package, m.Module, m.ModuleVersion, m.PluginctlVersion,
		m.GoVersion, m.GOOS, m.GOARCH, m.APIPackage, m.APIVersion, m.VCSRevision, m.BuildSet} {
		e.Str(s)
	}
	e.Strs(m.Flags)
	e.Bool(m.VCSModified)
}

// Decoder reads what Encoder wrote. Its strings are slices of one copy of
// the whole entry. After the first malformed field every read returns a
// zero value, and Done reports false.
type Decoder struct {
	b   []byte
	s   string
	off int
	bad bool
}

// NewDecoder reads data, which must start with magic; false if it does
// not.
func NewDecoder(data []byte, magic string) (*Decoder, bool) {
	if len(data) < len(magic) || string(data[:len(magic)]) != magic {
		return nil, false
	}
	return &Decoder{b: data, s: string(data), off: len(magic)}, true
}

// Done reports whether every field read was well formed and the entry
// was read to its end.
func (d *Decoder) Done() bool { return !d.bad && d.off == len(d.b) }

// Fail marks the entry malformed.
func (d *Decoder) Fail() { d.bad = true }

// Uint reads what Encoder.Uint wrote.
func (d *Decoder) Uint() uint64 {
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

// Str reads what Encoder.Str wrote.
func (d *Decoder) Str() string {
	n := d.Uint()
	if d.bad || n > uint64(len(d.b)-d.off) {
		d.bad = true
		return ""
	}
	s := d.s[d.off : d.off+int(n)]
	d.off += int(n)
	return s
}

// Raw reads the next n bytes, which Encoder's caller appended to B as
// they were; nil when fewer are left.
func (d *Decoder) Raw(n int) []byte {
	if d.bad || len(d.b)-d.off < n {
		d.bad = true
		return nil
	}
	b := d.b[d.off : d.off+n]
	d.off += n
	return b
}

// Bool reads what Encoder.Bool wrote; anything but 0 or 1 is malformed.
func (d *Decoder) Bool() bool {
	switch d.Uint() {
	case 0:
		return false
	case 1:
		return true
	}
	d.bad = true
	return false
}

// Count reads what Encoder.Count wrote: ok is false for nil. Each of the
// n elements takes at least min bytes, so that a malformed count cannot
// make a reader allocate more than the entry's size.
func (d *Decoder) Count(min int) (n int, ok bool) {
	c := d.Uint()
	if d.bad || c == 0 {
		return 0, false
	}
	if c-1 > uint64((len(d.b)-d.off)/min) {
		d.bad = true
		return 0, false
	}
	return int(c - 1), true
}

// Strs reads what Encoder.Strs wrote.
func (d *Decoder) Strs() []string {
	n, ok := d.Count(1)
	if !ok {
		return nil
	}
	ss := make([]string, n)
	for i := range ss {
		ss[i] = d.Str()
	}
	return ss
}

// Meta reads what Encoder.Meta wrote.
func (d *Decoder) Meta() *meta.Metadata {
	if !d.Bool() {
		return nil
	}
	m := new(meta.Metadata)
	for _, p := range []*string{&m.Schema, &m.Kind, &m.Package, &m.Module, &m.ModuleVersion, &m.PluginctlVersion,
		&m.GoVersion, &m.GOOS, &m.GOARCH, &m.APIPackage, &m.APIVersion, &m.VCSRevision, &m.BuildSet} {
		*p = d.Str()
	}
	m.Flags = d.Strs()
	m.VCSModified = d.Bool()
	return m
}

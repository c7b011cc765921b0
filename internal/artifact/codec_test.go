package artifact

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/pluginctl/pluginctl/pluginapi/meta"
)

// TestEntryRoundTrip fills every exported field of a File and of its
// facts, down to the leaves, with distinct non-zero values, and reads the
// entry back: a field the cache loses (one JSON cannot carry, or one
// hidden from it) reads back zero and fails the test.
func TestEntryRoundTrip(t *testing.T) {
	f, fs := new(File), new(facts)
	fillAll(f)
	fillAll(fs)
	data := encodeEntry(f, fs)
	g, gs, ok := decodeEntry(data)
	if !ok {
		t.Fatal("decodeEntry refused what encodeEntry wrote")
	}
	for _, zero := range append(zeroLeavesOf(g, "File"), zeroLeavesOf(gs, "facts")...) {
		t.Errorf("%s reads back zero", zero)
	}
	if !reflect.DeepEqual(g.BuildInfo, f.BuildInfo) || !reflect.DeepEqual(g.Metadata, f.Metadata) ||
		!reflect.DeepEqual(g.Fingerprints, f.Fingerprints) || !reflect.DeepEqual(gs.Libc.GlibcSymbols, fs.Libc.GlibcSymbols) ||
		!reflect.DeepEqual(gs.Types, fs.Types) {
		t.Error("the entry read back differs from the one written")
	}
}

// TestEntryNil: nil and empty stay distinct where the readers tell them
// apart (no package hashes: stripped; no glibc symbols: not read yet).
func TestEntryNil(t *testing.T) {
	for _, tc := range []struct {
		hashes  map[string]Hash
		symbols map[string][]string
	}{{nil, nil}, {map[string]Hash{}, map[string][]string{}}} {
		var flags []string
		if tc.hashes != nil {
			flags = []string{}
		}
		f := &File{Kind: KindPlugin, Fingerprints: tc.hashes, LinkHashes: tc.hashes, Metadata: &meta.Metadata{Flags: flags}}
		g, gs, ok := decodeEntry(encodeEntry(f, &facts{Libc: &Libc{GlibcSymbols: tc.symbols}}))
		if !ok {
			t.Fatal("refused")
		}
		if (g.Fingerprints == nil) != (tc.hashes == nil) || (g.LinkHashes == nil) != (tc.hashes == nil) ||
			(gs.Libc.GlibcSymbols == nil) != (tc.symbols == nil) || g.BuildInfo != nil || (g.Metadata.Flags == nil) != (flags == nil) {
			t.Errorf("written with hashes %#v and symbols %#v, read back %#v, %#v, build info %v, metadata %v",
				tc.hashes, tc.symbols, g.Fingerprints, gs.Libc.GlibcSymbols, g.BuildInfo, g.Metadata)
		}
	}
}

// TestEntryMalformed: anything but a whole entry is refused, without a
// panic.
func TestEntryMalformed(t *testing.T) {
	f, fs := new(File), new(facts)
	fillAll(f)
	fillAll(fs)
	data := encodeEntry(f, fs)
	for i := range len(data) {
		if _, _, ok := decodeEntry(data[:i]); ok {
			t.Fatalf("a prefix of %d of %d bytes was accepted", i, len(data))
		}
	}
	if _, _, ok := decodeEntry(append(bytes.Clone(data), 0)); ok {
		t.Error("an entry with a trailing byte was accepted")
	}
	for _, bad := range []string{`{"Facts":{}}`, `[]`, `{"File":{"Kind":"plugin"}} {}`, `null`} {
		if _, _, ok := decodeEntry([]byte(bad)); ok {
			t.Errorf("%s was accepted as an entry", bad)
		}
	}
}

func FuzzDecodeEntry(f *testing.F) {
	g, gs := new(File), new(facts)
	fillAll(g)
	fillAll(gs)
	f.Add(encodeEntry(g, gs))
	f.Add(encodeEntry(&File{Kind: KindPlugin}, &facts{}))
	f.Fuzz(func(t *testing.T, data []byte) {
		g, gs, ok := decodeEntry(data)
		if !ok {
			return
		}
		if _, _, ok := decodeEntry(encodeEntry(g, gs)); !ok {
			t.Errorf("re-encoding an accepted entry gives one that is refused")
		}
	})
}

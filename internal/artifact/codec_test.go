package artifact

import (
	"bytes"
	"encoding/binary"
	"reflect"
	"testing"

	"github.com/pluginctl/pluginctl/internal/binenc/binenctest"
)

// TestEntryRoundTrip fills every exported field of a File and of its
// facts, down to the leaves, with distinct non-zero values, and reads the
// entry back: a field the codec forgets (one added to File, Metadata or
// Libc later) reads back zero and fails the test.
func TestEntryRoundTrip(t *testing.T) {
	f, fs := new(File), new(facts)
	binenctest.Fill(f)
	binenctest.Fill(fs)
	f.Path = "" // not stored: the entry is found by content, under any path
	data := encodeEntry(f, fs)
	g, gs, ok := decodeEntry(data)
	if !ok {
		t.Fatal("decodeEntry refused what encodeEntry wrote")
	}
	g.Path = "x"
	for _, zero := range append(binenctest.ZeroLeaves(g, "File"), binenctest.ZeroLeaves(gs, "facts")...) {
		t.Errorf("%s reads back zero", zero)
	}
	g.Path = ""
	if again := encodeEntry(g, gs); !bytes.Equal(again, data) {
		t.Error("the entry read back encodes differently")
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
		f := &File{Kind: KindPlugin, Fingerprints: tc.hashes, LinkHashes: tc.hashes}
		g, gs, ok := decodeEntry(encodeEntry(f, &facts{Libc: &Libc{GlibcSymbols: tc.symbols}}))
		if !ok {
			t.Fatal("refused")
		}
		if (g.Fingerprints == nil) != (tc.hashes == nil) || (g.LinkHashes == nil) != (tc.hashes == nil) ||
			(gs.Libc.GlibcSymbols == nil) != (tc.symbols == nil) || g.BuildInfo != nil || g.Metadata != nil {
			t.Errorf("written with hashes %#v and symbols %#v, read back %#v, %#v, build info %v, metadata %v",
				tc.hashes, tc.symbols, g.Fingerprints, gs.Libc.GlibcSymbols, g.BuildInfo, g.Metadata)
		}
	}
}

// TestEntryMalformed: anything but a whole entry is refused, without a
// panic and without allocating what a forged count asks for.
func TestEntryMalformed(t *testing.T) {
	f, fs := new(File), new(facts)
	binenctest.Fill(f)
	binenctest.Fill(fs)
	data := encodeEntry(f, fs)
	for i := range len(data) {
		if _, _, ok := decodeEntry(data[:i]); ok {
			t.Fatalf("a prefix of %d of %d bytes was accepted", i, len(data))
		}
	}
	if _, _, ok := decodeEntry(append(data, 0)); ok {
		t.Error("an entry with a trailing byte was accepted")
	}
	if _, _, ok := decodeEntry([]byte(`{"file":{"Kind":"plugin"}}`)); ok {
		t.Error("a JSON entry of an older pluginctl was accepted")
	}
	// A count of 2^40 map entries, in an entry of a few bytes.
	forged := binary.AppendUvarint([]byte(entryMagic+"\x06plugin\x00"), 1<<40)
	allocs := testing.AllocsPerRun(10, func() { decodeEntry(forged) })
	if _, _, ok := decodeEntry(forged); ok || allocs > 10 {
		t.Errorf("forged count: accepted %v, %v allocations", ok, allocs)
	}
}

func FuzzDecodeEntry(f *testing.F) {
	g, gs := new(File), new(facts)
	binenctest.Fill(g)
	binenctest.Fill(gs)
	f.Add(encodeEntry(g, gs))
	f.Add(encodeEntry(&File{Kind: KindPlugin}, &facts{}))
	f.Fuzz(func(t *testing.T, data []byte) {
		g, gs, ok := decodeEntry(data)
		if !ok {
			return
		}
		if again := encodeEntry(g, gs); !bytes.Equal(again, data) {
			// Map order is canonical (sorted) when written, so only a
			// reordered or duplicate key may encode differently.
			if _, _, ok := decodeEntry(again); !ok {
				t.Errorf("re-encoding an accepted entry gives one that is refused")
			}
		}
	})
}

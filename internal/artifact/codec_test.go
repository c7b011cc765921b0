package artifact

import (
	"bytes"
	"encoding/binary"
	"reflect"
	"testing"
)

// TestEntryRoundTrip fills every exported field of a File and of its
// facts, down to the leaves, with distinct non-zero values, and reads the
// entry back: a field the codec forgets (one added to File, Metadata or
// Libc later) reads back zero and fails the test.
func TestEntryRoundTrip(t *testing.T) {
	f, fs := new(File), new(facts)
	n := 0
	fill(reflect.ValueOf(f).Elem(), &n, nil)
	fill(reflect.ValueOf(fs).Elem(), &n, nil)
	f.Path = "" // not stored: the entry is found by content, under any path
	data := encodeEntry(f, fs)
	g, gs, ok := decodeEntry(data)
	if !ok {
		t.Fatal("decodeEntry refused what encodeEntry wrote")
	}
	g.Path = "x"
	for _, v := range []struct {
		name string
		v    reflect.Value
	}{{"File", reflect.ValueOf(g).Elem()}, {"facts", reflect.ValueOf(gs).Elem()}} {
		for _, zero := range zeroLeaves(v.v, v.name, nil) {
			t.Errorf("%s reads back zero", zero)
		}
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
	n := 0
	fill(reflect.ValueOf(f).Elem(), &n, nil)
	fill(reflect.ValueOf(fs).Elem(), &n, nil)
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
	n := 0
	fill(reflect.ValueOf(g).Elem(), &n, nil)
	fill(reflect.ValueOf(gs).Elem(), &n, nil)
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

// fill sets every exported leaf below v to a distinct non-zero value. A
// type that contains itself (debug.Module's Replace) is filled two deep;
// the pointer below is left nil.
func fill(v reflect.Value, n *int, above []reflect.Type) {
	*n++
	switch v.Kind() {
	case reflect.String:
		v.SetString("s" + string(rune('a'+*n%26)) + string(rune('0'+*n%10)) + string(rune('A'+*n/26%26)))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(int64(*n%100 + 1))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(uint64(*n%100 + 1))
	case reflect.Array:
		for i := range v.Len() {
			fill(v.Index(i), n, above)
		}
	case reflect.Pointer:
		if nested(above, v.Type().Elem()) {
			return
		}
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem(), n, append(above, v.Type().Elem()))
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		for i := range 2 {
			fill(v.Index(i), n, above)
		}
	case reflect.Map:
		v.Set(reflect.MakeMap(v.Type()))
		for range 2 {
			k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
			fill(k, n, above)
			fill(e, n, above)
			v.SetMapIndex(k, e)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i), n, append(above, v.Type()))
			}
		}
	}
}

// zeroLeaves names the exported leaves below v that are zero, skipping
// what fill left nil.
func zeroLeaves(v reflect.Value, name string, above []reflect.Type) []string {
	switch v.Kind() {
	case reflect.Pointer:
		if nested(above, v.Type().Elem()) {
			return nil
		}
		if v.IsNil() {
			return []string{name}
		}
		return zeroLeaves(v.Elem(), name, append(above, v.Type().Elem()))
	case reflect.Slice, reflect.Map:
		if v.Len() == 0 {
			return []string{name}
		}
		var out []string
		if v.Kind() == reflect.Slice {
			for i := range v.Len() {
				out = append(out, zeroLeaves(v.Index(i), name+"[i]", above)...)
			}
		} else {
			for _, k := range v.MapKeys() {
				out = append(out, zeroLeaves(v.MapIndex(k), name+"[k]", above)...)
			}
		}
		return out
	case reflect.Struct:
		var out []string
		for i := range v.NumField() {
			if f := v.Type().Field(i); f.IsExported() {
				out = append(out, zeroLeaves(v.Field(i), name+"."+f.Name, append(above, v.Type()))...)
			}
		}
		return out
	}
	if v.IsZero() {
		return []string{name}
	}
	return nil
}

// nested tells whether t is already two deep in above.
func nested(above []reflect.Type, t reflect.Type) bool {
	n := 0
	for _, a := range above {
		if a == t {
			n++
		}
	}
	return n >= 2
}

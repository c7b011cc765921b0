package binenc

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/pluginctl/pluginctl/internal/binenc/binenctest"
	"github.com/pluginctl/pluginctl/pluginapi/meta"
)

const magic = "test\n"

func TestRoundTrip(t *testing.T) {
	m := new(meta.Metadata)
	binenctest.Fill(m)
	e := &Encoder{B: []byte(magic)}
	e.Uint(1 << 40)
	e.Str("héllo\x00\n")
	e.Bool(true)
	e.Strs(nil)
	e.Strs([]string{})
	e.Strs([]string{"a", ""})
	e.Meta(nil)
	e.Meta(m)
	e.B = append(e.B, 1, 2, 3)
	d, ok := NewDecoder(e.B, magic)
	if !ok {
		t.Fatal("magic refused")
	}
	if got := d.Uint(); got != 1<<40 {
		t.Errorf("Uint = %d", got)
	}
	if got := d.Str(); got != "héllo\x00\n" {
		t.Errorf("Str = %q", got)
	}
	if !d.Bool() {
		t.Error("Bool = false")
	}
	if got := d.Strs(); got != nil {
		t.Errorf("nil Strs = %#v", got)
	}
	if got := d.Strs(); got == nil || len(got) != 0 {
		t.Errorf("empty Strs = %#v", got)
	}
	if got := d.Strs(); !reflect.DeepEqual(got, []string{"a", ""}) {
		t.Errorf("Strs = %#v", got)
	}
	if got := d.Meta(); got != nil {
		t.Errorf("nil Meta = %+v", got)
	}
	got := d.Meta()
	if !reflect.DeepEqual(got, m) {
		t.Errorf("Meta = %+v, want %+v", got, m)
	}
	for _, zero := range binenctest.ZeroLeaves(got, "Metadata") {
		t.Errorf("%s reads back zero", zero)
	}
	if got := d.Raw(3); string(got) != "\x01\x02\x03" || !d.Done() {
		t.Errorf("Raw = %v, Done = %v", got, d.Done())
	}
}

// TestMalformed: every malformation is reported by Done, and none makes a
// reader allocate what a forged count asks for.
func TestMalformed(t *testing.T) {
	for _, tc := range []struct {
		name string
		data []byte
		read func(d *Decoder)
	}{
		{"a bool of 2", []byte(magic + "\x02"), func(d *Decoder) { d.Bool() }},
		{"a string past the end", []byte(magic + "\x05ab"), func(d *Decoder) { d.Str() }},
		{"a truncated varint", []byte(magic + "\xff"), func(d *Decoder) { d.Uint() }},
		{"raw bytes past the end", []byte(magic + "\x01"), func(d *Decoder) { d.Raw(2) }},
		{"a forged count", append([]byte(magic), 0xff, 0xff, 0xff, 0xff, 0x0f, 'x'), func(d *Decoder) { d.Strs() }},
		{"a trailing byte", []byte(magic + "\x01\x00"), func(d *Decoder) { d.Bool() }},
	} {
		d, ok := NewDecoder(tc.data, magic)
		if !ok {
			t.Fatalf("%s: magic refused", tc.name)
		}
		allocs := testing.AllocsPerRun(1, func() {
			d, _ := NewDecoder(tc.data, magic)
			tc.read(d)
		})
		tc.read(d)
		if d.Done() {
			t.Errorf("%s: accepted", tc.name)
		}
		if allocs > 3 {
			t.Errorf("%s: %v allocations", tc.name, allocs)
		}
	}
	if _, ok := NewDecoder([]byte("tes"), magic); ok {
		t.Error("a short magic was accepted")
	}
	if _, ok := NewDecoder([]byte("best\n"), magic); ok {
		t.Error("another magic was accepted")
	}
}

// TestReadEntry: an entry last marked used more than TouchAfter ago is
// marked again when read; a recent one is left alone; a missing one is
// not read.
func TestReadEntry(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "entry")
	if err := os.WriteFile(p, []byte(magic), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		age     time.Duration
		touched bool
	}{{2 * TouchAfter, true}, {TouchAfter / 2, false}} {
		then := time.Now().Add(-tc.age).Truncate(time.Second)
		if err := os.Chtimes(p, then, then); err != nil {
			t.Fatal(err)
		}
		if data, ok := ReadEntry(p, 1024); !ok || string(data) != magic {
			t.Fatalf("ReadEntry = %q, %v", data, ok)
		}
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if touched := !fi.ModTime().Equal(then); touched != tc.touched {
			t.Errorf("entry %v old: marked used %v, want %v", tc.age, touched, tc.touched)
		}
	}
	if _, ok := ReadEntry(filepath.Join(dir, "missing"), 1024); ok {
		t.Error("a missing entry was read")
	}
}

package meta

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"
)

func TestFind(t *testing.T) {
	m := Metadata{Schema: Schema, Kind: "plugin", Package: "example.com/p", BuildSet: "abc", Flags: []string{"-trimpath"}}
	doc, _ := json.Marshal(m)
	// The document sits in the middle of other data, after a false start.
	data := append([]byte("\x00\x01garbage"), prefix...)
	data = append(data, "not json at all"...)
	data = append(data, doc...)
	data = append(data, "\x00trailing"...)
	got, err := Find(data)
	if err != nil {
		t.Fatal(err)
	}
	if got.Package != m.Package || got.BuildSet != m.BuildSet || got.Flags[0] != "-trimpath" {
		t.Errorf("Find = %+v, want %+v", got, m)
	}
	if _, err := Find([]byte("no metadata here")); err != ErrNotFound {
		t.Errorf("Find on plain bytes: %v, want ErrNotFound", err)
	}
	if _, err := Parse([]byte(`{"schema":"other/v9"}`)); err == nil {
		t.Error("Parse accepted another schema")
	}
}

// TestFindBounded feeds a crafted file made of nested, unterminated
// prefixes: Find must give up quickly instead of decoding megabytes once
// per prefix.
func TestFindBounded(t *testing.T) {
	data := bytes.Repeat(append(append([]byte(nil), prefix...), `,"kind":[`...), 200000)
	start := time.Now()
	if _, err := Find(data); err != ErrNotFound {
		t.Errorf("Find = %v, want ErrNotFound", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Find took %v on a crafted %d-byte input", d, len(data))
	}
}

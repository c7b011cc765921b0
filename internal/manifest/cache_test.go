package manifest

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/pluginctl/pluginctl/internal/binenc/binenctest"
	"github.com/pluginctl/pluginctl/internal/contract"
)

// TestCodecRoundTrip fills every exported field of a Manifest, down to
// the contract's leaves, and reads it back: a field the codec forgets
// (one added later) reads back zero and fails the test.
func TestCodecRoundTrip(t *testing.T) {
	m := new(Manifest)
	binenctest.Fill(m)
	data := encode(m)
	got, ok := decode(data)
	if !ok {
		t.Fatal("decode refused what encode wrote")
	}
	for _, zero := range binenctest.ZeroLeaves(got, "Manifest") {
		t.Errorf("%s reads back zero", zero)
	}
	if !reflect.DeepEqual(got, m) {
		t.Errorf("read back\n%+v\nwant\n%+v", got, m)
	}
	for i := range len(data) {
		if _, ok := decode(data[:i]); ok {
			t.Fatalf("a prefix of %d of %d bytes was accepted", i, len(data))
		}
	}
	if _, ok := decode(append(data, 0)); ok {
		t.Error("an entry with a trailing byte was accepted")
	}
}

// TestCodecEmpty: zero elements everywhere (the smallest each can be)
// and nil against empty read back as written.
func TestCodecEmpty(t *testing.T) {
	for _, m := range []*Manifest{
		{},
		{Flags: []string{}, Modules: []string{}, Artifacts: []Artifact{{}}, ForHost: &HostRecord{Pinned: []PinnedModule{{}}, Notes: []string{}},
			Contract: &Contract{Contract: &contract.Contract{
				Entries:    []contract.Entry{{}, {Sources: []contract.Source{{}}, Interfaces: map[string]string{"": ""}, Values: []contract.Value{{}}}},
				Unresolved: []contract.Unresolved{{}},
				Kinds:      []contract.Kind{{Sources: []contract.Source{{}}}},
			}}},
		{Contract: &Contract{}},
	} {
		got, ok := decode(encode(m))
		if !ok || !reflect.DeepEqual(got, m) {
			t.Errorf("decode(encode(%+v)) = %+v, %v", m, got, ok)
		}
	}
}

// TestCacheRead: a manifest read through a Cache is the one Parse reads,
// the first time and from the cache; a changed file is read afresh; an
// invalid one is refused every time and never remembered; a damaged entry
// is read past.
func TestCacheRead(t *testing.T) {
	dir := t.TempDir()
	c := Cache{Dir: filepath.Join(dir, "facts")}
	name := filepath.Join(dir, FileName)
	if err := os.WriteFile(name, []byte(validManifest), 0o644); err != nil {
		t.Fatal(err)
	}
	want, err := Parse([]byte(validManifest))
	if err != nil {
		t.Fatal(err)
	}
	for round := range 2 {
		got, err := c.Read(name)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("round %d: Read = %+v, %v; want %+v", round, got, err, want)
		}
	}
	entries, _ := filepath.Glob(filepath.Join(c.Dir, "*", "*"))
	if len(entries) != 1 {
		t.Fatalf("cache holds %v, want one entry", entries)
	}
	// The entry is what is read the second time.
	if err := os.WriteFile(entries[0], encode(&Manifest{Schema: Schema, BuildSet: "from-the-cache"}), 0o644); err != nil {
		t.Fatal(err)
	}
	if got, err := c.Read(name); err != nil || got.BuildSet != "from-the-cache" {
		t.Fatalf("Read did not answer from the cache: %+v, %v", got, err)
	}
	// A damaged entry: read past, and rewritten.
	if err := os.WriteFile(entries[0], []byte(entryMagic+"\xff"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got, err := c.Read(name); err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("with a damaged entry: %+v, %v", got, err)
	}
	// Other bytes: another entry.
	changed := bytes.Replace([]byte(validManifest), []byte(`"flags": ["-trimpath"]`), []byte(`"flags": ["-trimpath", "-race"]`), 1)
	if bytes.Equal(changed, []byte(validManifest)) {
		t.Fatal("the test's edit did not apply")
	}
	if err := os.WriteFile(name, changed, 0o644); err != nil {
		t.Fatal(err)
	}
	if got, err := c.Read(name); err != nil || len(got.Flags) != 2 {
		t.Fatalf("changed manifest: %+v, %v", got, err)
	}
	// Invalid: refused twice, never remembered.
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"schema": "pluginctl.manifest/v1", "artifacts": [{"path": "../x"}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := c.Read(bad); err == nil {
			t.Fatal("an artifact path outside the folder was accepted")
		}
	}
	if entries, _ := filepath.Glob(filepath.Join(c.Dir, "*", "*")); len(entries) != 2 {
		t.Errorf("cache holds %v, want the two valid manifests only", entries)
	}
}

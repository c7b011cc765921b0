package manifest

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

const validManifest = `{
  "schema": "pluginctl.manifest/v1",
  "pluginctl_version": "devel",
  "build_set": "090cdd1dfa462d9bc43beaec",
  "go_version": "go1.26.8", "goos": "linux", "goarch": "amd64",
  "flags": ["-trimpath"],
  "modules": ["example.com/shop"],
  "artifacts": [
    {"path": "host", "kind": "host", "package": "example.com/shop/cmd/host",
     "sha256": "6f1ed002ab5595859014ebf0951522d9a5b1c4c8a5d3e4c5b2f0a6e1c1d2e3f4", "size": 10},
    {"path": "plugins/filter.so", "kind": "plugin", "package": "example.com/shop/plugins/filter",
     "sha256": "0000000000000000000000000000000000000000000000000000000000000000", "size": 20, "hosts": ["host"]}
  ]
}`

func TestParse(t *testing.T) {
	m, err := Parse([]byte(validManifest))
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Artifacts) != 2 || m.Artifacts[1].Hosts[0] != "host" {
		t.Fatalf("parsed %+v", m)
	}
	for _, tc := range []struct{ name, edit, want string }{
		{"schema", `"schema": "other/v9"`, "unknown schema"},
		{"absolute", `"path": "/usr/bin/host"`, "not a path inside"},
		{"parent", `"path": "../../etc/host"`, "not a path inside"},
		{"backslash", `"path": "..\\\\host"`, "not a path inside"},
		{"hosts", `"hosts": ["../host"]`, "host path"},
		{"sha", `"sha256": "XYZ"`, "not 64 hexadecimal digits"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			key, _, _ := strings.Cut(tc.edit, ":")
			data := replaceFirstField(validManifest, key, tc.edit)
			if data == validManifest {
				t.Fatalf("edit %s changed nothing", tc.edit)
			}
			_, err := Parse([]byte(data))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Parse = %v, want an error with %q", err, tc.want)
			}
		})
	}
}

// replaceFirstField replaces the first `"key": value` of s (value a
// string or a one-line array) with repl.
func replaceFirstField(s, key, repl string) string {
	i := strings.Index(s, key+":")
	if i < 0 {
		return s
	}
	j := i + len(key) + 1
	for j < len(s) && s[j] == ' ' {
		j++
	}
	end := j
	switch s[j] {
	case '"':
		end = j + 1 + strings.IndexByte(s[j+1:], '"') + 1
	case '[':
		end = j + strings.IndexByte(s[j:], ']') + 1
	}
	return s[:i] + repl + s[end:]
}

// TestReadUntrusted: Read never blocks on a named pipe, never follows a
// link into an endless device, and never reads more than MaxSize.
func TestReadUntrusted(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.json")
	if err := os.WriteFile(good, []byte(validManifest), 0o644); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "fifo.json")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	zero := filepath.Join(dir, "zero.json")
	if err := os.Symlink("/dev/zero", zero); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big.json")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(2 << 30); err != nil { // sparse: 2 GB, no disk used
		t.Fatal(err)
	}
	f.Close()
	linkGood := filepath.Join(dir, "link.json")
	if err := os.Symlink(good, linkGood); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct{ path, want string }{
		{good, ""},
		{linkGood, ""},
		{fifo, "is a named pipe (FIFO), not a regular file"},
		{zero, "is a character device, not a regular file"},
		{dir, "is a directory, not a regular file"},
		{big, "larger than 16 MiB"},
	} {
		t.Run(filepath.Base(tc.path), func(t *testing.T) {
			done := make(chan error, 1)
			go func() { _, err := Read(tc.path); done <- err }()
			var err error
			select {
			case err = <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("Read blocked")
			}
			switch {
			case tc.want == "" && err != nil:
				t.Fatal(err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("Read = %v, want an error with %q", err, tc.want)
			}
		})
	}
	if _, err := Read(filepath.Join(dir, "nosuch.json")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("missing manifest: %v, want ErrNotExist", err)
	}
}

// FuzzParse: Parse never panics, accepts only manifests whose paths stay
// inside the manifest's folder, and what it accepts survives a round trip.
func FuzzParse(f *testing.F) {
	f.Add([]byte(validManifest))
	f.Add([]byte(`{"schema":"pluginctl.manifest/v1","artifacts":[{"path":"a"}]}`))
	f.Add([]byte(`{"schema":"pluginctl.manifest/v1","artifacts":[{"path":"../a"}]}`))
	f.Add([]byte(`{"schema":"pluginctl.manifest/v1","artifacts":null}`))
	f.Add([]byte(`{"schema":"pluginctl.manifest/v1","artifacts":[{"path":"a","metadata":{"schema":"x"}}]}`))
	f.Add([]byte(``))
	f.Add([]byte(`[]`))
	f.Add([]byte(`{"schema":1}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Parse(data)
		if err != nil {
			return
		}
		if m.Schema != Schema {
			t.Fatalf("accepted schema %q", m.Schema)
		}
		for _, a := range m.Artifacts {
			p := filepath.FromSlash(a.Path)
			if !filepath.IsLocal(p) || strings.Contains(a.Path, "\\") {
				t.Fatalf("accepted artifact path %q", a.Path)
			}
			for _, h := range a.Hosts {
				if !filepath.IsLocal(filepath.FromSlash(h)) {
					t.Fatalf("accepted host path %q", h)
				}
			}
		}
		again, err := json.Marshal(m)
		if err != nil {
			t.Fatalf("re-encoding an accepted manifest: %v", err)
		}
		m2, err := Parse(again)
		if err != nil {
			t.Fatalf("re-parsing an accepted manifest: %v\n%s", err, again)
		}
		again2, err := json.Marshal(m2)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(again, again2) { // nil and empty lists may differ in memory
			t.Fatalf("round trip changed the manifest:\n%s\n%s", again, again2)
		}
	})
}

// TestIndex: an entry is found by the file it describes, under any
// spelling of its path; the first of two entries for one file wins.
func TestIndex(t *testing.T) {
	dir := t.TempDir()
	m := &Manifest{Artifacts: []Artifact{
		{Path: "host", Kind: "host"},
		{Path: "plugins/a.so", Package: "first"},
		{Path: "./plugins/b.so"},
		{Path: "plugins/a.so", Package: "second"},
	}}
	mpath := filepath.Join(dir, FileName)
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	rel, err := filepath.Rel(wd, filepath.Join(dir, "plugins", "b.so"))
	if err != nil {
		t.Fatal(err)
	}
	ix := m.Index(mpath)
	for _, tc := range []struct {
		path string
		want *Artifact
	}{
		{filepath.Join(dir, "host"), &m.Artifacts[0]},
		{filepath.Join(dir, "plugins", "a.so"), &m.Artifacts[1]},
		{filepath.Join(dir, "plugins", "..", "plugins", "a.so"), &m.Artifacts[1]},
		{rel, &m.Artifacts[2]},
		{filepath.Join(dir, "plugins", "c.so"), nil},
		{filepath.Join(dir, "other", "host"), nil},
	} {
		if got := ix.Lookup(tc.path); got != tc.want {
			t.Errorf("Lookup(%q) = %+v, want %+v", tc.path, got, tc.want)
		}
		if got := m.Lookup(mpath, tc.path); got != tc.want {
			t.Errorf("Manifest.Lookup(%q) = %+v, want %+v", tc.path, got, tc.want)
		}
	}
	var none *Manifest
	if got := none.Index(mpath).Lookup(filepath.Join(dir, "host")); got != nil {
		t.Errorf("a nil manifest found %+v", got)
	}
}

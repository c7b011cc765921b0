// Package manifest owns pluginctl.json, the record `pluginctl build` writes
// beside its artifacts and `pluginctl verify` reads: which files were built
// together, what each is, and their checksums.
package manifest

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/pluginctl/pluginctl/internal/contract"
	"github.com/pluginctl/pluginctl/internal/fsutil"
	"github.com/pluginctl/pluginctl/pluginapi/meta"
)

// Schema is the version of the manifest layout; a change that breaks
// readers gets a new version.
const Schema = "pluginctl.manifest/v1"

// FileName is the manifest's name in the output directory.
const FileName = "pluginctl.json"

// Manifest describes one build set.
type Manifest struct {
	Schema           string   `json:"schema"`
	PluginctlVersion string   `json:"pluginctl_version"`
	BuildSet         string   `json:"build_set"`
	GoVersion        string   `json:"go_version"`
	GOOS             string   `json:"goos"`
	GOARCH           string   `json:"goarch"`
	Flags            []string `json:"flags"`
	// Modules are the main modules of the build (several with go.work).
	Modules   []string   `json:"modules"`
	Artifacts []Artifact `json:"artifacts"`
	// Contract is the hosts' contract the build resolved (inferred from
	// their source, with pluginctl.toml's declarations), so that verify
	// needs neither the source nor the go command to know it.
	Contract *Contract `json:"contract,omitempty"`
	// ForHost is the released host the plugins were built for
	// (`pluginctl build --for`), nil for an ordinary build.
	ForHost *HostRecord `json:"for_host,omitempty"`
}

// HostRecord identifies the host binary a build was made for.
type HostRecord struct {
	// Path is the host binary's absolute path at build time.
	Path      string `json:"path"`
	SHA256    string `json:"sha256"`
	GoVersion string `json:"go_version"`
	// Pinned are the modules of the plugins' go.mod moved to the host's
	// versions; Notes what else the build changed or could not reproduce.
	Pinned []PinnedModule `json:"pinned,omitempty"`
	Notes  []string       `json:"notes,omitempty"`
}

// PinnedModule is a module the plugins' go.mod has at another version
// (or replacement) than the host, built at the host's.
type PinnedModule struct {
	Path  string `json:"path"`
	GoMod string `json:"go_mod"`
	Host  string `json:"host"`
}

// Artifact is one built file.
type Artifact struct {
	// Path is relative to the manifest's directory, with forward slashes.
	Path    string `json:"path"`
	Kind    string `json:"kind"`
	Package string `json:"package"`
	SHA256  string `json:"sha256"`
	Size    int64  `json:"size"`
	// Hosts are the paths of the hosts a plugin is meant for.
	Hosts    []string       `json:"hosts,omitempty"`
	Metadata *meta.Metadata `json:"metadata,omitempty"`
}

// MaxSize is the largest manifest Read accepts: a manifest lists a few
// hundred bytes per artifact, so even thousands of artifacts stay far below.
const MaxSize = 16 << 20

// Read reads a manifest file. The file is untrusted input (verify --static
// runs on downloaded folders): it must be a regular file (a named pipe, a
// device such as /dev/zero, or a symbolic link to one is refused without
// blocking on it) of at most MaxSize bytes, and valid (see Parse).
func Read(name string) (*Manifest, error) {
	data, err := fsutil.ReadRegular(name, MaxSize)
	if err != nil {
		var nr *fsutil.NotRegularError
		var tl *fsutil.TooLargeError
		switch {
		case errors.As(err, &nr):
			return nil, fmt.Errorf("manifest %s is %s, not a regular file", name, fsutil.Describe(nr.Mode))
		case errors.As(err, &tl):
			return nil, fmt.Errorf("manifest %s is larger than %d MiB: not a manifest pluginctl wrote", name, MaxSize>>20)
		}
		return nil, err
	}
	m, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("reading manifest %s: %w", name, err)
	}
	return m, nil
}

// Parse decodes and validates a manifest: the schema is this one, and
// every artifact path is a relative path inside the manifest's folder
// (no "..", not absolute), so that no manifest can make pluginctl read or
// run a file elsewhere.
func Parse(data []byte) (*Manifest, error) {
	if len(data) > MaxSize {
		return nil, fmt.Errorf("larger than %d bytes", MaxSize)
	}
	var m Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, err
	}
	if m.Schema != Schema {
		return nil, fmt.Errorf("unknown schema %q (want %q)", m.Schema, Schema)
	}
	for _, a := range m.Artifacts {
		if !localPath(a.Path) {
			return nil, fmt.Errorf("artifact path %q is not a path inside the manifest's folder", a.Path)
		}
		for _, h := range a.Hosts {
			if !localPath(h) {
				return nil, fmt.Errorf("host path %q of %s is not a path inside the manifest's folder", h, a.Path)
			}
		}
		if a.SHA256 != "" && !isHex(a.SHA256, 64) {
			return nil, fmt.Errorf("artifact %s: sha256 %q is not 64 hexadecimal digits", a.Path, a.SHA256)
		}
	}
	return &m, nil
}

func localPath(p string) bool {
	return p != "" && !strings.ContainsRune(p, 0) && !strings.Contains(p, "\\") && filepath.IsLocal(filepath.FromSlash(p))
}

// isHex reports whether s is n lower-case hexadecimal digits.
func isHex(s string, n int) bool {
	return len(s) == n && strings.Trim(s, "0123456789abcdef") == ""
}

// Write writes the manifest to name atomically.
func (m *Manifest) Write(name string) error {
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return fsutil.WriteFileAtomic(name, append(data, '\n'), 0o644)
}

// Find looks for the manifest of an artifact: beside it, then one folder
// up (plugins live in <out>/plugins, the manifest in <out>).
func Find(artifact string) (string, bool) {
	dir := filepath.Dir(artifact)
	for _, d := range []string{dir, filepath.Dir(dir)} {
		p := filepath.Join(d, FileName)
		if _, err := os.Stat(p); err == nil {
			return p, true
		}
	}
	return "", false
}

// Lookup returns the entry for the file at path, or nil. To look up many
// files, build an Index once.
func (m *Manifest) Lookup(manifestPath, path string) *Artifact {
	return m.Index(manifestPath).Lookup(path)
}

// Index finds the entries of a manifest by the files they describe.
type Index struct {
	m      *Manifest
	byPath map[string]int // absolute path -> first entry
}

// Index indexes m, read from manifestPath, whose entries' paths are
// relative to its folder. A nil Manifest gives an Index that finds
// nothing.
func (m *Manifest) Index(manifestPath string) *Index {
	ix := &Index{m: m}
	if m == nil {
		return ix
	}
	base, err := filepath.Abs(filepath.Dir(manifestPath))
	if err != nil {
		return ix
	}
	ix.byPath = make(map[string]int, len(m.Artifacts))
	for i := range m.Artifacts {
		p := filepath.Join(base, filepath.FromSlash(m.Artifacts[i].Path))
		if _, dup := ix.byPath[p]; !dup {
			ix.byPath[p] = i
		}
	}
	return ix
}

// Lookup returns the entry for the file at path, or nil.
func (ix *Index) Lookup(path string) *Artifact {
	if len(ix.byPath) == 0 {
		return nil
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil
	}
	if i, ok := ix.byPath[abs]; ok {
		return &ix.m.Artifacts[i]
	}
	return nil
}

// Contract is the contract recorded by a build.
type Contract struct {
	// API are the project's API packages.
	API []string `json:"api,omitempty"`
	// From is where the contract came from: inferred, declared,
	// convention, released (read from a released host's source) or
	// unknown (a released host whose contract nothing tells).
	From string `json:"from"`
	// Source says where a released host's contract was read.
	Source string `json:"source,omitempty"`
	*contract.Contract
}

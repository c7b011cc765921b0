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

// Read reads a manifest file.
func Read(name string) (*Manifest, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	var m Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("reading manifest %s: %w", name, err)
	}
	if m.Schema != Schema {
		return nil, fmt.Errorf("reading manifest %s: unknown schema %q (want %q)", name, m.Schema, Schema)
	}
	return &m, nil
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

// Lookup returns the entry for the file at path, or nil.
func (m *Manifest) Lookup(manifestPath, path string) *Artifact {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil
	}
	base, err := filepath.Abs(filepath.Dir(manifestPath))
	if err != nil {
		return nil
	}
	for i := range m.Artifacts {
		if filepath.Join(base, filepath.FromSlash(m.Artifacts[i].Path)) == abs {
			return &m.Artifacts[i]
		}
	}
	return nil
}

// ErrNoManifest is returned when no manifest exists where one was expected.
var ErrNoManifest = errors.New("no " + FileName + " found")

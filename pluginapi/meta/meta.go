// Package meta owns the build metadata that `pluginctl build` embeds in
// every host and plugin: its schema, how to read it back from a file
// without loading it, and how a host reads it from a loaded plugin.
//
// The metadata is a JSON document stored as the value of a string variable
// (pluginapi.SymbolMetadata) in the artifact's package main. Its bytes sit
// in the file's read-only data, so Find can locate them by their fixed
// prefix; a host reads the same string with plugin.Lookup.
package meta

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
)

// Schema names the version of the Metadata layout. It is the first field
// of the JSON document, which is what Find searches for.
const Schema = "pluginctl.metadata/v1"

// Metadata describes how one artifact was built. It holds no timestamps
// and no absolute paths, so the same inputs give byte-identical artifacts.
type Metadata struct {
	Schema string `json:"schema"`
	// Kind is "host" or "plugin".
	Kind string `json:"kind"`
	// Package is the import path of the artifact's main package.
	Package string `json:"package"`
	// Module and ModuleVersion describe the module providing Package.
	Module        string `json:"module"`
	ModuleVersion string `json:"module_version,omitempty"`
	// PluginctlVersion is the version of the pluginctl that built it.
	PluginctlVersion string `json:"pluginctl_version"`
	// GoVersion is the toolchain that built it, e.g. "go1.26.8".
	GoVersion string `json:"go_version"`
	GOOS      string `json:"goos"`
	GOARCH    string `json:"goarch"`
	// Flags are the go build flags every artifact of the build set got.
	Flags []string `json:"flags"`
	// APIPackage and APIVersion name the shared API package and the value
	// of its APIVersion constant this artifact was compiled against; empty
	// when the artifact does not link that package.
	APIPackage string `json:"api_package,omitempty"`
	APIVersion string `json:"api_version,omitempty"`
	// VCSRevision and VCSModified describe the source checkout, when known.
	VCSRevision string `json:"vcs_revision,omitempty"`
	VCSModified bool   `json:"vcs_modified,omitempty"`
	// BuildSet is shared by every artifact of one build: a hash of the
	// toolchain, the flags and the module graph. Artifacts with different
	// build sets were not built together.
	BuildSet string `json:"build_set"`
}

// ErrNotFound reports a file without pluginctl metadata.
var ErrNotFound = errors.New("no pluginctl build metadata")

// prefix is what every encoded Metadata starts with. It is assembled at run
// time so that a binary linking this package does not itself contain it.
var prefix = []byte(strings.Join([]string{`{"schema":"`, Schema, `"`}, ""))

// window bounds how much Find decodes after one prefix, and tries how many
// prefixes it tries: a real file holds one small document, and unbounded
// tries would make a crafted file quadratic.
const (
	window = 256 << 10
	tries  = 16
)

// Find returns the metadata embedded in the contents of an artifact file.
func Find(data []byte) (*Metadata, error) {
	off := 0
	for range tries {
		i := bytes.Index(data[off:], prefix)
		if i < 0 {
			return nil, ErrNotFound
		}
		off += i
		if m, err := Parse(data[off:min(len(data), off+window)]); err == nil {
			return m, nil
		}
		off += len(prefix)
	}
	return nil, ErrNotFound
}

// Parse decodes one metadata document from the start of b; bytes after the
// document are ignored.
func Parse(b []byte) (*Metadata, error) {
	var m Metadata
	if err := json.NewDecoder(bytes.NewReader(b)).Decode(&m); err != nil {
		return nil, err
	}
	if m.Schema != Schema {
		return nil, errors.New("unknown metadata schema " + m.Schema)
	}
	return &m, nil
}

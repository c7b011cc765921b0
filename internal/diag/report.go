package diag

import (
	"unicode/utf8"

	"github.com/pluginctl/pluginctl/pluginapi/meta"
)

// Schema is the version of the JSON report; a change that breaks readers
// gets a new version.
const Schema = "pluginctl.verify/v1"

// Report is the result of verifying a list of artifacts against a host.
type Report struct {
	Schema string `json:"schema"`
	// Host is the host the artifacts were checked against; nil when none
	// was known, in which case only host-independent checks ran.
	Host *HostInfo `json:"host"`
	// Checks are the checks that ran: "static", "dynamic".
	Checks []Check `json:"checks"`
	// Contract says where the host's contract came from: "manifest"
	// (recorded by pluginctl build), "inferred" (read from the hosts'
	// source now), "declared" (pluginctl.toml, --expect), "convention"
	// (nothing known: the pluginapi convention) or "given" (a Go caller's
	// Options.Contract).
	Contract string `json:"contract,omitempty"`
	// ContractSource says where a released host's contract was read
	// (Contract "released", or "manifest" when build --for recorded it).
	ContractSource string `json:"contract_source,omitempty"`
	// Notes say what was not checked and why.
	Notes []string `json:"notes,omitempty"`
	// Interrupted: a signal (or the context's end) stopped the
	// verification; the artifacts say what was not checked.
	Interrupted bool             `json:"interrupted,omitempty"`
	Artifacts   []ArtifactReport `json:"artifacts"`
	Summary     Summary          `json:"summary"`
}

// HostInfo describes the host binary.
type HostInfo struct {
	Path string `json:"path"`
	// PathBytes holds Path's exact bytes (base64 in JSON) when it is not
	// valid UTF-8, which JSON strings cannot carry: path shows the bytes
	// that are not UTF-8 as U+FFFD.
	PathBytes  []byte `json:"path_bytes,omitempty"`
	Source     string `json:"source"` // "flag" or the manifest's path
	GoVersion  string `json:"go_version,omitempty"`
	Package    string `json:"package,omitempty"`
	BuildSet   string `json:"build_set,omitempty"`
	APIVersion string `json:"api_version,omitempty"`
}

// ArtifactReport is the verdict on one artifact.
type ArtifactReport struct {
	Path string `json:"path"`
	// PathBytes holds Path's exact bytes (base64 in JSON) when it is not
	// valid UTF-8, so that a program can find the file again; path then
	// shows the bytes that are not UTF-8 as U+FFFD.
	PathBytes []byte `json:"path_bytes,omitempty"`
	// Name is the plugin's name: its file name without .so.
	Name string `json:"name"`
	// OK is true when the artifact has no error (warnings allowed).
	OK bool `json:"ok"`
	// PluginPath is the plugin path the runtime identifies it by.
	PluginPath string         `json:"plugin_path,omitempty"`
	Metadata   *meta.Metadata `json:"metadata,omitempty"`
	Problems   []Problem      `json:"problems"`
	// NotChecked are the checks that did not complete for this artifact
	// (an interrupted verification). Without an error among Problems, the
	// artifact neither passed nor failed.
	NotChecked []Check `json:"not_checked,omitempty"`
	// Notes say what was not checked for this artifact and why (the
	// dynamic check could not run for the host, say), without failing it.
	Notes []string `json:"notes,omitempty"`
	// Writes are the paths the plugin's code wrote (or opened for
	// writing, or removed) while the dynamic check loaded it: in the
	// probe's throwaway layer, so none of them changed.
	Writes []Write `json:"writes,omitempty"`
}

// Write is one path a plugin wrote in the probe's throwaway layer.
type Write struct {
	Path    string `json:"path"`
	Removed bool   `json:"removed,omitempty"`
}

// Summary counts the verdicts.
type Summary struct {
	Checked int `json:"checked"`
	Passed  int `json:"passed"`
	Failed  int `json:"failed"`
	// NotChecked counts the artifacts of an interrupted verification
	// that have no error but were not checked completely.
	NotChecked int `json:"not_checked,omitempty"`
}

// Failed reports whether any artifact failed.
func (r *Report) Failed() bool { return r.Summary.Failed > 0 }

// Finish sets each artifact's OK, its path's exact bytes when they are
// not UTF-8, and the summary, from the problems.
func (r *Report) Finish() {
	r.Summary = Summary{Checked: len(r.Artifacts)}
	if r.Host != nil && !utf8.ValidString(r.Host.Path) {
		r.Host.PathBytes = []byte(r.Host.Path)
	}
	for i := range r.Artifacts {
		a := &r.Artifacts[i]
		if !utf8.ValidString(a.Path) {
			a.PathBytes = []byte(a.Path)
		}
		a.OK = !HasError(a.Problems)
		if a.Problems == nil {
			a.Problems = []Problem{}
		}
		switch {
		case !a.OK:
			r.Summary.Failed++
		case len(a.NotChecked) > 0:
			a.OK = false
			r.Summary.NotChecked++
		default:
			r.Summary.Passed++
		}
	}
}

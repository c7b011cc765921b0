package verifier

import (
	"strings"
	"testing"

	"github.com/pluginctl/pluginctl/internal/artifact"
	"github.com/pluginctl/pluginctl/internal/diag"
)

// TestCheckSetScope models the host's process over a folder: a failed
// plugin's packages and C symbols stay in scope, its plugin path does not.
func TestCheckSetScope(t *testing.T) {
	h1, h2, h3 := artifact.Hash{1}, artifact.Hash{2}, artifact.Hash{3}
	plug := func(path string, fps map[string]artifact.Hash, cs map[string]artifact.Hash) *artifact.File {
		return &artifact.File{Kind: artifact.KindPlugin, PluginPath: path, Fingerprints: fps, CSymbols: cs}
	}
	host := &artifact.File{Kind: artifact.KindExecutable, Fingerprints: map[string]artifact.Hash{"api": h1}, CSymbols: map[string]artifact.Hash{"hostfn": h1}}
	mismatch := []diag.Problem{{Code: PackageMismatch, Severity: diag.Error}}
	missing := []diag.Problem{{Code: MissingSymbol, Severity: diag.Error}}
	tests := []struct {
		name  string
		files []*artifact.File
		alone [][]diag.Problem
		want  []string // per file: "" or the code and a fragment of the message
	}{
		{"failed plugin poisons a later one",
			[]*artifact.File{plug("alpha", map[string]artifact.Hash{"api": h2, "dep": h1}, nil), plug("beta", map[string]artifact.Hash{"api": h1, "dep": h2}, nil)},
			[][]diag.Problem{mismatch, nil},
			[]string{"", "plugin-conflict: links another version of package dep than a.so (whose Open failed"}},
		{"older failed build of the same plugin: no duplicate",
			[]*artifact.File{plug("auth", map[string]artifact.Hash{"api": h2, "dep": h1}, nil), plug("auth", map[string]artifact.Hash{"api": h1, "dep": h2}, nil)},
			[][]diag.Problem{mismatch, nil},
			[]string{"", "plugin-conflict: links another version of package dep than a.so"}},
		{"same plugin path after a successful open",
			[]*artifact.File{plug("auth", map[string]artifact.Hash{"dep": h1}, nil), plug("auth", map[string]artifact.Hash{"dep": h1}, nil)},
			[][]diag.Problem{nil, nil},
			[]string{"", "duplicate-plugin: same plugin as a.so"}},
		{"a lookup failure still registers the plugin path",
			[]*artifact.File{plug("auth", nil, nil), plug("auth", nil, nil)},
			[][]diag.Problem{missing, nil},
			[]string{"", "duplicate-plugin"}},
		{"C symbol defined first by an earlier plugin",
			[]*artifact.File{plug("a", nil, map[string]artifact.Hash{"compute_c": h1}), plug("b", nil, map[string]artifact.Hash{"compute_c": h2})},
			[][]diag.Problem{nil, nil},
			[]string{"", "c-symbol-conflict: defines the C symbol compute_c, which a.so defines first"}},
		{"same C code twice is harmless",
			[]*artifact.File{plug("a", nil, map[string]artifact.Hash{"compute_c": h3}), plug("b", nil, map[string]artifact.Hash{"compute_c": h3})},
			[][]diag.Problem{nil, nil},
			[]string{"", ""}},
		{"C symbol of the host",
			[]*artifact.File{plug("a", nil, map[string]artifact.Hash{"hostfn": h2})},
			[][]diag.Problem{nil},
			[]string{"c-symbol-conflict: defines the C symbol hostfn, which the host defines first"}},
		{"not a plugin enters nothing",
			[]*artifact.File{plug("a", map[string]artifact.Hash{"dep": h1}, nil), plug("b", map[string]artifact.Hash{"dep": h2}, nil)},
			[][]diag.Problem{{{Code: NotAPlugin, Severity: diag.Error}}, nil},
			[]string{"", ""}},
	}
	for _, tt := range tests {
		paths := []string{"a.so", "b.so", "c.so"}[:len(tt.files)]
		got := checkSet(paths, tt.files, tt.alone, host)
		for i, want := range tt.want {
			var s []string
			for _, p := range got[i] {
				s = append(s, string(p.Code)+": "+p.Message)
			}
			text := strings.Join(s, "\n")
			if want == "" && text != "" || want != "" && !strings.Contains(text, want) {
				t.Errorf("%s: %s: got %q, want %q", tt.name, paths[i], text, want)
			}
		}
	}
}

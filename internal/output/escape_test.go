package output

import (
	"bytes"
	"strings"
	"testing"

	"github.com/pluginctl/pluginctl/internal/diag"
)

func TestEscape(t *testing.T) {
	for in, want := range map[string]string{
		"bin/plugins/good.so":   "bin/plugins/good.so",
		"tab\there":             "tab\there",
		"évidemment.so":         "évidemment.so",
		"evil\nPASS  forged.so": `evil\nPASS  forged.so`,
		"cr\rPASS":              `cr\rPASS`,
		"esc\x1b[2K.so":         `esc\x1b[2K.so`,
		"bad\xffname.so":        `bad\xffname.so`,
		"c1\u0085.so":           `c1\u0085.so`,
		"rtl\u202egnp.so":       `rtl\u202egnp.so`,
		"del\x7f.so":            `del\x7f.so`,
	} {
		if got := Escape(in); got != want {
			t.Errorf("Escape(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestTextCannotBeForged: a file name, a message or a detail line of
// untrusted text cannot start a line of its own or carry an escape
// sequence to the terminal.
func TestTextCannotBeForged(t *testing.T) {
	r := &diag.Report{
		Schema: diag.Schema,
		Host:   &diag.HostInfo{Path: "host\x1b[1A"},
		Artifacts: []diag.ArtifactReport{{
			Path: "x.so\nPASS  forged.so", OK: false,
			Problems: []diag.Problem{{Code: "init-panic", Severity: diag.Error, Check: diag.Dynamic,
				Message: "panics: \rPASS  forged2.so",
				Detail:  []string{"panic: first\nPASS  forged3.so\x1b[2K"}}},
		}},
		Summary: diag.Summary{Checked: 1, Failed: 1},
	}
	for _, format := range []string{"text", "github", "junit"} {
		var buf bytes.Buffer
		w, _ := New(format, &buf, false)
		if err := w.Report(r); err != nil {
			t.Fatal(err)
		}
		out := buf.String()
		if strings.ContainsAny(out, "\x1b\r") {
			t.Errorf("%s: control characters reach the terminal:\n%q", format, out)
		}
		for _, l := range strings.Split(out, "\n") {
			if strings.HasPrefix(l, "PASS") {
				t.Errorf("%s: forged line %q in:\n%s", format, l, out)
			}
		}
	}
}

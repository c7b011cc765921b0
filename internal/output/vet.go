package output

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/pluginctl/pluginctl/internal/diag"
)

// VetFormats are the formats Vet writes.
var VetFormats = []string{"text", "json", "github"}

// Vet writes vet's report in format (one of VetFormats): one line per
// finding with its detail and fix for people, the report as JSON for
// programs, GitHub Actions annotations for pull requests.
func Vet(w io.Writer, format string, r *diag.VetReport) error {
	// Positions in the loading errors are relative to Dir, as the
	// findings' are: no machine path in any format.
	for i, e := range r.Errors {
		if rest, ok := strings.CutPrefix(e, r.Dir+string(filepath.Separator)); ok && r.Dir != "" {
			r.Errors[i] = rest
		}
	}
	var b strings.Builder
	switch format {
	case "json":
		r.Schema = diag.VetSchema
		return encode(w, r)
	case "text":
		for _, e := range r.Errors {
			fmt.Fprintf(&b, "%s\n", EscapeLines(e))
		}
		for _, f := range r.Findings {
			fmt.Fprintf(&b, "%s: %s %s: %s\n", Escape(f.Pos), f.Severity, f.Code, Escape(f.Message))
			for _, d := range f.Detail {
				fmt.Fprintf(&b, "\t%s\n", strings.ReplaceAll(EscapeLines(d), "\n", "\n\t"))
			}
			if f.Fix != "" {
				fmt.Fprintf(&b, "\tfix: %s\n", Escape(f.Fix))
			}
		}
	case "github":
		for _, e := range r.Errors {
			file, line, col := "", 0, 0
			if pos, msg, ok := strings.Cut(e, ": "); ok {
				if file, line, col = diag.SplitPos(pos); line > 0 {
					e = msg
				} else {
					file = ""
				}
			}
			lines := strings.Split(e, "\n")
			annotate(&b, diag.Error, file, line, col, "pluginctl vet", lines[0], lines[1:], "")
		}
		for _, f := range r.Findings {
			file, line, col := diag.SplitPos(f.Pos)
			lines := strings.Split(strings.Join(append([]string{f.Message}, f.Detail...), "\n"), "\n")
			annotate(&b, f.Severity, file, line, col, "pluginctl vet "+string(f.Code), lines[0], lines[1:], f.Fix)
		}
	default:
		return fmt.Errorf("unknown format %q (want one of %s)", format, strings.Join(VetFormats, ", "))
	}
	fmt.Fprintf(&b, "pluginctl vet: %s\n", vetSummary(r))
	_, err := io.WriteString(w, b.String())
	return err
}

func vetSummary(r *diag.VetReport) string {
	s := "no problems"
	if n := len(r.Findings); n > 0 {
		s = fmt.Sprintf("%d %s (%d %s, %d %s)", n, plural(n, "problem"), r.Summary.Errors, plural(r.Summary.Errors, "error"), r.Summary.Warnings, plural(r.Summary.Warnings, "warning"))
	}
	s += fmt.Sprintf(" in %d %s (%d %s, %d %s)", r.Summary.Packages, plural(r.Summary.Packages, "package"),
		len(r.Plugins), plural(len(r.Plugins), "plugin"), len(r.Hosts), plural(len(r.Hosts), "host"))
	if len(r.Errors) > 0 {
		s += fmt.Sprintf("; %d %s loading packages", len(r.Errors), plural(len(r.Errors), "error"))
	}
	return s
}

func plural(n int, s string) string {
	if n == 1 {
		return s
	}
	return s + "s"
}

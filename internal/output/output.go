// Package output renders every command's diagnoses, all of them
// diag values: the verify report (verify and check, and build, vet or
// check stopped before verifying: failure reports) with New, vet's
// findings with Vet. The format is chosen once per run from --format:
// text for people, JSON for programs (the canonical form, versioned by
// its schema field; schema/*.schema.json describe it), JUnit XML for CI
// test tabs, GitHub Actions annotations for pull requests. Untrusted
// strings are escaped (Escape) in the formats a terminal shows. Only the
// text writer uses colour, and only when asked to (a terminal without
// NO_COLOR); the machine formats never carry colour or progress.
package output

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"

	"github.com/pluginctl/pluginctl/internal/diag"
)

// Writer renders one report.
type Writer interface {
	Report(r *diag.Report) error
}

// Formats are the values --format accepts for verify.
var Formats = []string{"text", "json", "junit", "github"}

// New returns the writer for format.
func New(format string, w io.Writer, color bool) (Writer, error) {
	switch format {
	case "text":
		return &text{w: w, color: color}, nil
	case "json":
		return &jsonWriter{w: w}, nil
	case "junit":
		return &junit{w: w}, nil
	case "github":
		return &github{w: w}, nil
	}
	return nil, fmt.Errorf("unknown format %q (want one of %s)", format, strings.Join(Formats, ", "))
}

type jsonWriter struct{ w io.Writer }

func (j *jsonWriter) Report(r *diag.Report) error { return encode(j.w, unpadded(r)) }

// encode writes v as indented JSON.
func encode(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// padding is the run of spaces that aligns a detail's label for people
// ("host   v1" under "plugin v0").
var padding = regexp.MustCompile(`^([A-Za-z][\w-]*:?) {2,}`)

// unpadded is r with the details' alignment padding removed, for a
// program: "host   v1" is "host v1". r itself is unchanged.
func unpadded(r *diag.Report) *diag.Report {
	c := *r
	c.Artifacts = slices.Clone(r.Artifacts)
	for i := range c.Artifacts {
		a := &c.Artifacts[i]
		a.Problems = slices.Clone(a.Problems)
		for j := range a.Problems {
			p := &a.Problems[j]
			if len(p.Detail) == 0 {
				continue
			}
			p.Detail = slices.Clone(p.Detail)
			for k, d := range p.Detail {
				p.Detail[k] = padding.ReplaceAllString(d, "$1 ")
			}
		}
	}
	return &c
}

// text prints one line per artifact and its problems indented below it.
type text struct {
	w     io.Writer
	color bool
	quiet bool
}

// Quiet makes a text writer print only the artifacts with a problem and
// the summary (pluginctl -q); the other formats are unchanged.
func Quiet(w Writer) Writer {
	if t, ok := w.(*text); ok {
		t.quiet = true
	}
	return w
}

func (t *text) paint(code, s string) string {
	if !t.color {
		return s
	}
	return "\033[" + code + "m" + s + "\033[0m"
}

func (t *text) Report(r *diag.Report) error {
	var b strings.Builder
	// Everything but pluginctl's own words is untrusted (file names, what
	// a plugin printed, strings read from the artifacts): escaped.
	if r.Host != nil {
		fmt.Fprintf(&b, "host %s (%s", Escape(r.Host.Path), Escape(r.Host.GoVersion))
		if r.Host.APIVersion != "" {
			fmt.Fprintf(&b, ", API %s", Escape(r.Host.APIVersion))
		}
		fmt.Fprintf(&b, ")\n")
	}
	for _, n := range r.Notes {
		// A note of several lines (an error with its fix) is indented,
		// each line escaped, never a literal \n.
		fmt.Fprintf(&b, "note: %s\n", strings.ReplaceAll(EscapeLines(strings.TrimRight(n, "\n")), "\n", "\n      "))
	}
	for _, a := range r.Artifacts {
		verdict := t.paint("32", "PASS")
		suffix := ""
		switch {
		case !a.OK && len(a.NotChecked) > 0 && !diag.HasError(a.Problems):
			verdict = t.paint("33", "SKIP")
			suffix = "  (not checked: " + checkList(a.NotChecked) + ", interrupted)"
		case !a.OK:
			verdict = t.paint("31", "FAIL")
		}
		if t.quiet && a.OK && len(a.Problems) == 0 {
			continue
		}
		fmt.Fprintf(&b, "%s  %s%s\n", verdict, Escape(a.Path), Escape(suffix))
		for _, n := range a.Notes {
			fmt.Fprintf(&b, "      note: %s\n", Escape(n))
		}
		for _, p := range a.Problems {
			sev := string(p.Severity)
			if p.Severity == diag.Warning {
				sev = t.paint("33", sev)
			} else {
				sev = t.paint("31", sev)
			}
			msg := Escape(p.Message)
			if p.Pos != "" {
				msg = Escape(p.Pos) + ": " + msg
			}
			fmt.Fprintf(&b, "      %s %s [%s]: %s\n", sev, Escape(string(p.Code)), p.Check, msg)
			for _, d := range p.Detail {
				fmt.Fprintf(&b, "          %s\n", indentMore(EscapeLines(d)))
			}
			if p.Fix != "" {
				fmt.Fprintf(&b, "          fix: %s\n", Escape(p.Fix))
			}
		}
		for _, w := range a.Writes {
			what := "wrote"
			if w.Removed {
				what = "removed"
			}
			fmt.Fprintf(&b, "      %s %s (in the probe's throwaway layer: nothing changed)\n", what, Escape(w.Path))
		}
	}
	fmt.Fprintf(&b, "%d checked, %d passed, %d failed%s (checks: %s)\n",
		r.Summary.Checked, r.Summary.Passed, r.Summary.Failed, notCheckedSummary(r), checkList(r.Checks))
	_, err := io.WriteString(t.w, b.String())
	return err
}

// checkList is "static, dynamic".
func checkList(cs []diag.Check) string {
	s := make([]string, len(cs))
	for i, c := range cs {
		s[i] = string(c)
	}
	return strings.Join(s, ", ")
}

// notCheckedSummary is ", N not checked (interrupted)" for an interrupted
// report, else "".
func notCheckedSummary(r *diag.Report) string {
	if !r.Interrupted {
		return ""
	}
	return fmt.Sprintf(", %d not checked (interrupted)", r.Summary.NotChecked)
}

func indentMore(s string) string {
	return strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n          ")
}

// junit writes one test case per artifact; a failed artifact's errors are
// its failure, warnings go to system-out.
type junit struct{ w io.Writer }

type junitSuites struct {
	XMLName xml.Name     `xml:"testsuites"`
	Suites  []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Skipped  int         `xml:"skipped,attr,omitempty"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Skipped   *junitSkipped `xml:"skipped,omitempty"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitSkipped struct {
	Message string `xml:"message,attr"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

func (j *junit) Report(r *diag.Report) error {
	s := junitSuite{Name: "pluginctl verify", Tests: r.Summary.Checked, Failures: r.Summary.Failed, Skipped: r.Summary.NotChecked}
	for _, a := range r.Artifacts {
		c := junitCase{Name: Escape(a.Path), Classname: "pluginctl.verify"}
		var errs, warns []string
		var first *diag.Problem
		for i, p := range a.Problems {
			line := problemText(p)
			if p.Severity == diag.Error {
				if first == nil {
					first = &a.Problems[i]
				}
				errs = append(errs, line)
			} else {
				warns = append(warns, line)
			}
		}
		if first != nil {
			c.Failure = &junitFailure{Message: first.Message, Type: string(first.Code), Text: strings.Join(errs, "\n\n")}
		} else if len(a.NotChecked) > 0 {
			c.Skipped = &junitSkipped{Message: "not checked: " + checkList(a.NotChecked) + ", interrupted"}
		}
		c.SystemOut = strings.Join(warns, "\n\n")
		s.Cases = append(s.Cases, c)
	}
	if _, err := io.WriteString(j.w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(j.w)
	enc.Indent("", "  ")
	if err := enc.Encode(junitSuites{Suites: []junitSuite{s}}); err != nil {
		return err
	}
	_, err := io.WriteString(j.w, "\n")
	return err
}

func problemText(p diag.Problem) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s [%s]: ", p.Severity, p.Code, p.Check)
	if p.Pos != "" {
		fmt.Fprintf(&b, "%s: ", p.Pos)
	}
	b.WriteString(p.Message)
	for _, d := range p.Detail {
		fmt.Fprintf(&b, "\n  %s", d)
	}
	if p.Fix != "" {
		fmt.Fprintf(&b, "\nfix: %s", p.Fix)
	}
	return b.String()
}

// github writes GitHub Actions workflow commands: an ::error or ::warning
// annotation per problem, then a summary line.
type github struct{ w io.Writer }

func (g *github) Report(r *diag.Report) error {
	var b strings.Builder
	for _, a := range r.Artifacts {
		for _, p := range merged(a.Problems) {
			// The annotation goes on the source line when the problem has
			// one (a plugin's declaration, the host's line, the compiler's
			// position), the artifact named in the message; else on the
			// artifact checked; a build problem without a position on no
			// file at all.
			file, line, col := diag.SplitPos(p.Pos)
			artifactCheck := p.Check == diag.Static || p.Check == diag.Dynamic
			msg := p.Message
			if file != "" && artifactCheck && a.Path != "" {
				msg = a.Path + ": " + msg
			}
			if file == "" && artifactCheck {
				file = a.Path
			}
			annotate(&b, p.Severity, file, line, col, "pluginctl "+string(p.Code), msg, p.Detail, p.Fix)
		}
	}
	for _, n := range r.Notes {
		fmt.Fprintf(&b, "note: %s\n", Escape(n))
	}
	fmt.Fprintf(&b, "pluginctl verify: %d checked, %d passed, %d failed%s\n", r.Summary.Checked, r.Summary.Passed, r.Summary.Failed, notCheckedSummary(r))
	_, err := io.WriteString(g.w, b.String())
	return err
}

// merged is ps with the problems of one code and severity found by both
// the static and the dynamic check made one (the first, with the other's
// position and evidence when it has more), so that one problem is one
// annotation.
func merged(ps []diag.Problem) []diag.Problem {
	var out []diag.Problem
	at := map[[2]string]int{}
	for _, p := range ps {
		if p.Check != diag.Static && p.Check != diag.Dynamic {
			out = append(out, p)
			continue
		}
		k := [2]string{string(p.Code), string(p.Severity)}
		i, ok := at[k]
		if !ok {
			at[k] = len(out)
			out = append(out, p)
			continue
		}
		q := &out[i]
		q.Detail = slices.Clone(q.Detail)
		if q.Pos == "" {
			q.Pos = p.Pos
		}
		if p.Message != q.Message {
			q.Detail = append(q.Detail, string(p.Check)+" check: "+p.Message)
		}
		for _, d := range p.Detail {
			if !slices.Contains(q.Detail, d) {
				q.Detail = append(q.Detail, d)
			}
		}
		if q.Fix == "" {
			q.Fix = p.Fix
		}
	}
	return out
}

// annotate writes one GitHub annotation: an ::error or ::warning on
// file:line:col (the parts known), its message, detail and fix each
// escaped on its own line (no control character, no invisible one), then
// joined for GitHub's own escaping.
func annotate(b *strings.Builder, sev diag.Severity, file string, line, col int, title, msg string, detail []string, fix string) {
	cmd := "error"
	if sev == diag.Warning {
		cmd = "warning"
	}
	props := ""
	if file != "" {
		props = "file=" + EscapeProperty(Escape(file)) + ","
		if line > 0 {
			props += fmt.Sprintf("line=%d,", line)
			if col > 0 {
				props += fmt.Sprintf("col=%d,", col)
			}
		}
	}
	lines := []string{Escape(msg)}
	for _, d := range detail {
		lines = append(lines, Escape(d))
	}
	if fix != "" {
		lines = append(lines, "fix: "+Escape(fix))
	}
	fmt.Fprintf(b, "::%s %stitle=%s::%s\n", cmd, props, EscapeProperty(title), EscapeData(strings.Join(lines, "\n")))
}

// EscapeData and EscapeProperty follow the GitHub Actions workflow command
// escaping rules (actions/toolkit, packages/core/src/command.ts), for the
// message and for a property such as file= or title=.
func EscapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

func EscapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}

package output

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pluginctl/pluginctl/internal/diag"
	"github.com/pluginctl/pluginctl/internal/gocmd"
	"github.com/pluginctl/pluginctl/pluginapi/meta"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// sampleReport has every shape a writer must render: a passing artifact,
// one failing with an error and a warning, one that is not a plugin, a
// static and a dynamic finding of one code, what stopped a build, an
// artifact the interrupted run did not check, notes of one line and of
// several, the writes a plugin made in the probe, and untrusted strings
// carrying control and invisible characters.
func sampleReport() *diag.Report {
	r := &diag.Report{
		Schema:      diag.Schema,
		Host:        &diag.HostInfo{Path: "bin/host", Source: "bin/pluginctl.json", GoVersion: "go1.26.8", Package: "example.com/app/cmd/host", BuildSet: "0123456789abcdef01234567", APIVersion: "v1"},
		Checks:      []diag.Check{diag.Static, diag.Dynamic},
		Contract:    "manifest",
		Notes:       []string{"a note, with: punctuation", "what went wrong\n\tthe fix"},
		Interrupted: true,
		Artifacts: []diag.ArtifactReport{
			{Path: "bin/plugins/good.so", Name: "good", PluginPath: "example.com/app/plugins/good",
				Metadata: &meta.Metadata{Schema: meta.Schema, Kind: "plugin", Package: "example.com/app/plugins/good", BuildSet: "0123456789abcdef01234567"}},
			{Path: "bin/plugins/uuid.so", Name: "uuid", PluginPath: "example.com/app/plugins/uuid",
				Problems: []diag.Problem{
					{Code: "package-mismatch", Severity: diag.Error, Check: diag.Static,
						Message: "built with a different version of 1 package(s) than the host: github.com/google/uuid",
						Detail:  []string{"github.com/google/uuid (module github.com/google/uuid): plugin v1.5.0, host v1.6.0", "plugin   v1.5.0", "host     v1.6.0"},
						Fix:     "pin github.com/google/uuid to v1.6.0 in the plugin's go.mod (go get github.com/google/uuid@v1.6.0); then rebuild with `pluginctl build`"},
					{Code: "build-set-mismatch", Severity: diag.Warning, Check: diag.Static,
						Message: "not built in the same `pluginctl build` run as the host", Fix: "build them together"},
				}},
			{Path: "bin/plugins/random.so", Name: "random",
				Problems: []diag.Problem{{Code: "not-a-plugin", Severity: diag.Error, Check: diag.Static,
					Message: "not a Go plugin: not an ELF file (starts with 8f 3a \"\\x8f:\")", Fix: "build it with `pluginctl build`"}}},
			// A problem with a source position: the annotation goes there.
			{Path: "bin/plugins/shout.so", Name: "shout",
				Problems: []diag.Problem{{Code: "api-version-mismatch", Severity: diag.Error, Check: diag.Static,
					Message: "APIVersion is \"v1\", the host accepts \"v2\"", Pos: "plugins/shout/main.go:7:20"},
					// The dynamic check's finding of the same: one annotation.
					{Code: "api-version-mismatch", Severity: diag.Error, Check: diag.Dynamic,
						Message: "APIVersion is \"v1\", the host wants \"v2\"", Detail: []string{"plugin v1"}}}},
			// What stopped a build: a compiler position, and none.
			{Path: "example.com/app/plugins/bad", Name: "bad",
				Problems: []diag.Problem{
					{Code: "compile-error", Severity: diag.Error, Check: "build", Message: "plugin example.com/app/plugins/bad: undefined: nosuch", Pos: "plugins/bad/bad.go:5:9"},
					{Code: "environment", Severity: diag.Error, Check: "build", Message: "no host to verify the plugins against", Fix: "give --host"}}},
			// Untrusted strings: a file name, a message and a detail that
			// try to start lines, move the cursor or reorder the text.
			{Path: "bin/plugins/evil\nPASS  forged.so\x1b[2K", Name: "evil", PluginPath: "example.com/app/plugins/evil",
				Notes: []string{"dynamic check ran without namespaces\r"},
				Problems: []diag.Problem{{Code: "sandbox", Severity: diag.Warning, Check: diag.Dynamic,
					Message: "printed \"\x1b[31mred\u202e\" while loading\rPASS",
					Detail:  []string{"line one\nPASS  forged2.so", "bad byte \xff"}, Fix: "fix: nothing\x07"}},
				Writes: []diag.Write{{Path: "/tmp/state.db"}, {Path: "/etc/evil\nconf", Removed: true}}},
			// The interrupted run did not check this one dynamically.
			{Path: "bin/plugins/slow.so", Name: "slow", NotChecked: []diag.Check{diag.Dynamic}},
		},
	}
	r.Finish()
	return r
}

// sampleVet has every shape vet's report takes: findings with and
// without a line, detail of several lines, a fix with edits, a package
// that did not load, and control characters.
func sampleVet() *diag.VetReport {
	finding := func(code, sev, pos, msg, fix string, detail ...string) diag.Finding {
		return diag.Finding{Problem: diag.Problem{Code: diag.Code(code), Severity: diag.Severity(sev), Check: diag.Vet, Message: msg, Detail: detail, Fix: fix, Pos: pos},
			Package: "example.com/app/plugins/stale"}
	}
	f := finding("apiversion", "error", "plugins/stale/main.go:5:18", `APIVersion is the hand-copied literal "v0", but pluginapi.APIVersion is "v1": the host refuses this plugin`, "use pluginapi.APIVersion")
	f.Category, f.Edits = "stale", []diag.Edit{{File: "plugins/stale/main.go", Start: 60, End: 64, New: "pluginapi.APIVersion"}}
	mod := finding("apicopy", "warning", "go.work", "the API package reaches the host and a plugin from two places", "keep one copy", "go.work:3: use ./api\n\tand ./vendor/api", "host: 1 host")
	mod.Package = ""
	return &diag.VetReport{
		Dir: "/home/u/app", API: "example.com/app/pluginapi",
		Findings: []diag.Finding{f, mod,
			finding("initio", "warning", "plugins/evil/main.go:9:2", "init writes \"\x1b[2K\" to a file\rPASS", "", "init → os.WriteFile at main.go:9")},
		Errors:   []string{"/home/u/app/plugins/broken/main.go:3:25: cannot use \"x\" (untyped string constant) as int value in return statement"},
		Packages: []string{"example.com/app/cmd/host", "example.com/app/plugins/broken", "example.com/app/plugins/evil", "example.com/app/plugins/stale"},
		Plugins:  []string{"example.com/app/plugins/evil", "example.com/app/plugins/stale"},
		Hosts:    []string{"example.com/app/cmd/host"},
		Summary:  diag.VetSummary{Packages: 4, Errors: 1, Warnings: 2},
	}
}

// TestGolden compares every format's rendering of the samples with its
// golden file, byte for byte (go test -update rewrites them).
func TestGolden(t *testing.T) {
	type golden struct {
		name  string
		write func(w *bytes.Buffer) error
	}
	var cases []golden
	for _, format := range Formats {
		for _, color := range []bool{false, true} {
			if color && format != "text" {
				continue
			}
			name := format
			if color {
				name += "-color"
			}
			cases = append(cases, golden{name, func(b *bytes.Buffer) error {
				w, err := New(format, b, color)
				if err != nil {
					return err
				}
				return w.Report(sampleReport())
			}})
		}
	}
	cases = append(cases, golden{"text-quiet", func(b *bytes.Buffer) error {
		w, _ := New("text", b, false)
		return Quiet(w).Report(sampleReport())
	}})
	for _, format := range VetFormats {
		cases = append(cases, golden{"vet-" + format, func(b *bytes.Buffer) error { return Vet(b, format, sampleVet()) }})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := c.write(&buf); err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", c.name+".golden")
			if *update {
				if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(buf.Bytes(), want) {
				t.Errorf("output differs from %s (run go test -update if the change is intended):\n%s", golden, buf.Bytes())
			}
		})
	}
}

// TestMachineFormatsParse checks that JSON round-trips and JUnit is well
// formed XML with one test case per artifact.
func TestMachineFormatsParse(t *testing.T) {
	var buf bytes.Buffer
	w, _ := New("json", &buf, true)
	w.Report(sampleReport())
	if bytes.Contains(buf.Bytes(), []byte("\033[")) {
		t.Error("JSON carries colour")
	}
	var back diag.Report
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if back.Schema != "pluginctl.verify/v1" || len(back.Artifacts) != 7 || back.Artifacts[1].Problems[0].Code != "package-mismatch" {
		t.Errorf("JSON round trip lost data: %+v", back)
	}
	buf.Reset()
	w, _ = New("junit", &buf, false)
	w.Report(sampleReport())
	var suites junitSuites
	if err := xml.Unmarshal(buf.Bytes(), &suites); err != nil {
		t.Fatal(err)
	}
	if got := len(suites.Suites[0].Cases); got != 7 {
		t.Errorf("%d test cases, want 7", got)
	}
	if f := suites.Suites[0].Cases[1].Failure; f == nil || f.Type != "package-mismatch" {
		t.Errorf("failing artifact has failure %+v", f)
	}
}

func TestUnknownFormat(t *testing.T) {
	if _, err := New("yaml", &bytes.Buffer{}, false); err == nil {
		t.Error("New accepted format yaml")
	}
}

func TestGitHubEscaping(t *testing.T) {
	for in, want := range map[string]string{"a%b\nc": "a%25b%0Ac"} {
		if got := EscapeData(in); got != want {
			t.Errorf("EscapeData(%q) = %q, want %q", in, got, want)
		}
	}
	if got := EscapeProperty("a,b:c"); got != "a%2Cb%3Ac" {
		t.Errorf("EscapeProperty = %q", got)
	}
}

// A note of several lines prints indented, never as a literal \n.
func TestNoteLines(t *testing.T) {
	var buf bytes.Buffer
	w, _ := New("text", &buf, false)
	w.Report(&diag.Report{Notes: []string{"what went wrong\n\tthe fix"}})
	if got := buf.String(); !bytes.Contains(buf.Bytes(), []byte("note: what went wrong\n      \\tthe fix\n")) && !bytes.Contains(buf.Bytes(), []byte("note: what went wrong\n      \tthe fix\n")) {
		t.Errorf("note printed as %q", got)
	}
	if bytes.Contains(buf.Bytes(), []byte(`\n`)) {
		t.Errorf("literal \\n in %q", buf.String())
	}
}

// JSON details carry no alignment padding; the report is not changed.
func TestJSONUnpadded(t *testing.T) {
	r := &diag.Report{Schema: diag.Schema, Artifacts: []diag.ArtifactReport{{Path: "a.so",
		Problems: []diag.Problem{{Code: "api-version-mismatch", Detail: []string{"plugin \"v0\"", "host   \"v1\" (cmd/host/main.go:3)", "found    *int", "a  b"}}}}}}
	var buf bytes.Buffer
	w, _ := New("json", &buf, false)
	if err := w.Report(r); err != nil {
		t.Fatal(err)
	}
	var back diag.Report
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	got := back.Artifacts[0].Problems[0].Detail
	want := []string{"plugin \"v0\"", "host \"v1\" (cmd/host/main.go:3)", "found *int", "a b"}
	if !slices.Equal(got, want) {
		t.Errorf("details %q, want %q", got, want)
	}
	if r.Artifacts[0].Problems[0].Detail[1] != "host   \"v1\" (cmd/host/main.go:3)" {
		t.Error("the report was changed")
	}
}

// TestDependsOnDiagOnly: output renders diag values and knows nothing of
// the packages that produce them (verifier, builder, vet, cli).
func TestDependsOnDiagOnly(t *testing.T) {
	out, err := (&gocmd.Go{}).Output(context.Background(), "list", "-deps", ".")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range strings.Fields(string(out)) {
		if rest, ok := strings.CutPrefix(p, "github.com/pluginctl/pluginctl/"); ok && rest != "internal/output" && rest != "internal/diag" && rest != "pluginapi/meta" {
			t.Errorf("output depends on %s", p)
		}
	}
}

package verifier

import (
	"context"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/pluginctl/pluginctl/internal/diag"
	"github.com/pluginctl/pluginctl/internal/fixture"
)

func TestMain(m *testing.M) { fixture.Main(m) }

// errorCodes returns the sorted, distinct error codes of an artifact.
func errorCodes(a diag.ArtifactReport) []string {
	var out []string
	for _, p := range a.Problems {
		if p.Severity == diag.Error {
			out = append(out, string(p.Code))
		}
	}
	sort.Strings(out)
	return slices.Compact(out)
}

// TestStaticFixtures runs `verify --static` on every fixture of the corpus
// against its host and checks the codes, and that the verdict agrees with
// what the real host does (except where the failure needs the plugin's
// code to run: StaticBlind).
func TestStaticFixtures(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the fixture corpus")
	}
	fixture.BuildAll(t)
	for _, f := range fixture.All() {
		t.Run(f.Name, func(t *testing.T) {
			host := fixture.HostBinary(t, f.Host)
			paths := fixture.Artifacts(t, f.Name)
			r, err := Verify(context.Background(), Options{Host: host, Static: true}, paths)
			if err != nil {
				t.Fatal(err)
			}
			last := r.Artifacts[len(r.Artifacts)-1]
			got := errorCodes(last)
			want := append([]string(nil), f.StaticCodes...)
			sort.Strings(want)
			if !slices.Equal(got, want) {
				t.Errorf("static codes %v, want %v\nproblems: %+v", got, want, last.Problems)
			}
			if !f.StaticBlind && last.OK != f.HostLoads {
				t.Errorf("static verdict ok=%v, but the real host loads=%v", last.OK, f.HostLoads)
			}
			if want, ok := rootCauses[f.Name]; ok {
				text := problemsText(last.Problems)
				for _, w := range want {
					if !strings.Contains(text, w) {
						t.Errorf("report does not name %q:\n%s", w, text)
					}
				}
			}
			if f.Name == "mainnoopt" {
				// -gcflags without a pattern apply to the plugin's main
				// package only, which the host does not link: no finding.
				for _, p := range last.Problems {
					if p.Code == BuildSettingMismatch {
						t.Errorf("a flag of the plugin's main package only is reported: %s %v", p.Message, p.Detail)
					}
				}
			}
			for _, p := range last.Problems {
				if p.Severity == diag.Warning && p.Code != BuildSetMismatch {
					t.Errorf("unexpected warning %s: %s", p.Code, p.Message)
				}
			}
		})
	}
}

// rootCauses are what the static report must say for the fixtures whose
// runtime error names a misleading first package.
var rootCauses = map[string][]string{
	"race":        {"-race: plugin \"true\", host (unset)", "sync/atomic"},
	"noopt":       {"-gcflags: plugin \"all=-N -l\", host (unset)", "internal/abi"},
	"notrim":      {"-trimpath: plugin (unset), host \"true\"", "github.com/pluginctl/pluginctl/pluginapi"},
	"gotoolchain": {"plugin go1.27.3, host go1.26.8", "GOTOOLCHAIN=go1.26.8"},
	"depversion":  {"github.com/google/uuid (module github.com/google/uuid): plugin v1.5.0, host v1.6.0", "go get github.com/google/uuid@v1.6.0"},
	"apicopy":     {"another copy of github.com/pluginctl/pluginctl/pluginapi", "type identity trap"},
	"conflict":    {"github.com/google/uuid: differs from"},
	"duplicate":   {"plugin already loaded"},
	"clib":        {"C shared library"},
	"exe":         {"Go executable"},
	"empty":       {"empty file"},
}

func problemsText(ps []diag.Problem) string {
	var b strings.Builder
	for _, p := range ps {
		b.WriteString(string(p.Code) + ": " + p.Message + "\n")
		for _, d := range p.Detail {
			b.WriteString("  " + d + "\n")
		}
		b.WriteString("  fix: " + p.Fix + "\n")
	}
	return b.String()
}

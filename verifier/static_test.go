package verifier

import (
	"context"
	"slices"
	"sort"
	"testing"

	"github.com/pluginctl/pluginctl/internal/fixture"
)

func TestMain(m *testing.M) { fixture.Main(m) }

// errorCodes returns the sorted, distinct error codes of an artifact.
func errorCodes(a ArtifactReport) []string {
	var out []string
	for _, p := range a.Problems {
		if p.Severity == Error {
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
			for _, p := range last.Problems {
				if p.Severity == Warning && !slices.Contains(f.Warnings, string(p.Code)) && p.Code != BuildSetMismatch {
					t.Errorf("unexpected warning %s: %s", p.Code, p.Message)
				}
			}
		})
	}
}

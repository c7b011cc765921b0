package verifier

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/pluginctl/pluginctl/internal/diag"
	"github.com/pluginctl/pluginctl/internal/fixture"
)

// TestVerifyFixtures is the acceptance test of `pluginctl verify`: for
// every fixture of the corpus, the full verification (static and dynamic
// checks against the fixture's host, built from this checkout) reports the
// fixture's root cause, only codes the fixture allows, no disagreement
// between the checks, and passes exactly when the real host loads it.
func TestVerifyFixtures(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the fixture corpus and runs probes")
	}
	fixture.BuildAll(t)
	cache := t.TempDir()
	for _, f := range fixture.All() {
		t.Run(f.Name, func(t *testing.T) {
			host := fixture.HostBinary(t, f.Host)
			dir, _ := fixture.HostSource(t, f.Host)
			timeout := 10 * time.Second
			if f.Name == "inithang" {
				timeout = 2 * time.Second
			}
			r, err := Verify(context.Background(), Options{
				Host: host, Dir: dir, CacheDir: cache, Timeout: timeout, RequireCapabilities: f.Require,
			}, fixture.Artifacts(t, f.Name))
			if err != nil {
				t.Fatal(err)
			}
			last := r.Artifacts[len(r.Artifacts)-1]
			got := errorCodes(last)
			for _, c := range f.Codes {
				if !slices.Contains(got, c) {
					t.Errorf("missing root cause %s; got %v", c, got)
				}
			}
			allowed := f.Allowed()
			for _, c := range got {
				if !slices.Contains(allowed, c) {
					t.Errorf("unexpected code %s (allowed %v)\n%s", c, allowed, problemsText(last.Problems))
				}
			}
			if last.OK != f.HostLoads {
				t.Errorf("verdict ok=%v, but the real host loads=%v\n%s", last.OK, f.HostLoads, problemsText(last.Problems))
			}
			if len(f.Codes) == 0 && len(got) != 0 {
				t.Errorf("false alarm on a good plugin: %v", got)
			}
		})
	}
}

func TestMerge(t *testing.T) {
	s := func(c diag.Code) diag.Problem { return diag.Problem{Code: c, Severity: diag.Error, Check: diag.Static} }
	d := func(c diag.Code) diag.Problem {
		return diag.Problem{Code: c, Severity: diag.Error, Check: diag.Dynamic}
	}
	w := diag.Problem{Code: BuildSettingMismatch, Severity: diag.Warning, Check: diag.Static}
	for _, tc := range []struct {
		name            string
		static, dynamic []diag.Problem
		blind           map[diag.Code]bool
		disagree        bool
		unread          bool // the static check could not read the file as a plugin
	}{
		{"both pass", nil, nil, nil, false, false},
		{"warning only", []diag.Problem{w}, nil, nil, false, false},
		{"both fail", []diag.Problem{s(PackageMismatch)}, []diag.Problem{d(PackageMismatch)}, nil, false, false},
		{"root cause vs symptom", []diag.Problem{s(GoVersionMismatch)}, []diag.Problem{d(Crash)}, nil, false, false},
		{"static fails, dynamic loads", []diag.Problem{s(PackageMismatch)}, nil, nil, true, false},
		{"dynamic open failure static missed", nil, []diag.Problem{d(PackageMismatch)}, nil, true, false},
		{"run-time failure", nil, []diag.Problem{d(InitPanic)}, nil, false, false},
		{"blind code", nil, []diag.Problem{d(APIVersionMismatch)}, map[diag.Code]bool{APIVersionMismatch: true}, false, false},
		// Issue 13: no disagreement where the static check said what was
		// wrong and plugin.Open cannot see it, or could not read the file.
		{"tampered: hash mismatch, loads", []diag.Problem{s(HashMismatch)}, nil, nil, false, false},
		{"corrupt build info, loads", []diag.Problem{s(NotAPlugin)}, nil, nil, false, true},
		{"truncated by one byte, crashes", []diag.Problem{s(NotAPlugin)}, []diag.Problem{d(Crash)}, nil, false, true},
		{"unreadable to static, dynamic package mismatch", nil, []diag.Problem{d(PackageMismatch)}, nil, false, true},
		{"hash mismatch and a real load failure missed", []diag.Problem{s(HashMismatch)}, []diag.Problem{d(PackageMismatch)}, nil, true, false},
	} {
		got := merge(tc.static, tc.dynamic, tc.blind, !tc.unread)
		has := slices.ContainsFunc(got, func(p diag.Problem) bool { return p.Code == CheckDisagreement })
		if has != tc.disagree {
			t.Errorf("%s: disagreement %v, want %v: %+v", tc.name, has, tc.disagree, got)
		}
		if len(got) < len(tc.static)+len(tc.dynamic) {
			t.Errorf("%s: problems lost: %+v", tc.name, got)
		}
	}
}

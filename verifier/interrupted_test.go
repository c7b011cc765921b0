package verifier

import (
	"slices"
	"testing"

	"github.com/pluginctl/pluginctl/internal/diag"
)

// TestInterruptedReport: the partial report of an interrupted dynamic
// check keeps what completed, marks the rest not checked, and maps the
// dynamic results to the artifacts they are about (a file that is not
// regular is never handed to the dynamic check).
func TestInterruptedReport(t *testing.T) {
	r := &diag.Report{Artifacts: []diag.ArtifactReport{
		{Path: "a.so"},
		{Path: "fifo.so", Problems: []diag.Problem{{Code: NotAPlugin, Severity: diag.Error, Check: diag.Static}}},
		{Path: "b.so"},
		{Path: "c.so"},
	}}
	dyn := &DynamicReport{Results: []DynamicResult{
		{Path: "a.so", Checked: true},
		{Path: "b.so", Problems: []diag.Problem{{Code: InitPanic, Severity: diag.Error, Check: diag.Dynamic}}}, // found, then interrupted
		{Path: "c.so"},
	}}
	interrupted(r, dyn, []int{0, 2, 3}, []bool{true, false, true, true})
	want := []struct {
		ok         bool
		notChecked []diag.Check
		codes      []diag.Code
	}{
		{true, nil, nil},
		{false, nil, []diag.Code{NotAPlugin}},
		{false, []diag.Check{diag.Dynamic}, []diag.Code{InitPanic}},
		{false, []diag.Check{diag.Dynamic}, nil},
	}
	for i, w := range want {
		a := r.Artifacts[i]
		var codes []diag.Code
		for _, p := range a.Problems {
			codes = append(codes, p.Code)
		}
		if a.OK != w.ok || !slices.Equal(a.NotChecked, w.notChecked) || !slices.Equal(codes, w.codes) {
			t.Errorf("%s: ok %v, not checked %v, codes %v; want %v, %v, %v", a.Path, a.OK, a.NotChecked, codes, w.ok, w.notChecked, w.codes)
		}
	}
	if !r.Interrupted || r.Summary != (diag.Summary{Checked: 4, Passed: 1, Failed: 2, NotChecked: 1}) {
		t.Errorf("interrupted %v, summary %+v", r.Interrupted, r.Summary)
	}
}

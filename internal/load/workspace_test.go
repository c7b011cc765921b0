package load

import (
	"slices"
	"testing"
)

func TestExpandWorkspace(t *testing.T) {
	mods := []string{"/w/api", "/w/host", "/other/mod"}
	for _, tc := range []struct {
		dir  string
		in   []string
		want []string
	}{
		{"/w", []string{"./..."}, []string{"./api/...", "./host/..."}},
		{"/w", []string{"./host", "./..."}, []string{"./host", "./api/...", "./host/..."}},
		{"/w/host", []string{"./..."}, []string{"./..."}},
		{"/elsewhere", []string{"./..."}, []string{"./..."}},
	} {
		if got := ExpandWorkspace(tc.dir, mods, tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("ExpandWorkspace(%q, %q) = %q, want %q", tc.dir, tc.in, got, tc.want)
		}
	}
}

package artifact

import (
	"slices"
	"strings"
	"testing"
)

func TestCannotLoadPlugins(t *testing.T) {
	fx := fixtures(t)
	tests := []struct {
		path, want string // want: a substring of the reason, "" for none
	}{
		{fx.Host, ""},
		{fx.HostPIE, ""},
		{fx.HostStatic, "CGO_ENABLED=0"},
		{fx.ExeFreeBSD, "CGO_ENABLED=0"}, // another platform: the same verdict
		{fx.Plugin, ""},                  // not a host: nothing to say
	}
	for _, tt := range tests {
		f, err := Read(tt.path)
		if err != nil {
			t.Fatal(err)
		}
		got := f.CannotLoadPlugins()
		if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
			t.Errorf("%s: CannotLoadPlugins() = %q, want %q", tt.path, got, tt.want)
		}
	}
}

func TestFingerprintDiff(t *testing.T) {
	fx := fixtures(t)
	read := func(p string) *File {
		f, err := Read(p)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	host := read(fx.Host)
	// Built with the host in one checkout: plugin.Open accepts it.
	if differ, missing := read(fx.Plugin).FingerprintDiff(host); len(differ) > 0 || slices.Contains(missing, "main") {
		t.Errorf("plugin built with the host: differ %v, missing %v; want none differing and main never compared", differ, missing)
	}
	// Other compiler flags for every package: runtime differs.
	differ, _ := read(fx.PluginNoOpt).FingerprintDiff(host)
	if !slices.Contains(differ, "runtime") || !slices.IsSorted(differ) {
		t.Errorf("plugin built with -gcflags=all=-N -l: differ %v, want runtime among them, sorted", differ)
	}
	// The logic, on fingerprints alone.
	f := &File{Fingerprints: map[string]Hash{"main": {1}, "a": {1}, "b": {2}, "c": {3}, "own": {4}}}
	h := &File{Fingerprints: map[string]Hash{"main": {9}, "a": {1}, "b": {9}, "c": {9}, "d": {4}}}
	differ, missing := f.FingerprintDiff(h)
	if !slices.Equal(differ, []string{"b", "c"}) || !slices.Equal(missing, []string{"d"}) {
		t.Errorf("differ %v, missing %v; want [b c], [d]", differ, missing)
	}
}

package released

import (
	"slices"
	"strings"
	"testing"
)

func TestPackageFlagApplies(t *testing.T) {
	const mainMod = "example.com/srv"
	for _, tc := range []struct {
		value  string
		pkg    string
		isMain bool
		want   bool
	}{
		{"-trimpath /src", "example.com/api", false, false},
		{"-trimpath /src", "main", true, true},
		{"-N -l", "internal/abi", false, false},
		{"all=-N -l", "internal/abi", false, true},
		{"all=-N -l", "example.com/api", false, true},
		{"std=-N", "internal/abi", false, true},
		{"std=-N", "example.com/api", false, false},
		{"example.com/api=-N -l", "example.com/api", false, true},
		{"example.com/api=-N -l", "example.com/api/sub", false, false},
		{"example.com/api/...=-N", "example.com/api/sub", false, true},
		{"example.com/api/...=-N", "example.com/apix", false, false},
		{"./...=-N", "example.com/srv/internal/x", false, true},
		{"./...=-N", "example.com/api", false, false},
		{"cmd=-N", "cmd/go", false, true},
	} {
		f := ParsePackageFlag(tc.value)
		if got := f.Applies(tc.pkg, mainMod, tc.isMain); got != tc.want {
			t.Errorf("%q applies to %s (main %v) = %v, want %v", tc.value, tc.pkg, tc.isMain, got, tc.want)
		}
	}
}

func TestParsePackageFlag(t *testing.T) {
	for in, want := range map[string]PackageFlag{
		"-N -l":            {Flags: "-N -l"},
		"all=-N -l":        {Pattern: "all", Flags: "-N -l"},
		" std = -N ":       {Pattern: "std", Flags: "-N"},
		"-trimpath=/a=b":   {Flags: "-trimpath=/a=b"},
		"example.com/x=-m": {Pattern: "example.com/x", Flags: "-m"},
		"":                 {},
	} {
		if got := ParsePackageFlag(in); got != want {
			t.Errorf("ParsePackageFlag(%q) = %+v, want %+v", in, got, want)
		}
	}
}

func TestFlagsLeaveOut(t *testing.T) {
	for _, tc := range []struct {
		settings map[string]string
		args     []string // must be among Args
		not      []string // substrings no Arg has
		left     []string // substrings of what Flags leaves out
	}{
		{
			settings: map[string]string{"-ldflags": `-w -s -X main.Version=1`, "-gcflags": "-trimpath /build", "-asmflags": "-trimpath /build"},
			not:      []string{"-ldflags", "-gcflags", "-asmflags"},
			left:     []string{"-ldflags -w -s -X main.Version=1", `-gcflags "-trimpath /build" (no pattern`, `-asmflags "-trimpath /build"`},
		},
		{
			settings: map[string]string{"-ldflags": `-s -linkmode=external -X=main.v=2 -buildid=abc`, "-gcflags": "all=-N -l"},
			args:     []string{"-ldflags=-linkmode=external", "-gcflags=all=-N -l"},
			left:     []string{"-ldflags -s -X=main.v=2 -buildid=abc"},
		},
		{
			settings: map[string]string{"-gcflags": "./...=-N"},
			not:      []string{"-gcflags"},
			left:     []string{"a directory pattern"},
		},
	} {
		h := testHost()
		for k, v := range tc.settings {
			h.Settings[k] = v
		}
		args := h.Args()
		for _, a := range tc.args {
			if !slices.Contains(args, a) {
				t.Errorf("%v: Args %q lack %q", tc.settings, args, a)
			}
		}
		for _, n := range tc.not {
			for _, a := range args {
				if strings.Contains(a, n) {
					t.Errorf("%v: Args have %q", tc.settings, a)
				}
			}
		}
		_, leftOut := h.Flags()
		left := strings.Join(leftOut, "\n")
		for _, l := range tc.left {
			if !strings.Contains(left, l) {
				t.Errorf("%v: left out %q lacks %q", tc.settings, left, l)
			}
		}
	}
}

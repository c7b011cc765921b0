package builder

import (
	"errors"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/pluginctl/pluginctl/internal/released"
)

func forTestHost() *released.Host {
	return &released.Host{
		Path: "gw", GoVersion: "go1.27.3",
		Settings: map[string]string{"-trimpath": "true", "CGO_ENABLED": "1", "-tags": "netgo"},
		Main:     debug.Module{Path: "example.com/gw", Version: "(devel)"},
		Deps:     map[string]*debug.Module{"github.com/google/uuid": {Path: "github.com/google/uuid", Version: "v1.6.0"}},
	}
}

func TestCheckForFlags(t *testing.T) {
	h := forTestHost()
	for _, tc := range []struct {
		name  string
		flags Flags
		set   []string
		want  []string // "" for no error
	}{
		{"defaults", Flags{Trimpath: true}, nil, nil},
		{"unset flags are the host's", Flags{Race: true, Tags: []string{"x"}}, nil, nil},
		{"agreeing flags", Flags{Trimpath: true, Tags: []string{"netgo"}}, []string{"trimpath", "tags"}, nil},
		{"race", Flags{Race: true}, []string{"race"}, []string{`--race "true": the host was built with -race "false"`}},
		{"trimpath", Flags{}, []string{"trimpath"}, []string{`--trimpath "false": the host was built with -trimpath "true"`}},
		{"tags and gcflags", Flags{Tags: []string{"a", "b"}, GCFlags: "-N -l"}, []string{"tags", "gcflags"},
			[]string{`--tags "a,b": the host was built with -tags "netgo"`, `--gcflags "-N -l": the host was built with -gcflags (none)`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := checkForFlags(tc.flags, tc.set, h)
			if len(tc.want) == 0 {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var ee *EnvError
			if !errors.As(err, &ee) {
				t.Fatalf("want an EnvError, got %v", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not say %q:\n%v", w, err)
				}
			}
		})
	}
}

func TestExplainCompile(t *testing.T) {
	fh := &forHost{o: &ForHost{Host: "gw"}, host: forTestHost(), mods: &released.ModFiles{Pins: []released.Pin{
		{Path: "github.com/google/uuid", Was: "v1.3.0", Now: "v1.6.0"},
		{Path: "example.com/other", Was: "v2.0.0", Now: "v1.9.0"},
	}}}
	err := fh.explainCompile(&CompileError{Failures: []Failure{{Package: "example.com/plug/p", Kind: Plugin,
		Output: "# example.com/plug/p\np/main.go:7:14: undefined: uuid.NewV9\n"}}})
	var fe *ForHostError
	if !errors.As(err, &fe) {
		t.Fatalf("want a ForHostError, got %v", err)
	}
	msg := err.Error()
	for _, w := range []string{"do not compile with the host's toolchain go1.27.3",
		"github.com/google/uuid: the plugins' go.mod has v1.3.0, the host links v1.6.0",
		"undefined: uuid.NewV9", "p/main.go:7:14"} {
		if !strings.Contains(msg, w) {
			t.Errorf("error does not say %q:\n%s", w, msg)
		}
	}
	if strings.Contains(msg, "example.com/other") {
		t.Errorf("names a module the compiler did not:\n%s", msg)
	}
	// Other errors pass through.
	plain := errors.New("boom")
	if fh.explainCompile(plain) != plain {
		t.Error("a non-compile error was rewritten")
	}
}

func TestExecName(t *testing.T) {
	for in, want := range map[string]string{
		"github.com/gotify/server/v2": "server",
		"example.com/gw/cmd/gw":       "gw",
		"example.com/x/v1":            "v1",
		"example.com/x/v0":            "v0",
		"example.com/x/v10":           "x",
		"example.com/x/v2beta":        "v2beta",
		"v2":                          "v2",
		"example.com/plugins/hello":   "hello",
	} {
		if got := execName(in); got != want {
			t.Errorf("execName(%q) = %q, want %q", in, got, want)
		}
	}
}

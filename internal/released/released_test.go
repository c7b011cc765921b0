package released

import (
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"testing"

	"golang.org/x/mod/modfile"
)

// testHost is a host as its build info would describe it: go1.27.3,
// trimpath, a (devel) main module example.com/gw linking uuid v1.6.0, a
// module the host replaced by another versioned one, and one replaced by
// a directory.
func testHost() *Host {
	h := &Host{
		Path: "gw", GoVersion: "go1.27.3",
		Settings: map[string]string{"-trimpath": "true", "CGO_ENABLED": "1", "GOAMD64": "v3", "-tags": "netgo", "GOOS": "linux", "GOARCH": "amd64"},
		Main:     debug.Module{Path: "example.com/gw", Version: "(devel)"},
		Deps:     map[string]*debug.Module{},
	}
	for _, d := range []*debug.Module{
		{Path: "github.com/google/uuid", Version: "v1.6.0", Sum: "h1:uuid160="},
		{Path: "example.com/forked", Version: "v1.0.0", Replace: &debug.Module{Path: "example.com/fork", Version: "v1.0.1", Sum: "h1:fork="}},
		{Path: "example.com/local", Version: "v0.0.0", Replace: &debug.Module{Path: "../local"}},
	} {
		h.Deps[d.Path] = d
	}
	return h
}

func writeModule(t *testing.T, gomod, gosum string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(gomod), 0o644); err != nil {
		t.Fatal(err)
	}
	if gosum != "" {
		if err := os.WriteFile(filepath.Join(dir, "go.sum"), []byte(gosum), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestWriteModFiles(t *testing.T) {
	const sum = "github.com/google/uuid v1.3.0 h1:old=\ngithub.com/google/uuid v1.3.0/go.mod h1:oldmod=\n"
	for _, tc := range []struct {
		name  string
		gomod string
		// want are lines the temporary go.mod must have, not lines it
		// must not have; pins "path was now"; notes substrings.
		want, not []string
		pins      []string
		notes     []string
	}{
		{
			name:  "older version pinned to the host's",
			gomod: "module example.com/plug\n\ngo 1.21\n\nrequire github.com/google/uuid v1.3.0\n",
			want:  []string{"go 1.21", "github.com/google/uuid v1.6.0", "replace github.com/google/uuid => github.com/google/uuid v1.6.0", "example.com/forked => example.com/fork v1.0.1"},
			not:   []string{"v1.3.0", "example.com/local"},
			pins:  []string{"github.com/google/uuid v1.3.0 v1.6.0"},
		},
		{
			name:  "toolchain line dropped, newer go lowered",
			gomod: "module example.com/plug\n\ngo 1.28.1\n\ntoolchain go1.28.2\n",
			want:  []string{"go 1.27.3"},
			not:   []string{"toolchain", "1.28"},
			notes: []string{"`toolchain go1.28.2` line is ignored", "go 1.28.1, newer than the host's go1.27.3"},
		},
		{
			name:  "the plugins' directory replace is overridden",
			gomod: "module example.com/plug\n\ngo 1.22\n\nrequire github.com/google/uuid v1.3.0\n\nreplace github.com/google/uuid => ../uuid\n\nreplace example.com/other => ../other\n",
			want:  []string{"replace github.com/google/uuid => github.com/google/uuid v1.6.0", "replace example.com/other => ../other"},
			not:   []string{"../uuid"},
			pins:  []string{"github.com/google/uuid v1.3.0 => ../uuid v1.6.0"},
			notes: []string{"replace of github.com/google/uuid by the directory ../uuid is overridden by the host's v1.6.0"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeModule(t, tc.gomod, sum)
			m, err := testHost().WriteModFiles(dir, "")
			if err != nil {
				t.Fatal(err)
			}
			defer os.RemoveAll(m.Dir)
			data, err := os.ReadFile(m.GoMod)
			if err != nil {
				t.Fatal(err)
			}
			got := string(data)
			if _, err := modfile.Parse("go.mod", data, nil); err != nil {
				t.Fatalf("temporary go.mod does not parse: %v\n%s", err, got)
			}
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("temporary go.mod lacks %q:\n%s", w, got)
				}
			}
			for _, n := range tc.not {
				if strings.Contains(got, n) {
					t.Errorf("temporary go.mod has %q:\n%s", n, got)
				}
			}
			var pins []string
			for _, p := range m.Pins {
				pins = append(pins, p.Path+" "+p.Was+" "+p.Now)
			}
			if !slices.Equal(pins, tc.pins) {
				t.Errorf("pins %q, want %q", pins, tc.pins)
			}
			notes := strings.Join(m.Notes, "\n")
			for _, n := range tc.notes {
				if !strings.Contains(notes, n) {
					t.Errorf("notes lack %q:\n%s", n, notes)
				}
			}
			s, _ := os.ReadFile(filepath.Join(m.Dir, "go.sum"))
			for _, w := range []string{sum, "github.com/google/uuid v1.6.0 h1:uuid160=", "example.com/fork v1.0.1 h1:fork="} {
				if !strings.Contains(string(s), w) {
					t.Errorf("temporary go.sum lacks %q:\n%s", w, s)
				}
			}
			if args := strings.Join(m.Args(), " "); args != "-mod=mod -modfile="+m.GoMod {
				t.Errorf("args %q", args)
			}
			// The user's files are untouched.
			if b, _ := os.ReadFile(filepath.Join(dir, "go.mod")); string(b) != tc.gomod {
				t.Errorf("go.mod changed:\n%s", b)
			}
			if b, _ := os.ReadFile(filepath.Join(dir, "go.sum")); string(b) != sum {
				t.Errorf("go.sum changed:\n%s", b)
			}
		})
	}
}

func TestWriteModFilesWorkspace(t *testing.T) {
	plug := writeModule(t, "module example.com/plug2\n\ngo 1.22\n\nrequire (\n\texample.com/gw v0.1.0\n\tgithub.com/google/uuid v1.5.0\n)\n", "")
	src := writeModule(t, "module example.com/gw\n\ngo 1.22\n", "github.com/google/uuid v1.6.0/go.mod h1:mod=\n")
	m, err := testHost().WriteModFiles(plug, src)
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(m.Dir)
	if m.GoMod != "" || m.GoWork == "" {
		t.Fatalf("want a go.work only: %+v", m)
	}
	data, _ := os.ReadFile(m.GoWork)
	w, err := modfile.ParseWork("go.work", data, nil)
	if err != nil {
		t.Fatalf("go.work does not parse: %v\n%s", err, data)
	}
	got := string(data)
	for _, want := range []string{"go 1.27.3",
		"replace github.com/google/uuid => github.com/google/uuid v1.6.0", "replace example.com/gw v0.1.0 => " + src} {
		if !strings.Contains(got, want) {
			t.Errorf("go.work lacks %q:\n%s", want, got)
		}
	}
	if len(w.Use) != 2 || w.Use[0].Path != plug || w.Use[1].Path != src {
		t.Errorf("uses %+v, want %s and %s", w.Use, plug, src)
	}
	if len(m.Pins) != 1 || m.Pins[0] != (Pin{Path: "github.com/google/uuid", Was: "v1.5.0", Now: "v1.6.0"}) {
		t.Errorf("pins %+v", m.Pins)
	}
	if env := strings.Join(m.Env(), " "); env != "GOWORK="+m.GoWork {
		t.Errorf("env %q", env)
	}
	sum, _ := os.ReadFile(filepath.Join(m.Dir, "go.work.sum"))
	if !strings.Contains(string(sum), "github.com/google/uuid v1.6.0/go.mod h1:mod=") || !strings.Contains(string(sum), "github.com/google/uuid v1.6.0 h1:uuid160=") {
		t.Errorf("go.work.sum lacks the host source's and the host's checksums:\n%s", sum)
	}

	// The wrong checkout is named.
	other := writeModule(t, "module example.com/other\n\ngo 1.22\n", "")
	if _, err := testHost().WriteModFiles(plug, other); err == nil || !strings.Contains(err.Error(), `is module "example.com/other", the host was built in module example.com/gw`) {
		t.Errorf("wrong --host-src: %v", err)
	}
}

func TestHostSettings(t *testing.T) {
	h := testHost()
	args := strings.Join(h.Args(), " ")
	for _, w := range []string{"-trimpath=true", "-race=false", "-tags=netgo", "-pgo=off", "-buildvcs=false"} {
		if !strings.Contains(args, w) {
			t.Errorf("args %q lack %s", args, w)
		}
	}
	env := strings.Join(h.Env("go1.26.8"), " ")
	for _, w := range []string{"GOTOOLCHAIN=go1.27.3", "GOAMD64=v3", "CGO_ENABLED=1", "GOFLAGS="} {
		if !strings.Contains(env, w) {
			t.Errorf("env %q lacks %s", env, w)
		}
	}
	if h.Toolchain("go1.27.3") != "local" {
		t.Error("the local toolchain of the host's version is not used")
	}
	if r := h.ModuleReason("example.com/gw"); !strings.Contains(r, "--host-src DIR") {
		t.Errorf("main module reason %q", r)
	}
	if r := h.ModuleReason("example.com/local"); !strings.Contains(r, "by the directory ../local") {
		t.Errorf("directory replacement reason %q", r)
	}
	if r := h.ModuleReason("github.com/google/uuid"); r != "" {
		t.Errorf("uuid reason %q", r)
	}
	if len(h.Limits()) != 0 {
		t.Errorf("limits %q", h.Limits())
	}
	h.Settings["-trimpath"] = "false"
	if l := h.Limits(); len(l) != 1 || !strings.Contains(l[0], "without -trimpath") {
		t.Errorf("limits %q", l)
	}
	if got := h.ModuleOf("github.com/google/uuid/internal/x"); got != "github.com/google/uuid" {
		t.Errorf("ModuleOf = %q", got)
	}
	if got := h.VersionOf("example.com/forked"); got != "v1.0.0 => example.com/fork v1.0.1" {
		t.Errorf("VersionOf = %q", got)
	}
}

func TestIsEnvName(t *testing.T) {
	for k, want := range map[string]bool{"GOAMD64": true, "CGO_CFLAGS": true, "GOARM64": true, "": false, "-race": false, "vcs.revision": false, "DefaultGODEBUG": false, "GOOS ": false} {
		if got := IsEnvName(k); got != want {
			t.Errorf("IsEnvName(%q) = %v, want %v", k, got, want)
		}
	}
}

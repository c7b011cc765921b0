package target

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// exe writes an executable file.
func exe(t *testing.T, path string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
}

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func foreign() Platform {
	if runtime.GOARCH == "arm64" {
		return Platform{"linux", "amd64"}
	}
	return Platform{"linux", "arm64"}
}

func TestCC(t *testing.T) {
	bin := t.TempDir()
	p := foreign()
	a := arches[p.GOARCH]
	exe(t, filepath.Join(bin, a.triple+"-gcc"))
	empty := t.TempDir()
	key := "CC_FOR_linux_" + p.GOARCH
	tests := []struct {
		name    string
		p       Platform
		env     map[string]string
		want    string
		wantErr string // substring of the error and its fix
	}{
		{"native: the go command's choice", Native(), map[string]string{"CC": "clang"}, "", ""},
		{"platform variable first", p, map[string]string{key: "my-cc", "CC_FOR_TARGET": "t-cc", "CC": "cc", "PATH": bin}, "my-cc", ""},
		{"CC_FOR_TARGET before CC", p, map[string]string{"CC_FOR_TARGET": "t-cc", "CC": "cc"}, "t-cc", ""},
		{"CC", p, map[string]string{"CC": "zig cc -target aarch64-linux-gnu"}, "zig cc -target aarch64-linux-gnu", ""},
		{"Debian cross compiler on PATH", p, map[string]string{"PATH": bin}, a.triple + "-gcc", ""},
		{"none on PATH", p, map[string]string{"PATH": empty}, "", a.triple + "-gcc is not on PATH"},
		{"unknown platform", Platform{"linux", "mips"}, map[string]string{"PATH": bin}, "", "knows no cross compiler"},
	}
	for _, tt := range tests {
		got, err := CC(env(tt.env), tt.p)
		if tt.wantErr != "" {
			var ce *CCError
			if !errors.As(err, &ce) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%s: err = %v, want a CCError with %q", tt.name, err, tt.wantErr)
				continue
			}
			if !strings.Contains(err.Error(), tt.p.String()) || !strings.Contains(ce.Fix(), "CC_FOR_linux_"+tt.p.GOARCH) {
				t.Errorf("%s: %v / %s: want the platform and the variable named", tt.name, err, ce.Fix())
			}
			if ce.Package != "" && !strings.Contains(ce.Fix(), "apt-get install "+ce.Package) {
				t.Errorf("%s: fix %q does not name the package", tt.name, ce.Fix())
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%s: CC = %q, %v; want %q", tt.name, got, err, tt.want)
		}
	}
}

func TestFindEmulator(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("emulators are looked for on linux only")
	}
	p := foreign()
	a := arches[p.GOARCH]
	root, bin, binfmt := t.TempDir(), t.TempDir(), t.TempDir()
	defer func(r, b string) { sysRoot, binfmtDir = r, b }(sysRoot, binfmtDir)
	sysRoot, binfmtDir = root, binfmt
	qemu := filepath.Join(bin, "qemu-"+a.qemu)

	if _, err := FindEmulator(env(map[string]string{"PATH": bin}), p); err == nil || !strings.Contains(err.Error(), "qemu-"+a.qemu+" is not on PATH") {
		t.Fatalf("no emulator: err = %v", err)
	}
	exe(t, qemu)
	if _, err := FindEmulator(env(map[string]string{"PATH": bin}), p); err == nil || !strings.Contains(err.Error(), "apt-get install "+a.pkg) {
		t.Fatalf("no C library: err = %v", err)
	}
	exe(t, filepath.Join(root, "usr", a.triple, "lib", a.loader))
	e, err := FindEmulator(env(map[string]string{"PATH": bin}), p)
	if err != nil || e.Path != qemu || e.Root != filepath.Join(root, "usr", a.triple) || e.Via != "PATH" {
		t.Fatalf("FindEmulator = %+v, %v", e, err)
	}
	want := []string{qemu, "-L", e.Root, "-0", "/opt/host", "/cache/probe"}
	if got := e.Args("/opt/host", "/cache/probe"); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("Args = %q, want %q", got, want)
	}

	// binfmt_misc: its interpreter, when enabled.
	os.Remove(qemu)
	interp := filepath.Join(t.TempDir(), "qemu-"+a.qemu+"-static")
	exe(t, interp)
	entry := filepath.Join(binfmt, "qemu-"+a.qemu)
	os.WriteFile(entry, []byte("disabled\ninterpreter "+interp+"\nflags: F\n"), 0o644)
	if _, err := FindEmulator(env(map[string]string{"PATH": bin}), p); err == nil {
		t.Errorf("a disabled binfmt_misc entry was used")
	}
	os.WriteFile(entry, []byte("enabled\ninterpreter "+interp+"\nflags: F\n"), 0o644)
	if e, err := FindEmulator(env(map[string]string{"PATH": bin}), p); err != nil || e.Path != interp || e.Via != "binfmt_misc" {
		t.Errorf("binfmt_misc: %+v, %v", e, err)
	}
}

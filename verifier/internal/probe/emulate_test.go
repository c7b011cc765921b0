package probe

import (
	"debug/buildinfo"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
	"time"
)

// TestEmulate checks how a probe of a host of another platform is
// started: through a script that runs it under the emulator with the
// host's path as argv[0], with scaled timeouts; and that without an
// emulator the dynamic check cannot run, saying why.
func TestEmulate(t *testing.T) {
	if _, err := os.Stat("/usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1"); err != nil || runtime.GOARCH == "arm64" {
		t.Skip("needs an amd64 machine with the arm64 C library (apt-get install crossbuild-essential-arm64)")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "bin")
	os.Mkdir(bin, 0o755)
	p := &Probe{Path: filepath.Join(dir, "probe"), Host: "/opt/gw it's/gw", HostInfo: &buildinfo.BuildInfo{
		Settings: []debug.BuildSetting{{Key: "GOOS", Value: "linux"}, {Key: "GOARCH", Value: "arm64"}},
	}}
	var ce *CannotRunError
	if err := p.Emulate([]string{"PATH=" + bin}); !errors.As(err, &ce) || !strings.Contains(err.Error(), "qemu-aarch64 is not on PATH") || !strings.Contains(err.Error(), "linux/arm64") {
		t.Fatalf("no emulator: err = %v", err)
	}
	if p.exe() != p.Path || p.scaled(time.Second) != time.Second {
		t.Fatalf("without an emulator the probe runs as is")
	}
	qemu := filepath.Join(bin, "qemu-aarch64")
	os.WriteFile(qemu, []byte("#!/bin/sh\necho \"$@\"\n"), 0o755)
	if err := p.Emulate([]string{"PATH=" + bin}); err != nil {
		t.Fatal(err)
	}
	if p.exe() == p.Path || p.scaled(time.Second) != EmulationFactor*time.Second {
		t.Fatalf("exe %s, scaled %v", p.exe(), p.scaled(time.Second))
	}
	// The script hands the probe's arguments to the emulator, quoted.
	b, err := exec.Command(p.exe(), "ns", "a b").Output()
	if err != nil {
		t.Fatal(err)
	}
	out := string(b)
	want := "-L /usr/aarch64-linux-gnu -0 /opt/gw it's/gw " + p.Path + " ns a b\n"
	if out != want {
		t.Errorf("the script ran %q, want %q", out, want)
	}

	// A native host needs none.
	n := &Probe{Path: p.Path, HostInfo: &buildinfo.BuildInfo{Settings: []debug.BuildSetting{{Key: "GOARCH", Value: runtime.GOARCH}}}}
	if err := n.Emulate([]string{"PATH=" + bin}); err != nil || n.exe() != n.Path {
		t.Errorf("native: %v, %s", err, n.exe())
	}
}

package builder

import (
	"runtime"
	"strings"
	"testing"

	"github.com/pluginctl/pluginctl/internal/artifact"
	"github.com/pluginctl/pluginctl/internal/gocmd"
	"github.com/pluginctl/pluginctl/internal/released"
)

func TestTargetEnv(t *testing.T) {
	arm := &forHost{o: &ForHost{Host: "gw"}, host: &released.Host{File: &artifact.File{BuildTarget: artifact.Target{GOOS: "linux", GOARCH: "arm64"}}}}
	tests := []struct {
		goos, goarch string
		fh           *forHost
		want, err    string
	}{
		{"", "", nil, "", ""},
		{"", "arm64", nil, "GOARCH=arm64", ""},
		{"linux", "riscv64", nil, "GOOS=linux GOARCH=riscv64", ""},
		{"", "arm64", arm, "", ""}, // the host's own: its environment says it
		{"", "amd64", arm, "", "--goos/--goarch /amd64 contradict the host gw, which is built for linux/arm64"},
	}
	for _, tt := range tests {
		o := &Options{GOOS: tt.goos, GOARCH: tt.goarch}
		env, err := o.targetEnv(tt.fh)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%s/%s: err = %v, want %q", tt.goos, tt.goarch, err, tt.err)
			}
			continue
		}
		if err != nil || strings.Join(env, " ") != tt.want {
			t.Errorf("%s/%s: env = %q, %v; want %q", tt.goos, tt.goarch, env, err, tt.want)
		}
	}
}

func TestCrossCC(t *testing.T) {
	if runtime.GOARCH == "arm64" {
		t.Skip("linux/arm64 is this machine's platform")
	}
	bin := t.TempDir()
	g := &gocmd.Go{Env: []string{"PATH=" + bin}}
	if cc, err := crossCC(g, &gocmd.Env{GOOS: "linux", GOARCH: "arm64"}); err == nil || cc != "" ||
		!strings.Contains(err.Error(), "building for linux/arm64: no C compiler") || !strings.Contains(err.Error(), "apt-get install crossbuild-essential-arm64") {
		t.Errorf("no compiler: %q, %v", cc, err)
	}
	g.Env = append(g.Env, "CC=/no/such/cc -O2")
	if _, err := crossCC(g, &gocmd.Env{GOOS: "linux", GOARCH: "arm64"}); err == nil || !strings.Contains(err.Error(), `the C compiler "/no/such/cc" (CC=/no/such/cc -O2) is not found`) {
		t.Errorf("CC not found: %v", err)
	}
}

func TestCheckHostPlatform(t *testing.T) {
	h := &released.Host{File: &artifact.File{ELFTarget: artifact.Target{GOOS: "linux", GOARCH: "amd64"}, BuildTarget: artifact.Target{GOOS: "linux", GOARCH: "arm64"}}}
	if err := checkHostPlatform("gw", h); err == nil || !strings.Contains(err.Error(), "its ELF header is for amd64, its build info says GOARCH=arm64") {
		t.Errorf("err = %v", err)
	}
	h.File.ELFTarget.GOARCH = "arm64"
	if err := checkHostPlatform("gw", h); err != nil {
		t.Errorf("err = %v", err)
	}
}

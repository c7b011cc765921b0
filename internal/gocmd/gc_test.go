package gocmd

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pluginctl/pluginctl/internal/fixture"
)

func TestGCEnv(t *testing.T) {
	limit := memLimit()
	if limit == 0 {
		t.Skip("this machine's memory is not known: gcEnv leaves every environment as it is")
	}
	ours := []string{"GOGC=" + GOGC, "GOMEMLIMIT=" + strconv.FormatUint(limit, 10)}
	for _, tc := range []struct {
		name string
		env  []string
		want []string
	}{
		{"neither set", []string{"PATH=/bin"}, append([]string{"PATH=/bin"}, ours...)},
		{"empty environment", nil, ours},
		{"user's GOGC", []string{"GOGC=50", "PATH=/bin"}, []string{"GOGC=50", "PATH=/bin"}},
		{"user's GOGC off", []string{"GOGC=off"}, []string{"GOGC=off"}},
		{"user's empty GOGC", []string{"GOGC="}, []string{"GOGC="}},
		{"user's GOMEMLIMIT", []string{"GOMEMLIMIT=1GiB"}, []string{"GOMEMLIMIT=1GiB"}},
		{"a longer name is not GOGC", []string{"GOGCX=1"}, append([]string{"GOGCX=1"}, ours...)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := gcEnv(slices.Clone(tc.env)); !slices.Equal(got, tc.want) {
				t.Errorf("gcEnv(%q) = %q, want %q", tc.env, got, tc.want)
			}
		})
	}
}

// TestPackagesEnvGC: go/packages' go commands get the same setting as
// the ones Command starts.
func TestPackagesEnvGC(t *testing.T) {
	if memLimit() == 0 {
		t.Skip("this machine's memory is not known: pluginctl leaves GOGC alone")
	}
	env, err := (&Go{Env: []string{"PATH=/bin"}}).PackagesEnv(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(env, "GOGC="+GOGC) {
		t.Errorf("PackagesEnv = %q, want GOGC=%s in it", env, GOGC)
	}
	env, err = (&Go{Env: []string{"PATH=/bin", "GOGC=100"}}).PackagesEnv(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(env, "GOGC="+GOGC) {
		t.Errorf("PackagesEnv = %q: the user's GOGC=100 was overridden", env)
	}
}

func TestLimitFor(t *testing.T) {
	for _, tc := range []struct {
		total uint64
		cpus  int
		want  uint64
	}{
		{24 << 30, 2, 12 << 30},
		{4 << 30, 4, 1 << 30},
		{0, 2, 0},
		{8 << 30, 0, 0},
	} {
		if got := limitFor(tc.total, tc.cpus); got != tc.want {
			t.Errorf("limitFor(%d, %d) = %d, want %d", tc.total, tc.cpus, got, tc.want)
		}
	}
}

// TestGCSharedCache builds a package of a module of its own with the
// go command as pluginctl runs it, then with the user's plain environment:
// the second build must find the package compiled in go's cache, so that
// the garbage collector setting costs users none of their cache.
func TestGCSharedCache(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go build")
	}
	if memLimit() == 0 {
		t.Skip("this machine's memory is not known: pluginctl leaves GOGC alone")
	}
	dir := t.TempDir()
	// The time makes the package new to go's cache: the first build
	// must compile it.
	fixture.WriteFiles(t, dir, map[string]string{
		"go.mod":     "module example.com/gcshared\n\ngo 1.21\n",
		"greet/g.go": "package greet\n\nfunc Hello() string { return \"hello, " + strconv.FormatInt(time.Now().UnixNano(), 10) + "\" }\n",
		"cmd/m/m.go": "package main\n\nimport \"example.com/gcshared/greet\"\n\nfunc main() { println(greet.Hello()) }\n",
	})
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GOGC=") && !strings.HasPrefix(kv, "GOMEMLIMIT=") {
			env = append(env, kv)
		}
	}
	ctx := context.Background()
	build := func(g *Go) string {
		t.Helper()
		cmd, err := g.Command(ctx, "build", "-x", "-trimpath", "-o", filepath.Join(dir, "m"), "./cmd/m")
		if err != nil {
			t.Fatal(err)
		}
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("go build: %v\n%s", err, out)
		}
		return string(out)
	}
	g := &Go{Dir: dir, Env: env}
	cmd, err := g.Command(ctx, "build")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(cmd.Env, "GOGC="+GOGC) {
		t.Fatalf("pluginctl's go command runs without GOGC=%s: %q", GOGC, cmd.Env)
	}
	if first := build(g); !strings.Contains(first, "-p example.com/gcshared/greet") {
		t.Fatalf("the first build did not compile example.com/gcshared/greet:\n%s", first)
	}
	// The user's own go build: GOGC=100 is Go's default, set explicitly
	// so that gcEnv leaves it alone.
	user := &Go{Dir: dir, Env: append(slices.Clone(env), "GOGC=100")}
	if second := build(user); strings.Contains(second, "-p example.com/gcshared/greet") {
		t.Errorf("a build with Go's default GOGC compiled example.com/gcshared/greet again: GOGC changed go's cache key\n%s", second)
	}
}

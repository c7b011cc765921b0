package builder

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/pluginctl/pluginctl/internal/fixture"
	"github.com/pluginctl/pluginctl/pluginapi"
)

// writeModule writes a small module with a host and two plugins that use
// no dependencies, so the tests need no network and no go.sum.
func writeModule(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"go.mod":           "module example.com/m\n\ngo 1.26.0\n",
		"cmd/host/main.go": "package main\n\nimport \"plugin\"\n\nfunc main() { plugin.Open(\"x\") }\n",
		"plugins/a/a.go":   "package main\n\nfunc New() int { return 1 }\n",
		"plugins/b/b.go":   "package main\n\nfunc New() int { return 2 }\n",
	}
	fixture.WriteFiles(t, dir, files)
	return dir
}

func TestMatchPattern(t *testing.T) {
	for _, tc := range []struct {
		pat, pkg string
		want     bool
	}{
		{"example.com/m/...", "example.com/m", true},
		{"example.com/m/...", "example.com/m/plugins/a", true},
		{"example.com/m/...", "example.com/mx", false},
		{"example.com/.../a", "example.com/m/plugins/a", true},
		{"example.com/.../a", "example.com/m/plugins/ab", false},
		{"example.com/m/plugins/a", "example.com/m/plugins/a", true},
		{"example.com/m/plugins/a", "example.com/m/plugins/ab", false},
	} {
		p := pkgStub(tc.pkg, "/nowhere")
		if got := matchPattern(tc.pat, p, filepath.Clean); got != tc.want {
			t.Errorf("matchPattern(%q, %q) = %v, want %v", tc.pat, tc.pkg, got, tc.want)
		}
	}
	abs := func(p string) string { return filepath.Join("/m", p) }
	for _, tc := range []struct {
		pat, dir string
		want     bool
	}{
		{"./plugins/...", "/m/plugins/a", true},
		{"./plugins/...", "/m/plugins", true},
		{"./plugins/...", "/m/pluginsx", false},
		{"./plugins/a", "/m/plugins/a", true},
		{".", "/m", true},
	} {
		if got := matchPattern(tc.pat, pkgStub("x", tc.dir), abs); got != tc.want {
			t.Errorf("matchPattern(%q, dir %q) = %v, want %v", tc.pat, tc.dir, got, tc.want)
		}
	}
}

func TestCheckGOFLAGS(t *testing.T) {
	for _, tc := range []struct {
		goflags string
		ok      bool
	}{
		{"", true},
		{"-buildvcs=false", true},
		{"-mod=readonly -v", true},
		{"-mod=mod", false},
		{"-buildmode=pie", false},
		{"-modfile=x.mod", false},
	} {
		if err := checkGOFLAGS(tc.goflags); (err == nil) != tc.ok {
			t.Errorf("checkGOFLAGS(%q) = %v, want ok=%v", tc.goflags, err, tc.ok)
		}
	}
}

func TestMetadataSourceIsDeterministic(t *testing.T) {
	m := baseMeta()
	a, err := metadataSource(m, pluginapi.ImportPath)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := metadataSource(m, pluginapi.ImportPath)
	if !bytes.Equal(a, b) {
		t.Fatal("metadata source differs between two calls")
	}
	if !bytes.Contains(a, []byte(`"api_version\":\"" + pluginctlapi.APIVersion + "\"`)) {
		t.Errorf("APIVersion is not taken from the API package:\n%s", a)
	}
	if bytes.Contains(a, []byte(os.TempDir())) {
		t.Errorf("metadata mentions a temporary path:\n%s", a)
	}
}

// TestLockSerializes holds the output directory's lock and checks that a
// build waits for it, says so, and then completes.
func TestLockSerializes(t *testing.T) {
	if testing.Short() {
		t.Skip("builds plugins")
	}
	dir := writeModule(t)
	out := filepath.Join(dir, "bin")
	os.MkdirAll(out, 0o755)
	f, err := os.OpenFile(filepath.Join(out, lockName), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	var log syncBuffer
	done := make(chan error, 1)
	go func() {
		_, err := Build(context.Background(), Options{Dir: dir, Log: &log, CacheDir: "off"})
		done <- err
	}()
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(log.String(), "waiting for another pluginctl build") {
		if time.Now().After(deadline) {
			t.Fatalf("build did not wait for the lock; log:\n%s", log.String())
		}
		select {
		case err := <-done:
			t.Fatalf("build finished while the lock was held: %v", err)
		case <-time.After(20 * time.Millisecond):
		}
	}
	f.Close() // releases the lock
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(out, "plugins", "a.so")); err != nil {
		t.Fatal(err)
	}
}

// TestInterruptLeavesPreviousSet cancels a build midway and checks that
// the previous artifacts and manifest are exactly as they were.
func TestInterruptLeavesPreviousSet(t *testing.T) {
	if testing.Short() {
		t.Skip("builds plugins")
	}
	dir := writeModule(t)
	if _, err := Build(context.Background(), Options{Dir: dir, CacheDir: "off"}); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, filepath.Join(dir, "bin"))
	// Change every plugin so that the next build must relink them all.
	for _, p := range []string{"plugins/a/a.go", "plugins/b/b.go"} {
		os.WriteFile(filepath.Join(dir, p), []byte("package main\n\nfunc New() int { return 3 }\n"), 0o644)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var log syncBuffer
	done := make(chan error, 1)
	go func() {
		_, err := Build(ctx, Options{Dir: dir, Log: &log, CacheDir: "off", Jobs: 1})
		done <- err
	}()
	// Cancel as soon as the first artifact is being built into the
	// staging folder, before the set is committed (the "built" lines of
	// the log come only after the commit).
	for {
		staged, _ := filepath.Glob(filepath.Join(dir, "bin", stagePrefix+"*", "plugins", "*.so"))
		if len(staged) > 0 {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	if err := <-done; err == nil {
		t.Fatal("cancelled build reported success")
	}
	if strings.Contains(log.String(), "built ") {
		t.Errorf("the log of an interrupted build claims files were written:\n%s", log.String())
	}
	after := snapshot(t, filepath.Join(dir, "bin"))
	for name, sum := range before {
		if after[name] != sum {
			t.Errorf("%s changed by an interrupted build", name)
		}
	}
	for name := range after {
		if _, ok := before[name]; !ok {
			t.Errorf("interrupted build left %s behind", name)
		}
	}
}

func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	m := map[string]string{}
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() == lockName {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		m[rel] = string(data)
		return nil
	})
	return m
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

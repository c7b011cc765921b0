package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/pluginctl/pluginctl/internal/fixture"
	"github.com/pluginctl/pluginctl/internal/fsutil"
	"github.com/pluginctl/pluginctl/internal/manifest"
)

// TestCheckReadsNothingItWrote: check is one pipeline in one process: the
// verification gets the manifest and what was read from each artifact from
// the build, and reads back none of the files the same run wrote (the
// manifest, the artifacts' facts, the sums); its probe child and the go
// commands do not count. On a module that imports nothing of pluginctl.
func TestCheckReadsNothingItWrote(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a module")
	}
	mod := fixture.GenerateModule(t, t.TempDir(), 2, fixture.Module{})
	for k, v := range map[string]string{"GOFLAGS": "", "GOWORK": "off", "GOTOOLCHAIN": "local", "CGO_ENABLED": "1", "PLUGINCTL_CACHE": t.TempDir()} {
		t.Setenv(k, v)
	}
	t.Chdir(mod)

	var mu sync.Mutex
	// The manifest is written to a staging folder and moved into place:
	// it counts as written from the start (the build's reads of a previous
	// manifest find none).
	written := map[string]bool{filepath.Join(mod, "bin", manifest.FileName): true}
	var readBack []string
	fsutil.Trace = func(op, name string) {
		abs, _ := filepath.Abs(name)
		mu.Lock()
		defer mu.Unlock()
		if op == "write" {
			written[abs] = true
		} else if _, err := os.Stat(abs); err == nil && written[abs] {
			readBack = append(readBack, abs)
		}
	}
	defer func() { fsutil.Trace = nil }()

	var stdout, stderr bytes.Buffer
	err := Run(context.Background(), []string{"check", "./..."}, IO{Stdout: &stdout, Stderr: &stderr})
	if err != nil {
		t.Fatalf("check: %v\nstdout:\n%s\nstderr:\n%s", err, &stdout, &stderr)
	}
	if r := stdout.String(); !strings.Contains(r, "2 passed") || !strings.Contains(r, "checks: static, dynamic") {
		t.Fatalf("want both plugins passed by both checks:\n%s", r)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(written) < 4 { // the manifest, facts of 3 artifacts, sums
		t.Fatalf("the hook saw %d files written: it does not see the build", len(written))
	}
	if _, err := os.Stat(filepath.Join(mod, "bin", manifest.FileName)); err != nil {
		t.Fatal(err)
	}
	slices.Sort(readBack)
	if readBack = slices.Compact(readBack); len(readBack) > 0 {
		t.Errorf("check read back %d file(s) it wrote itself:\n\t%s", len(readBack), strings.Join(readBack, "\n\t"))
	}
}

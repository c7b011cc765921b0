package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/pluginctl/pluginctl/internal/gocmd"
)

// TestVerifyStaticMemory: verify's memory is bounded by the artifacts it
// reads at once (--jobs), not by their total (issue 13). 500 plugins of
// 5 MB (hard links to one file: no disk needed, but each is read as its
// own artifact) must verify in under 500 MB resident; holding them all
// would take 2.5 GB.
func TestVerifyStaticMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a plugin")
	}
	dir := t.TempDir()
	blob := make([]byte, 5<<20)
	rand.Read(blob)
	files := map[string]string{
		"go.mod":     "module example.com/big\n\ngo 1.26.0\n",
		"api/api.go": "package api\n\nconst APIVersion = \"v3\"\n\ntype Plugin interface{ Name() string }\n",
	}
	files["plugins/big/big.go"] = "package main\n\nimport (\n\t_ \"embed\"\n\t\"strconv\"\n\n\t\"example.com/big/api\"\n)\n\n//go:embed blob.bin\nvar blob []byte\n\ntype p struct{}\n\nfunc (p) Name() string { return strconv.Itoa(len(blob)) }\n\nfunc New() api.Plugin { return p{} }\n"
	for name, content := range files {
		writeFile(t, filepath.Join(dir, name), []byte(content))
	}
	writeFile(t, filepath.Join(dir, "plugins/big/blob.bin"), blob)

	so := filepath.Join(dir, "big.so")
	g := &gocmd.Go{Dir: dir}
	cmd, err := g.With("CGO_ENABLED=1").Command(context.Background(), "build", "-buildmode=plugin", "-o", so, "./plugins/big")
	if err != nil {
		t.Fatal(err)
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	fi, err := os.Stat(so)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Size() < 5<<20 {
		t.Fatalf("plugin is %d bytes, want at least 5 MB", fi.Size())
	}
	set := filepath.Join(dir, "set")
	if err := os.Mkdir(set, 0o755); err != nil {
		t.Fatal(err)
	}
	const n = 500
	for i := range n {
		if err := os.Link(so, filepath.Join(set, fmt.Sprintf("p%03d.so", i))); err != nil {
			t.Fatal(err)
		}
	}

	// Run the command as testscript does: this test binary, named pluginctl.
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "bin")
	os.Mkdir(bin, 0o755)
	if err := os.Symlink(self, filepath.Join(bin, "pluginctl")); err != nil {
		t.Fatal(err)
	}
	run := exec.Command(filepath.Join(bin, "pluginctl"), "verify", "--static", "--jobs", "2", "--format", "json", set)
	run.Env = append(os.Environ(), "PLUGINCTL_CACHE=off")
	out, err := run.Output()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 { // the copies are duplicates of each other
		t.Fatalf("verify: %v (want exit status 1)\n%.2000s", err, out)
	}
	maxrss := run.ProcessState.SysUsage().(*syscall.Rusage).Maxrss // KiB on Linux
	mb := maxrss / 1024
	t.Logf("verify --static --jobs 2 of %d artifacts of %.1f MB (%.1f GB in total): %d MB resident at most",
		n, float64(fi.Size())/(1<<20), float64(n)*float64(fi.Size())/(1<<30), mb)
	if mb >= 500 {
		t.Errorf("verify --static used %d MB resident for %d artifacts of %d bytes: memory grows with the total size", mb, n, fi.Size())
	}
}

func writeFile(t *testing.T, name string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

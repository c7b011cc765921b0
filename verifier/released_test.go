package verifier

import (
	"bytes"
	"context"
	"debug/elf"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pluginctl/pluginctl/internal/artifact"
	"github.com/pluginctl/pluginctl/internal/diag"
	"github.com/pluginctl/pluginctl/internal/fixture"
	"github.com/pluginctl/pluginctl/internal/gocmd"
)

// TestReleasedStaticFallback verifies against a host whose toolchain
// cannot be had (its build info says go1.99.9, a version the module proxy
// does not serve), where its source is not: no probe can stand in for it,
// so verify reports the static check alone and says why, instead of
// failing with an environment error.
func TestReleasedStaticFallback(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the example host and a plugin")
	}
	host := fixture.HostBinary(t, fixture.Example)
	hf, err := artifact.Read(host)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(host)
	if err != nil {
		t.Fatal(err)
	}
	const fake = "go1.99.9"
	have := hf.BuildInfo.GoVersion
	if len(have) != len(fake) {
		t.Skipf("the local version %s is not %d bytes long", have, len(fake))
	}
	ef, err := elf.NewFile(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	sec := ef.Section(".go.buildinfo")
	if sec == nil {
		t.Fatal("no .go.buildinfo")
	}
	b := data[sec.Offset : sec.Offset+sec.Size]
	i := bytes.Index(b, []byte(have))
	if i < 0 {
		t.Fatalf("no %s in .go.buildinfo", have)
	}
	copy(b[i:], fake)
	dir := t.TempDir()
	patched := filepath.Join(dir, "host")
	if err := os.WriteFile(patched, data, 0o755); err != nil {
		t.Fatal(err)
	}
	if f, err := artifact.Read(patched); err != nil || f.BuildInfo.GoVersion != fake {
		t.Fatalf("patched host: %v %v", f, err)
	}

	plugin := fixture.Build(t, "good")
	empty := t.TempDir() // no source here
	r, err := Verify(context.Background(), Options{
		Host: patched, Dir: empty, Go: &gocmd.Go{Dir: empty, Env: fixture.Env()}, CacheDir: t.TempDir(),
	}, []string{plugin})
	if err != nil {
		t.Fatalf("want a report with the static check, got %v", err)
	}
	if !slices.Equal(r.Checks, []diag.Check{diag.Static}) {
		t.Errorf("checks %v, want static only", r.Checks)
	}
	notes := strings.Join(r.Notes, "\n")
	for _, w := range []string{"the dynamic check cannot mirror host", "go1.99.9", "only the static check ran"} {
		if !strings.Contains(notes, w) {
			t.Errorf("notes do not say %q:\n%s", w, notes)
		}
	}
	// The static verdict stands: another toolchain than the plugin's.
	if got := errorCodes(r.Artifacts[0]); !slices.Contains(got, string(GoVersionMismatch)) {
		t.Errorf("codes %v, want go-version-mismatch", got)
	}
}

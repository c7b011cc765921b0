package probe

import (
	"os"
	"path/filepath"
	"testing"
)

// TestAddressSpaceGrowsWithTheSet: the probe's address-space limit leaves
// room for every artifact it opens, so a folder its host loads is not
// refused for its size (a fixed 8 GiB refused 200 plugins of 15 MiB).
func TestAddressSpaceGrowsWithTheSet(t *testing.T) {
	dir := t.TempDir()
	var paths []string
	for i, size := range []int64{1 << 20, 15 << 20} {
		p := filepath.Join(dir, string(rune('a'+i))+".so")
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Truncate(p, size); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	const base = 8 << 30
	if got := addressSpace(base, nil); got != base {
		t.Errorf("no artifacts: %d, want the base %d", got, base)
	}
	want := uint64(base + 3*(1<<20) + 16<<20 + 3*(15<<20) + 16<<20)
	if got := addressSpace(base, paths); got != want {
		t.Errorf("two artifacts: %d, want %d", got, want)
	}
	// 200 plugins of 15 MiB, each taking about 41 MiB once opened (measured
	// with net/http plugins), on top of the runtime's 1.5 GiB: the limit
	// must exceed what the host itself uses.
	many := make([]string, 200)
	for i := range many {
		many[i] = paths[1]
	}
	if got, need := addressSpace(base, many), uint64(1536<<20+200*(41<<20)); got < need {
		t.Errorf("200 plugins of 15 MiB: limit %d MiB, below the %d MiB their host maps", got>>20, need>>20)
	}
}

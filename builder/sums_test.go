package builder

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/pluginctl/pluginctl/internal/sumcache"
)

// TestSumsSurviveTheBuild: the sum of every artifact written is found by
// the file's identity once the build is over (the staging folder's links
// are gone: removing them changes the change time), after a first build
// and after a build with nothing changed, which reads no artifact back
// and writes the same manifest. verify relies on it.
func TestSumsSurviveTheBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("builds plugins")
	}
	dir := writeModule(t)
	sums := sumcache.Cache{Dir: filepath.Join(t.TempDir(), "sums")}
	o := Options{Dir: dir, CacheDir: "off", Sums: sums}
	check := func(res *Result) {
		t.Helper()
		for _, a := range res.Manifest.Artifacts {
			path := filepath.Join(dir, "bin", filepath.FromSlash(a.Path))
			if got, _, ok := sums.Lookup(path); !ok || got != a.SHA256 {
				t.Errorf("%s: remembered sum %q (found %v), manifest says %s", a.Path, got, ok, a.SHA256)
			}
		}
	}
	first, err := Build(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	check(first)
	manifest, err := os.ReadFile(first.ManifestPath)
	if err != nil {
		t.Fatal(err)
	}
	second, err := Build(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if second.Relinked != 0 {
		t.Errorf("nothing changed, %d relinked", second.Relinked)
	}
	check(second)
	if again, _ := os.ReadFile(second.ManifestPath); string(again) != string(manifest) {
		t.Errorf("the manifest of a build with nothing changed differs:\n%s\n%s", manifest, again)
	}
}

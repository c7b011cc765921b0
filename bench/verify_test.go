package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/pluginctl/pluginctl/builder"
	"github.com/pluginctl/pluginctl/internal/fixture"
	"github.com/pluginctl/pluginctl/internal/sumcache"
	"github.com/pluginctl/pluginctl/verifier"
)

// BenchmarkVerify compares `pluginctl verify` (static only, and full:
// static plus one isolated child per artifact, in parallel) with the
// baseline of one host process that plugin.Opens every plugin in a loop,
// in the same run, for N plugins.
func BenchmarkVerify(b *testing.B) {
	for _, n := range []int{10, 50} {
		b.Run(fmt.Sprintf("plugins=%d", n), func(b *testing.B) {
			mod := fixture.GenerateModule(b, b.TempDir(), n)
			// As on the command line, the build tells the checksum cache
			// what it wrote, so that verify need not hash the files again.
			sums := sumcache.Cache{Dir: b.TempDir()}
			res, err := builder.Build(context.Background(), builder.Options{Dir: mod, Out: "bin", Sums: sums})
			if err != nil {
				b.Fatal(err)
			}
			host := filepath.Join(mod, "bin", "host")
			var plugins []string
			for _, a := range res.Manifest.Artifacts {
				if a.Kind == "plugin" {
					plugins = append(plugins, filepath.Join(mod, "bin", filepath.FromSlash(a.Path)))
				}
			}
			verify := func(static bool, sums sumcache.Cache) time.Duration {
				start := time.Now()
				r, err := verifier.Verify(context.Background(), verifier.Options{Host: host, Static: static, Dir: mod, Sums: sums}, plugins)
				if err != nil {
					b.Fatal(err)
				}
				if r.Failed() {
					b.Fatalf("verification failed: %+v", r.Artifacts)
				}
				return time.Since(start)
			}
			verify(false, sumcache.Cache{}) // builds and caches the probe: not part of the measurement
			for i := 0; i < b.N; i++ {
				start := time.Now()
				run(b, mod, os.Environ(), host, plugins...)
				baseline := time.Since(start)
				static := verify(true, sums)
				full := verify(false, sums)
				fullHashing := verify(false, sumcache.Cache{})
				b.ReportMetric(baseline.Seconds()*1000, "baseline-ms")
				b.ReportMetric(static.Seconds()*1000, "static-ms")
				b.ReportMetric(static.Seconds()*1000/float64(n), "static-ms/artifact")
				b.ReportMetric(full.Seconds()*1000, "full-ms")
				b.ReportMetric(ratio(full, baseline), "full/baseline")
				b.ReportMetric(ratio(fullHashing, baseline), "full-hashing/baseline")
				b.ReportMetric(ratio(static, baseline), "static/baseline")
				b.ReportMetric(ratio(full, static), "full/static")
			}
		})
	}
}

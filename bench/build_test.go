// Package bench measures pluginctl against the plain go command baseline,
// in the same run, on generated modules. Run it with
//
//	go test -run '^$' -bench . -benchtime 1x ./bench
//
// (see README.md, "Benchmarks"). The benchmarks report ratios: pluginctl's
// time divided by the baseline's.
package bench

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/pluginctl/pluginctl/builder"
	"github.com/pluginctl/pluginctl/internal/fixture"
)

// BenchmarkBuild compares `pluginctl build` with a sequential shell loop
// of go build (the host, then each plugin: what a Makefile does) for N
// plugins: cold caches, a warm cache with an empty bin/ (a CI runner with
// a cache), and nothing changed.
func BenchmarkBuild(b *testing.B) {
	pluginctl := buildPluginctl(b)
	for _, n := range []int{10, 50} {
		b.Run(fmt.Sprintf("plugins=%d", n), func(b *testing.B) {
			mod := fixture.GenerateModule(b, b.TempDir(), n)
			for i := 0; i < b.N; i++ {
				ctl := func(extra ...string) func(env []string) {
					return func(env []string) {
						run(b, mod, env, pluginctl, append([]string{"build", "--out", "ctl"}, extra...)...)
					}
				}
				loop := func(env []string) { buildLoop(b, mod, "loop", n, env) }
				clean := func() {
					os.RemoveAll(filepath.Join(mod, "loop"))
					os.RemoveAll(filepath.Join(mod, "ctl"))
				}

				// Cold: a fresh go build cache and pluginctl cache each.
				// "pluginctl" is the build alone (--no-vet, what a build
				// loop does); "pluginctl+vet" the default, which also
				// type-checks every package with pluginctl vet.
				loopCold := timeIt(b, loop, freshCaches(b)...)
				clean()
				ctlColdVet := timeIt(b, ctl(), freshCaches(b)...)
				clean()
				caches := freshCaches(b)
				ctlCold := timeIt(b, ctl("--no-vet"), caches...)

				// Warm cache, empty output directory.
				clean()
				loopWarm := timeIt(b, loop, caches...)
				ctlWarm := timeIt(b, ctl("--no-vet"), caches...)
				os.RemoveAll(filepath.Join(mod, "ctl"))
				ctlWarmNoSlots := timeIt(b, ctl("--no-vet"), append(caches, "PLUGINCTL_CACHE=off")...)

				// Nothing changed.
				loopSame := timeIt(b, loop, caches...)
				ctlSame := timeIt(b, ctl("--no-vet"), caches...)
				timeIt(b, ctl(), caches...) // vets once; nothing changes after it
				ctlSameVet := timeIt(b, ctl(), caches...)

				// pluginctl's own share of a nothing-changed build.
				res, err := builder.Build(context.Background(), builder.Options{Dir: mod, Out: "ctl"})
				if err != nil {
					b.Fatal(err)
				}
				overhead := float64(res.Elapsed-res.GoTime) / float64(res.Elapsed)

				b.ReportMetric(loopCold.Seconds(), "loop-cold-s")
				b.ReportMetric(ratio(ctlCold, loopCold), "cold-ratio")
				b.ReportMetric(ratio(ctlColdVet, loopCold), "cold+vet-ratio")
				b.ReportMetric(loopWarm.Seconds(), "loop-warm-s")
				b.ReportMetric(ratio(ctlWarm, loopWarm), "warm-empty-ratio")
				b.ReportMetric(ratio(ctlWarmNoSlots, loopWarm), "warm-empty-nocache-ratio")
				b.ReportMetric(loopSame.Seconds(), "loop-same-s")
				b.ReportMetric(ratio(ctlSame, loopSame), "same-ratio")
				b.ReportMetric(ratio(ctlSameVet, loopSame), "same+vet-ratio")
				b.ReportMetric(100*overhead, "overhead-%")
			}
		})
	}
}

func ratio(a, b time.Duration) float64 { return a.Seconds() / b.Seconds() }

// buildLoop is the baseline: go build of the host, then of each plugin,
// one after the other, with the flags pluginctl uses by default.
func buildLoop(b *testing.B, mod, out string, n int, env []string) {
	run(b, mod, env, "go", "build", "-trimpath", "-o", filepath.Join(out, "host"), "./cmd/host")
	for i := 0; i < n; i++ {
		run(b, mod, env, "go", "build", "-trimpath", "-buildmode=plugin",
			"-o", filepath.Join(out, "plugins", fmt.Sprintf("p%02d.so", i)), fmt.Sprintf("./plugins/p%02d", i))
	}
}

func timeIt(b *testing.B, f func(env []string), env ...string) time.Duration {
	start := time.Now()
	f(append(os.Environ(), env...))
	return time.Since(start)
}

func freshCaches(b *testing.B) []string {
	d := b.TempDir()
	return []string{"GOCACHE=" + filepath.Join(d, "go-build"), "XDG_CACHE_HOME=" + filepath.Join(d, "cache")}
}

func run(b *testing.B, dir string, env []string, name string, args ...string) {
	b.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = env
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
}

// buildPluginctl builds the command under test once.
func buildPluginctl(b *testing.B) string {
	exe := filepath.Join(b.TempDir(), "pluginctl")
	run(b, "..", os.Environ(), "go", "build", "-o", exe, "./cmd/pluginctl")
	return exe
}

package vet

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/pluginctl/pluginctl/internal/fixture"
)

// BenchmarkVet compares Run with `go vet ./...` on the same generated
// module (50 plugins, their own API package and a host in the reference
// design's style: see fixture.GenerateModule), in the same run, with a
// warm build cache:
//
//   - changed: every source file was edited since the last run (a
//     trailing comment), so go vet cannot replay its cached results and
//     both analyze all 51 packages: the ratio this package is held to
//     (target < 2);
//   - same: nothing changed, so go vet replays its cached results while
//     Run analyzes everything again (Run keeps no cache).
//
// With VET_BENCH_COLD=1 it also measures both with an empty build cache.
// Each figure is the median of 5 runs. Run it with
//
//	go test -run '^$' -bench BenchmarkVet -benchtime 1x ./internal/vet
func BenchmarkVet(b *testing.B) {
	// The module bench/ builds, with plugins that are main packages too
	// (go vet ./... type-checks them).
	dir := fixture.GenerateModule(b, b.TempDir(), 50, fixture.Module{PluginMain: true})
	env := append(os.Environ(), "GOWORK=off", "GOFLAGS=-buildvcs=false")
	goVet := func(env []string) {
		cmd := exec.Command("go", "vet", "./...")
		cmd.Dir, cmd.Env = dir, env
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("go vet: %v\n%s", err, out)
		}
	}
	vet := func(env []string) {
		res, err := Run(context.Background(), Options{Dir: dir, Env: env})
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Findings) != 0 || len(res.Errors) != 0 || len(res.Plugins) != 50 || len(res.Hosts) != 1 {
			b.Fatalf("unexpected result: %d findings %v, errors %v, %d plugins, %d hosts", len(res.Findings), res.Findings, res.Errors, len(res.Plugins), len(res.Hosts))
		}
	}
	edits := 0
	touch := func() {
		edits++
		for i := 0; i <= 50; i++ {
			f := filepath.Join(dir, fmt.Sprintf("plugins/p%02d/p.go", i))
			if i == 50 {
				f = filepath.Join(dir, "cmd/host/main.go")
			}
			fh, err := os.OpenFile(f, os.O_APPEND|os.O_WRONLY, 0)
			if err != nil {
				b.Fatal(err)
			}
			fmt.Fprintf(fh, "\n// edit %d\n", edits)
			fh.Close()
		}
	}
	median := func(f func()) time.Duration {
		var ds []time.Duration
		for range 5 {
			start := time.Now()
			f()
			ds = append(ds, time.Since(start))
		}
		slices.Sort(ds)
		return ds[len(ds)/2]
	}
	// Warm the build cache (dependencies compiled, export data ready).
	goVet(env)
	vet(env)

	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		goChanged := median(func() { b.StopTimer(); touch(); b.StartTimer(); goVet(env) })
		vetChanged := median(func() { b.StopTimer(); touch(); b.StartTimer(); vet(env) })
		goSame := median(func() { goVet(env) })
		vetSame := median(func() { vet(env) })
		b.ReportMetric(goChanged.Seconds(), "govet-changed-s")
		b.ReportMetric(vetChanged.Seconds(), "vet-changed-s")
		b.ReportMetric(vetChanged.Seconds()/goChanged.Seconds(), "changed-ratio")
		b.ReportMetric(goSame.Seconds(), "govet-same-s")
		b.ReportMetric(vetSame.Seconds(), "vet-same-s")
		b.ReportMetric(vetSame.Seconds()/goSame.Seconds(), "same-ratio")
		if os.Getenv("VET_BENCH_COLD") == "1" {
			cold := func(f func([]string)) time.Duration {
				cache := b.TempDir()
				start := time.Now()
				f(append(env, "GOCACHE="+cache))
				return time.Since(start)
			}
			goCold, vetCold := cold(goVet), cold(vet)
			b.ReportMetric(goCold.Seconds(), "govet-cold-s")
			b.ReportMetric(vetCold.Seconds(), "vet-cold-s")
			b.ReportMetric(vetCold.Seconds()/goCold.Seconds(), "cold-ratio")
		}
	}
}

// Package bench measures pluginctl against the plain go command baseline,
// in the same run, on generated modules laid out as users write theirs
// (fixture.GenerateModule: the module's own API package, a host in the
// reference design's style, N tiny plugins; a variant whose host asserts
// plainly; and a realistic one whose plugins import encoding/json,
// net/http, log/slog and a third-party module). Run it with
//
//	go test -run '^$' -bench . -benchtime 1x ./bench
//
// (see bench/README.md; -bench 'Build/host=realistic' runs one variant). The benchmarks report ratios: pluginctl's
// time divided by the baseline's. BENCH_ROUNDS (default 3) sets how many
// alternating rounds BenchmarkBuild runs; each figure is the minimum over
// the rounds.
package bench

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pluginctl/pluginctl/builder"
	"github.com/pluginctl/pluginctl/internal/fixture"
	"github.com/pluginctl/pluginctl/internal/gocmd"
	"github.com/pluginctl/pluginctl/internal/version"
)

// variant is one generated module the benchmarks run on.
type variant struct {
	// host is "reference", "plain" (fixture.Module.PlainHost) or
	// "realistic" (a reference host whose plugins import encoding/json,
	// net/http, log/slog and a third-party module:
	// fixture.Module.Realistic).
	host string
	n    int
}

func (v variant) String() string { return fmt.Sprintf("host=%s/plugins=%d", v.host, v.n) }

func (v variant) generate(b *testing.B) string {
	m := fixture.Module{PlainHost: v.host == "plain", Realistic: v.host == "realistic"}
	return fixture.GenerateModule(b, b.TempDir(), v.n, m)
}

// BenchmarkBuild compares `pluginctl build` (default flags: vet included)
// with a sequential shell loop of go build -trimpath (the host, then each
// plugin: what a Makefile does) for N plugins: cold caches, a warm cache
// with an empty output directory (a CI runner that restored its caches),
// with and without pluginctl's own cache, and nothing changed. For the
// cold builds it also reports their CPU time (cold-cpu-ratio: pluginctl's
// ÷ the loop's) and the ratio pluginctl would reach with every core busy
// from start to end (cold-floor-ratio): a cold build is CPU-bound, and the
// two say how much of the cold ratio is left to the schedule.
func BenchmarkBuild(b *testing.B) {
	pluginctl := buildPluginctl(b)
	for _, v := range []variant{{"reference", 10}, {"reference", 50}, {"plain", 10}, {"realistic", 10}, {"realistic", 50}} {
		b.Run(v.String(), func(b *testing.B) {
			mod := v.generate(b)
			for i := 0; i < b.N; i++ {
				var t times
				for r := range rounds() {
					t.min(buildRound(b, pluginctl, mod, v.n, r))
				}
				b.ReportMetric(t["loop-cold"].Seconds(), "loop-cold-s")
				b.ReportMetric(ratio(t["ctl-cold"], t["loop-cold"]), "cold-ratio")
				b.ReportMetric(ratio(t["ctl-cold-novet"], t["loop-cold"]), "cold-novet-ratio")
				b.ReportMetric(ratio(t["ctl-cold-cpu"], t["loop-cold-cpu"]), "cold-cpu-ratio")
				b.ReportMetric(t.floor(), "cold-floor-ratio")
				b.ReportMetric(t["loop-warm"].Seconds(), "loop-warm-s")
				b.ReportMetric(ratio(t["ctl-warm"], t["loop-warm"]), "warm-empty-ratio")
				b.ReportMetric(ratio(t["ctl-warm-nocache"], t["loop-warm"]), "warm-empty-nocache-ratio")
				b.ReportMetric(t["loop-same"].Seconds(), "loop-same-s")
				b.ReportMetric(ratio(t["ctl-same"], t["loop-same"]), "same-ratio")
				b.ReportMetric(ratio(t["ctl-same-novet"], t["loop-same"]), "same-novet-ratio")
				b.ReportMetric(100*t.overhead(), "overhead-%")
				b.Logf("%s: %s", v, t)
			}
		})
	}
}

// buildRound measures each case once. The loop and pluginctl each use
// their own caches, as two CI runners would: a fresh go build cache and
// pluginctl cache for the cold builds, then the caches they filled.
// Round r starts the three cold builds at the r-th of them, so that over
// the rounds each is measured first, second and third: on a shared
// machine the CPU time of the same cold build varies by a fifth from one
// build to the next, and the minimum over the rounds should not favour
// whichever side always runs in the same place.
func buildRound(b *testing.B, pluginctl, mod string, n, r int) times {
	t := times{}
	ctl := func(name string, caches []string, extra ...string) {
		t.measure(name, func() {
			run(b, mod, env(caches...), pluginctl, append([]string{"build", "--out", "ctl"}, extra...)...)
		})
	}
	loop := func(name string, caches []string) {
		t.measure(name, func() { buildLoop(b, mod, "loop", n, env(caches...)) })
	}
	rm := func(out string) {
		if err := os.RemoveAll(filepath.Join(mod, out)); err != nil {
			b.Fatal(err)
		}
	}
	loopCaches, ctlCaches, noVetCaches := freshCaches(b), freshCaches(b), freshCaches(b)
	defer removeCaches(loopCaches, ctlCaches, noVetCaches)

	// Cold, in turn.
	cold := []func(){
		func() { rm("loop"); loop("loop-cold", loopCaches) },
		func() { rm("ctl"); ctl("ctl-cold-novet", noVetCaches, "--no-vet") },
		func() { rm("ctl"); ctl("ctl-cold", ctlCaches) },
	}
	for i := range cold {
		cold[(r+i)%len(cold)]()
	}

	// Warm caches, empty output directory.
	rm("loop")
	loop("loop-warm", loopCaches)
	rm("ctl")
	ctl("ctl-warm-nocache", append(ctlCaches, "PLUGINCTL_CACHE=off"))
	rm("ctl")
	ctl("ctl-warm", ctlCaches)

	// Nothing changed.
	loop("loop-same", loopCaches)
	ctl("ctl-same", ctlCaches)
	ctl("ctl-same-novet", ctlCaches, "--no-vet")

	// pluginctl's own share of a nothing-changed build (without vet,
	// which the command line adds): the CPU time of this process (the go
	// commands are its children) over the wall time.
	self := selfCPU()
	start := time.Now()
	res, err := builder.Build(context.Background(), builder.Options{
		Dir: mod, Out: "ctl", Flags: builder.Flags{Trimpath: true}, Version: version.Version(),
		CacheDir: cacheValue(ctlCaches, "PLUGINCTL_CACHE"), Go: &gocmd.Go{Env: env(ctlCaches...)},
	})
	t["same-elapsed"], t["same-self-cpu"] = time.Since(start), selfCPU()-self
	if err != nil {
		b.Fatal(err)
	}
	if res.Relinked != 0 {
		b.Errorf("a nothing-changed build through the library relinked %d artifacts", res.Relinked)
	}
	return t
}

// times are named durations: wall times, and under NAME+"-cpu" the CPU
// time (user and system) of the processes each measured step ran.
type times map[string]time.Duration

// measure runs f and records its wall time as name and the CPU time of
// the commands it ran, and of their descendants, as name+"-cpu".
func (t times) measure(name string, f func()) {
	cpu := childrenCPU()
	start := time.Now()
	f()
	t[name] = time.Since(start)
	t[name+"-cpu"] = childrenCPU() - cpu
}

// childrenCPU is the CPU time of this process's waited-for children and
// of their own waited-for descendants (getrusage RUSAGE_CHILDREN): every
// go command, compiler, linker and C compiler a build ran.
func childrenCPU() time.Duration { return rusageCPU(syscall.RUSAGE_CHILDREN) }

// selfCPU is the CPU time of this process.
func selfCPU() time.Duration { return rusageCPU(syscall.RUSAGE_SELF) }

func rusageCPU(who int) time.Duration {
	var u syscall.Rusage
	if err := syscall.Getrusage(who, &u); err != nil {
		panic(err)
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}

// min keeps the smaller of each.
func (t *times) min(u times) {
	if *t == nil {
		*t = u
		return
	}
	for k, d := range u {
		if old, ok := (*t)[k]; !ok || d < old {
			(*t)[k] = d
		}
	}
}

// floor is the cold ratio pluginctl would reach if it kept every core
// busy from start to end: its cold build's CPU time spread over the
// cores, divided by the loop's wall time (each the minimum over the
// rounds, like every other figure).
func (t times) floor() float64 {
	return t["ctl-cold-cpu"].Seconds() / float64(runtime.NumCPU()) / t["loop-cold"].Seconds()
}

func (t times) overhead() float64 {
	return float64(t["same-self-cpu"]) / float64(t["same-elapsed"])
}

func (t times) String() string {
	s := ""
	for _, k := range []string{"loop-cold", "loop-cold-cpu", "ctl-cold", "ctl-cold-cpu", "ctl-cold-novet", "ctl-cold-novet-cpu", "loop-warm", "ctl-warm", "ctl-warm-nocache", "loop-same", "ctl-same", "ctl-same-novet", "same-elapsed", "same-self-cpu"} {
		s += fmt.Sprintf(" %s=%v", k, t[k].Round(time.Millisecond))
	}
	return s
}

func ratio(a, b time.Duration) float64 { return a.Seconds() / b.Seconds() }

func rounds() int {
	if n, err := strconv.Atoi(os.Getenv("BENCH_ROUNDS")); err == nil && n > 0 {
		return n
	}
	return 3
}

// buildLoop is the baseline: go build of the host, then of each plugin,
// one after the other, with the flags pluginctl uses by default.
func buildLoop(b *testing.B, mod, out string, n int, env []string) {
	run(b, mod, env, "go", "build", "-trimpath", "-o", filepath.Join(out, "host"), "./cmd/host")
	for i := 0; i < n; i++ {
		run(b, mod, env, "go", "build", "-trimpath", "-buildmode=plugin",
			"-o", filepath.Join(out, "plugins", fmt.Sprintf("p%02d.so", i)), fmt.Sprintf("./plugins/p%02d", i))
	}
}

// env is the process's environment with extra settings appended (later
// entries win).
func env(extra ...string) []string { return append(os.Environ(), extra...) }

// freshCaches returns the settings of an empty go build cache and an
// empty pluginctl cache, in a directory of their own.
func freshCaches(b *testing.B) []string {
	d, err := os.MkdirTemp("", "pluginctl-bench-")
	if err != nil {
		b.Fatal(err)
	}
	return []string{
		"GOCACHE=" + filepath.Join(d, "go-build"),
		"PLUGINCTL_CACHE=" + filepath.Join(d, "pluginctl"),
		"XDG_CACHE_HOME=" + filepath.Join(d, "cache"),
	}
}

// removeCaches removes the directories of freshCaches (a cold go build
// cache of 50 plugins is several hundred megabytes).
func removeCaches(sets ...[]string) {
	for _, s := range sets {
		os.RemoveAll(filepath.Dir(cacheValue(s, "GOCACHE")))
	}
}

func cacheValue(settings []string, name string) string {
	v := ""
	for _, s := range settings {
		if len(s) > len(name) && s[:len(name)+1] == name+"=" {
			v = s[len(name)+1:]
		}
	}
	return v
}

func run(b *testing.B, dir string, env []string, name string, args ...string) []byte {
	b.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err != nil {
		b.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
	return out
}

// runRSS runs the command and returns its output and its peak resident
// set size in bytes, its process tree's ru_maxrss as GNU time reports it
// (0 without /usr/bin/time). Not the rusage of a child of this process:
// os/exec starts children sharing this process's memory until they exec,
// so their ru_maxrss is never below this process's own (about 100 MiB).
func runRSS(b *testing.B, dir string, env []string, name string, args ...string) ([]byte, int64) {
	b.Helper()
	if _, err := os.Stat("/usr/bin/time"); err != nil {
		return run(b, dir, env, name, args...), 0
	}
	report := filepath.Join(b.TempDir(), "rss")
	out := run(b, dir, env, "/usr/bin/time", append([]string{"-f", "%M", "-o", report, name}, args...)...)
	data, err := os.ReadFile(report)
	if err != nil {
		b.Fatal(err)
	}
	kib, err := strconv.ParseInt(strings.TrimSpace(string(data)), 10, 64)
	if err != nil {
		b.Fatalf("GNU time's report %q: %v", data, err)
	}
	return out, kib * 1024
}

// buildPluginctl builds the command under test once.
func buildPluginctl(b *testing.B) string {
	exe := filepath.Join(b.TempDir(), "pluginctl")
	run(b, "..", os.Environ(), "go", "build", "-o", exe, "./cmd/pluginctl")
	return exe
}

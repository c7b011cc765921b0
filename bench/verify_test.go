package bench

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// BenchmarkVerify compares `pluginctl verify` (static only, and full:
// static plus the dynamic probe) with the baseline of one process of the
// module's own host opening every plugin in a loop, in the same run, for
// N plugins built by `pluginctl build` (which records the host's contract
// in the manifest). Both are the commands a user runs, process start
// included. The probe is built by a first full verify, not measured; after
// it neither check may run the go command: every go command pluginctl
// could start (PLUGINCTL_GO, and go on PATH) is a wrapper that logs its
// arguments, and the benchmark fails if any ran. Each figure is the median
// of verifyRounds alternating runs. static-marginal-ms/artifact is what one more
// artifact adds to a static check: (static on N - static on 1) / (N-1).
//
// Both checks remember what they read from each file by its SHA-256
// (artifact.Cache), so the repeated runs after the first read no
// artifact. static-cold-ms is the static check with PLUGINCTL_CACHE=off:
// every file read and every DWARF type decoded on every run, as on a
// machine that never saw the artifacts.
func BenchmarkVerify(b *testing.B) {
	pluginctl := buildPluginctl(b)
	for _, v := range []variant{{"reference", 10}, {"reference", 50}, {"plain", 10}, {"realistic", 10}, {"realistic", 50}, {"realistic", 200}} {
		b.Run(v.String(), func(b *testing.B) {
			mod := v.generate(b)
			cache := "PLUGINCTL_CACHE=" + filepath.Join(b.TempDir(), "pluginctl")
			run(b, mod, env(cache), pluginctl, "build")
			plugins, err := filepath.Glob(filepath.Join(mod, "bin", "plugins", "*.so"))
			if err != nil || len(plugins) != v.n {
				b.Fatalf("built %d plugins (%v), want %d", len(plugins), err, v.n)
			}
			host := filepath.Join(mod, "bin", "host")
			goLog, goEnv := goLogger(b)
			verifyEnv := env(append([]string{cache}, goEnv...)...)
			verifyOn := func(paths []string, args ...string) []byte {
				return run(b, mod, verifyEnv, pluginctl, append(append([]string{"verify"}, args...), paths...)...)
			}
			verify := func(args ...string) []byte { return verifyOn([]string{"bin/plugins"}, args...) }
			coldEnv := env(append([]string{"PLUGINCTL_CACHE=off"}, goEnv...)...)

			// The first full check builds and caches the probe.
			verify()
			b.Logf("%s: go commands of the first full verify (the probe's build): %q", v, readLog(b, goLog))
			if err := os.WriteFile(goLog, nil, 0o644); err != nil {
				b.Fatal(err)
			}
			var report struct{ Contract string }
			if err := json.Unmarshal(verify("--static", "--format", "json"), &report); err != nil || report.Contract != "manifest" {
				b.Errorf("verify --static read the contract from %q (%v), want the manifest", report.Contract, err)
			}

			for i := 0; i < b.N; i++ {
				var baseline, static, static1, cold, full []time.Duration
				var fullRSS, staticRSS, baseRSS int64
				timeIt := func(ds *[]time.Duration, f func()) {
					start := time.Now()
					f()
					*ds = append(*ds, time.Since(start))
				}
				for range verifyRounds {
					timeIt(&baseline, func() {
						_, rss := runRSS(b, mod, env(), host, plugins...)
						baseRSS = max(baseRSS, rss)
					})
					timeIt(&static, func() {
						_, rss := runRSS(b, mod, verifyEnv, pluginctl, "verify", "--static", "bin/plugins")
						staticRSS = max(staticRSS, rss)
					})
					timeIt(&static1, func() { verifyOn(plugins[:1], "--static") })
					timeIt(&cold, func() { run(b, mod, coldEnv, pluginctl, "verify", "--static", "bin/plugins") })
					timeIt(&full, func() {
						_, rss := runRSS(b, mod, verifyEnv, pluginctl, "verify", "bin/plugins")
						fullRSS = max(fullRSS, rss)
					})
				}
				if cmds := readLog(b, goLog); len(cmds) > 0 {
					b.Errorf("verify ran the go command with the contract in the manifest and the probe cached: %q", cmds)
				}
				bm, sm, s1, cm, fm := median(baseline), median(static), median(static1), median(cold), median(full)
				b.ReportMetric(ms(bm), "baseline-ms")
				b.ReportMetric(ms(sm), "static-ms")
				b.ReportMetric(ms(sm)/float64(v.n), "static-ms/artifact")
				// What one more artifact costs, without the fixed part
				// (process start, the host, the manifest).
				b.ReportMetric((ms(sm)-ms(s1))/float64(v.n-1), "static-marginal-ms/artifact")
				b.ReportMetric(ms(cm), "static-cold-ms")
				b.ReportMetric(ms(cm)/float64(v.n), "static-cold-ms/artifact")
				b.ReportMetric(ms(fm), "full-ms")
				b.ReportMetric(ratio(fm, bm), "full/baseline")
				b.ReportMetric(ratio(fm, sm), "full/static")
				// Peak memory: the static check is pluginctl's process alone
				// (flat in N when nothing is held per artifact); the full
				// check's peak is its batched probe, which opens all N
				// plugins in one process as the host (baseline) does.
				b.ReportMetric(float64(staticRSS)/(1<<20), "static-peak-MiB")
				b.ReportMetric(float64(fullRSS)/(1<<20), "full-peak-MiB")
				b.ReportMetric(float64(baseRSS)/(1<<20), "baseline-peak-MiB")
				b.Logf("%s: baseline %v, static %v, static on 1 plugin %v, static without the cache %v, full %v", v, baseline, static, static1, cold, full)
			}
		})
	}
}

// verifyRounds is how many alternating runs each verify figure is the
// median of: the static check takes a few milliseconds, where one
// scheduling hiccup of this shared machine weighs; with 5 the N=10
// full/static ratio moved between 4.0 and 6.7 over three runs.
const verifyRounds = 15

// goLogger returns a log file and the settings that make every go command
// pluginctl starts (PLUGINCTL_GO, or go from PATH) a wrapper that appends
// its arguments to the log and then runs the real go.
func goLogger(b *testing.B) (log string, settings []string) {
	real, err := exec.LookPath("go")
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	log = filepath.Join(dir, "go.log")
	wrapper := filepath.Join(dir, "go")
	script := fmt.Sprintf("#!/bin/sh\necho \"$*\" >> %q\nexec %q \"$@\"\n", log, real)
	if err := os.WriteFile(wrapper, []byte(script), 0o755); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(log, nil, 0o644); err != nil {
		b.Fatal(err)
	}
	return log, []string{"PLUGINCTL_GO=" + wrapper, "PATH=" + dir + string(os.PathListSeparator) + os.Getenv("PATH")}
}

func readLog(b *testing.B, log string) []string {
	data, err := os.ReadFile(log)
	if err != nil {
		b.Fatal(err)
	}
	return slices.DeleteFunc(strings.Split(string(data), "\n"), func(s string) bool { return s == "" })
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

func ms(d time.Duration) float64 { return d.Seconds() * 1000 }

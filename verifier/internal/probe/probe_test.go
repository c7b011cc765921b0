package probe

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pluginctl/pluginctl/internal/artifact"
	"github.com/pluginctl/pluginctl/internal/fixture"
	"github.com/pluginctl/pluginctl/internal/gocmd"
	"github.com/pluginctl/pluginctl/pluginapi"
)

func TestSipHashVector(t *testing.T) {
	// The reference vector of the SipHash paper: key 00..0f, message
	// 00..0e.
	key := make([]byte, 16)
	msg := make([]byte, 15)
	for i := range key {
		key[i] = byte(i)
	}
	for i := range msg {
		msg[i] = byte(i)
	}
	k0, k1 := macKey(key)
	if got, want := sipHash(k0, k1, msg), uint64(0xa129ca6149be45e5); got != want {
		t.Fatalf("sipHash = %#x, want %#x", got, want)
	}
}

func TestJSONStringRoundTrip(t *testing.T) {
	cases := []string{"", "plain", `quote " and \ backslash`, "nl\nnl\ttab\r\x00\x1f\x7f", "ünïcödé ✓", "bad utf8 \xff\xfe"}
	r := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		b := make([]byte, r.IntN(40))
		for i := range b {
			b[i] = byte(r.UintN(256))
		}
		cases = append(cases, string(b))
	}
	for _, s := range cases {
		enc := appendJSONString(nil, s, 0)
		var got string
		if err := json.Unmarshal(enc, &got); err != nil {
			t.Fatalf("%q encodes as %s, which does not decode: %v", s, enc, err)
		}
		if want := strings.ToValidUTF8(s, "\uFFFD"); got != want && got != s {
			// encoding/json replaces each invalid byte; compare loosely.
			if len([]rune(got)) == 0 && s != "" {
				t.Errorf("%q decoded as %q", s, got)
			}
		}
	}
	if got := string(appendJSONString(nil, "abcdef", 3)); got != `"abc"` {
		t.Errorf("cut to 3 bytes: %s", got)
	}
}

func TestParseReportTrustsOnlyAuthenticatedLines(t *testing.T) {
	key := []byte("0123456789abcdef")
	k0, k1 := macKey(key)
	line := func(seq int, stage string, k0, k1 uint64) []byte {
		return reportLine(k0, k1, seq, stage, (&jsonObject{}).num("index", 0))
	}
	good := func(seq int, stage string) []byte { return line(seq, stage, k0, k1) }
	wk0, wk1 := macKey([]byte("fedcba9876543210"))
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

	cases := []struct {
		name     string
		report   []byte
		events   int
		rejected int
		done     bool
	}{
		{"complete", cat(good(1, "started"), good(2, "opening"), good(3, "done")), 3, 0, true},
		{"empty", nil, 0, 0, false},
		{"wrong key", cat(line(1, "started", wk0, wk1), line(2, "done", wk0, wk1)), 0, 2, false},
		{"forged mac", []byte(`{"seq":1,"stage":"done"}` + "\t0123456789abcdef\n"), 0, 1, false},
		{"no mac", []byte(`{"seq":1,"stage":"done"}` + "\n"), 0, 1, false},
		{"garbage between", cat(good(1, "started"), []byte("\x00\xff garbage\n\n"), good(2, "done")), 2, 2, true},
		{"replay", cat(good(1, "started"), good(1, "started"), good(2, "done")), 2, 1, true},
		{"gap: lines taken off the pipe", cat(good(1, "started"), good(3, "done")), 1, 1, false},
		{"unterminated done", cat(good(1, "started"), bytes.TrimSuffix(good(2, "done"), []byte("\n"))), 1, 1, false},
		{"unterminated garbage before a line", cat(good(1, "started"), []byte("junk {\"seq\":9 junk"), good(2, "done")), 2, 0, true},
		// The probe writes nothing after "done": a later line means the
		// report cannot be trusted.
		{"line after done", cat(good(1, "started"), good(2, "done"), good(3, "opening")), 2, 1, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			events, rejected, done := parseReport(key, c.report)
			if len(events) != c.events || rejected != c.rejected || done != c.done {
				t.Errorf("parseReport = %d events, %d rejected, done %v; want %d, %d, %v", len(events), rejected, done, c.events, c.rejected, c.done)
			}
		})
	}
	// Random garbage never panics and is never trusted.
	r := rand.New(rand.NewPCG(3, 4))
	for range 500 {
		b := make([]byte, r.IntN(300))
		for i := range b {
			b[i] = byte(r.UintN(256))
			if r.IntN(20) == 0 {
				b[i] = '\n'
			}
		}
		if events, _, done := parseReport(key, b); len(events) > 0 || done {
			t.Fatalf("garbage %q was trusted", b)
		}
	}
}

func TestCappedWriter(t *testing.T) {
	c := &capped{limit: 16} // head 4, tail 12
	var all []byte
	for i := range 20 {
		chunk := []byte(strconv.Itoa(i) + "abc")
		all = append(all, chunk...)
		if n, err := c.Write(chunk); n != len(chunk) || err != nil {
			t.Fatalf("Write = %d, %v", n, err)
		}
	}
	b, dropped := c.bytes()
	want := string(all[:4]) + "\n[... " + strconv.Itoa(len(all)-16) + " bytes dropped ...]\n" + string(all[len(all)-12:])
	if string(b) != want || !dropped {
		t.Errorf("capped kept %q, dropped %v; want %q", b, dropped, want)
	}
	// One big write, then small ones.
	c = &capped{limit: 16}
	c.Write(bytes.Repeat([]byte("x"), 100))
	c.Write([]byte("end"))
	b, _ = c.bytes()
	if !strings.HasPrefix(string(b), "xxxx\n[... 87 bytes dropped ...]\n") || !strings.HasSuffix(string(b), "xxxxxxxxxend") {
		t.Errorf("capped kept %q", b)
	}
	// Under the limit, nothing is dropped.
	c = &capped{limit: 16}
	c.Write([]byte("hello"))
	c.Write([]byte(" world"))
	if b, dropped := c.bytes(); string(b) != "hello world" || dropped {
		t.Errorf("capped kept %q, dropped %v", b, dropped)
	}
}

// goAt runs the go command in the repository root.
func goAt(root string) *gocmd.Go { return &gocmd.Go{Dir: root} }

// built is the probe of the fixture host, built once per test binary.
func built(t *testing.T) (*fixture.ProbeSet, *Probe) {
	t.Helper()
	f := fixture.Probe(t)
	p, err := Build(context.Background(), Config{Host: f.Host, SrcDir: f.Root, Go: goAt(f.Root), CacheDir: filepath.Join(f.Dir, "probe-cache")})
	if err != nil {
		t.Fatal(err)
	}
	return f, p
}

// A byte-identical copy of a host in another folder (a deploy folder, a
// second checkout) reuses the probe validated for the original: probes are
// cached by the host's content, not its path.
func TestBuildReusesTheProbeForACopyOfTheHost(t *testing.T) {
	f, p := built(t)
	data, err := os.ReadFile(f.Host)
	if err != nil {
		t.Fatal(err)
	}
	copied := filepath.Join(t.TempDir(), "deploy", "host")
	if err := os.MkdirAll(filepath.Dir(copied), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(copied, data, 0o755); err != nil {
		t.Fatal(err)
	}
	p2, err := Build(context.Background(), Config{Host: copied, SrcDir: f.Root, Go: goAt(f.Root), CacheDir: filepath.Join(f.Dir, "probe-cache")})
	if err != nil {
		t.Fatal(err)
	}
	if p2.BuildTime != 0 || p2.Path != p.Path {
		t.Errorf("the copy of the host got a probe built anew (go build %v, at %s; the original's at %s)", p2.BuildTime, p2.Path, p.Path)
	}
	if p2.Host != copied {
		t.Errorf("the reused probe runs as host %s, want the copy %s", p2.Host, copied)
	}
}

func TestBuildIsCachedAndWritesNothingToTheSource(t *testing.T) {
	f, p := built(t)
	start := time.Now()
	p2, err := Build(context.Background(), Config{Host: f.Host, SrcDir: f.Root, Go: goAt(f.Root), CacheDir: filepath.Join(f.Dir, "probe-cache")})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("probe: first Build's go build %v, second Build %v in all (go build %v)", p.BuildTime, time.Since(start), p2.BuildTime)
	if p2.Path != p.Path {
		t.Errorf("second build at %s, first at %s", p2.Path, p.Path)
	}
	if _, err := os.Lstat(filepath.Join(p.Dir, dirName)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the probe's directory exists in the source tree: %v", err)
	}
	if p.APIPackage != pluginapi.ImportPath {
		t.Errorf("APIPackage = %q, want %q (the host links it)", p.APIPackage, pluginapi.ImportPath)
	}
	for _, want := range []string{"loader \"github.com/pluginctl/pluginctl/pluginapi/loader\"", "_ \"log/slog\"", "//go:debug", "plugin.Open"} {
		if want == "//go:debug" {
			continue // only when the host has a DefaultGODEBUG
		}
		if !bytes.Contains(p.Source, []byte(want)) {
			t.Errorf("generated source lacks %s", want)
		}
	}
}

// TestProbeLinksOnlyTheHostsPackages: the probe must not change which
// plugins load, so it may link nothing the host does not, beyond the
// standard library packages it needs.
func TestProbeLinksOnlyTheHostsPackages(t *testing.T) {
	f := fixture.Probe(t)
	for _, host := range []string{f.Host, f.PlainHost} {
		p, err := Build(context.Background(), Config{Host: host, SrcDir: f.Root, Go: goAt(f.Root), CacheDir: filepath.Join(f.Dir, "probe-cache")})
		if err != nil {
			t.Fatal(err)
		}
		assertSamePackageSet(t, goAt(f.Root), p)
	}
}

// assertSamePackageSet checks that the probe p links exactly the host's
// packages, beyond the standard library packages it needs.
func assertSamePackageSet(t *testing.T, g *gocmd.Go, p *Probe) {
	t.Helper()
	host := p.Host
	deps := func(args ...string) []string {
		out, err := g.Output(context.Background(), "list", append([]string{"-deps"}, args...)...)
		if err != nil {
			t.Fatal(err)
		}
		return strings.Fields(string(out))
	}
	hostDeps := deps(p.Package)
	probeDeps := deps("-overlay="+p.Overlay, p.ProbePackage)
	allowed := deps(p.ProbeImports[:3]...) // os, plugin, runtime; fmt and the API only when the host has them
	var extra []string
	for _, d := range probeDeps {
		if d != p.ProbePackage && !slices.Contains(hostDeps, d) {
			extra = append(extra, d)
			if !slices.Contains(allowed, d) {
				t.Errorf("%s: the probe links %s, which the host does not link", filepath.Base(host), d)
			}
		}
	}
	var missing []string
	for _, d := range hostDeps {
		if d != p.Package && !slices.Contains(probeDeps, d) {
			missing = append(missing, d)
		}
	}
	if len(extra) > 0 || len(missing) > 0 {
		t.Errorf("%s: package sets differ: probe has %q more, %q less", filepath.Base(host), extra, missing)
	}

	// The same, as the binaries' fingerprints say it.
	h, err := artifact.Read(host)
	if err != nil {
		t.Fatal(err)
	}
	pr, err := artifact.Read(p.Path)
	if err != nil {
		t.Fatal(err)
	}
	for pkg := range pr.Fingerprints {
		if _, ok := h.Fingerprints[pkg]; !ok {
			t.Errorf("%s: the probe binary has a fingerprint for %s, the host has none", filepath.Base(host), pkg)
		}
	}
	if len(pr.Fingerprints) != len(h.Fingerprints) {
		t.Errorf("%s: %d fingerprints in the probe, %d in the host", filepath.Base(host), len(pr.Fingerprints), len(h.Fingerprints))
	}
}

func TestBuildRefusesAHostFromAnotherSource(t *testing.T) {
	f := fixture.Probe(t)
	_, err := Build(context.Background(), Config{Host: f.OtherHost, SrcDir: f.Root, Go: goAt(f.Root), CacheDir: filepath.Join(f.Dir, "probe-cache")})
	var ee *EnvError
	if !errors.As(err, &ee) {
		t.Fatalf("Build = %v, want an *EnvError", err)
	}
	for _, want := range []string{"was not built from this checkout", "fingerprint", "pluginapi", "pluginctl build", "--static"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
}

func TestBuildRefusesACheckoutWithoutTheHost(t *testing.T) {
	f := fixture.Probe(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/other\n\ngo 1.26\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Build(context.Background(), Config{Host: f.Host, SrcDir: dir, CacheDir: t.TempDir()})
	var ee *EnvError
	if !errors.As(err, &ee) {
		t.Fatalf("Build = %v, want an *EnvError", err)
	}
	if !strings.Contains(err.Error(), "--static") {
		t.Errorf("error does not suggest --static: %v", err)
	}
	t.Log(err)

	// Not a Go program at all.
	_, err = Build(context.Background(), Config{Host: f.Random, SrcDir: f.Root, CacheDir: t.TempDir()})
	if !errors.As(err, &ee) {
		t.Fatalf("Build(random bytes) = %v, want an *EnvError", err)
	}
}

func TestRunSandbox(t *testing.T) {
	f, p := built(t)
	t.Setenv("PLUGINCTL_TEST_SECRET", "hunter2")
	t.Setenv("PROBETEST_TOKEN", "hunter3")
	isolations(t, p, func(t *testing.T) { testSandbox(t, f, p) })
}

func testSandbox(t *testing.T, f *fixture.ProbeSet, p *Probe) {
	r, err := p.Run(context.Background(), RunOptions{Artifacts: []string{f.Plugins["env"]}, Timeout: 5 * time.Second, Convention: true})
	if err != nil {
		t.Fatal(err)
	}
	if !r.Completed() {
		t.Fatalf("env plugin did not complete: %+v\n%s", r, r.Stderr)
	}
	var name string
	for _, e := range r.Events {
		if e.Stage == StageReturned && e.Func == "Name" {
			name = e.Value
		}
	}
	info := map[string]string{}
	for _, kv := range strings.Split(name, "|") {
		k, v, _ := strings.Cut(kv, "=")
		info[k] = v
	}
	var names []string
	for _, kv := range strings.Split(info["env"], ";") {
		k, _, _ := strings.Cut(kv, "=")
		names = append(names, k)
	}
	slices.Sort(names)
	// The environment's shape is pluginctl's, with the values withheld
	// but for a few, and without pluginctl's own variables.
	for _, n := range names {
		if strings.HasPrefix(n, "PLUGINCTL_") {
			t.Errorf("the child's environment has %s", n)
		}
	}
	if !slices.Contains(names, "PROBETEST_TOKEN") || !slices.Contains(names, "PATH") {
		t.Errorf("the child's environment lacks pluginctl's variables: %q", names)
	}
	if info["secret"] != "false" {
		t.Error("the child saw the parent's secret")
	}
	// Nor anywhere in /proc: pluginctl's own environment has it.
	switch {
	case info["leak"] == "none":
	default:
		t.Errorf("the child read the parent's secret in /proc/{%s}/environ (%s)", info["leak"], r.Isolation)
	}
	if info["core"] != "0" {
		t.Errorf("RLIMIT_CORE = %s, want 0", info["core"])
	}
	// The base, and room for the one plugin opened.
	if want := addressSpace(DefaultAddressSpace, []string{f.Plugins["env"]}); info["as"] != strconv.FormatUint(want, 10) || want <= DefaultAddressSpace {
		t.Errorf("RLIMIT_AS = %s, want %d", info["as"], want)
	}
	// No limit of CPU time a host would not have: pluginctl's clock
	// keeps the timeout.
	var cpu syscall.Rlimit
	syscall.Getrlimit(syscall.RLIMIT_CPU, &cpu)
	if info["cpu"] != strconv.FormatUint(cpu.Cur, 10) {
		t.Errorf("RLIMIT_CPU = %s, want pluginctl's %d", info["cpu"], cpu.Cur)
	}
	// It runs where and as the host would: in the host's directory, as
	// the host's path, with no descriptor but its standard ones and its
	// report pipe.
	if info["wd"] != filepath.Dir(p.Host) {
		t.Errorf("working directory %s, want the host's %s", info["wd"], filepath.Dir(p.Host))
	}
	if info["args"] != p.Host {
		t.Errorf("os.Args = %q, want the host's path %q", info["args"], p.Host)
	}
	if fds := regexp.MustCompile(`(\d+):[^,]*`).ReplaceAllString(info["fds"], "$1"); fds != "0,1,2,3" {
		t.Errorf("open descriptors %s, want 0,1,2,3", info["fds"])
	}
	if strings.Contains(name, "pluginctl-probe-") {
		t.Errorf("the child sees a pluginctl-probe-* name: %s", name)
	}
	t.Logf("isolation: %s; notes %q; parent pid as the child sees it: %s", r.Isolation, r.Notes, info["ppid"])
}

func TestRunBoundsOutput(t *testing.T) {
	f, p := built(t)
	r, err := p.Run(context.Background(), RunOptions{Artifacts: []string{f.Plugins["noisy"]}})
	if err != nil {
		t.Fatal(err)
	}
	if !r.Completed() {
		t.Errorf("noisy plugin did not complete: exit %d, %d events, %d rejected", r.ExitCode, len(r.Events), r.Unauthenticated)
	}
	if len(r.Stdout) > outputLimit+100 || !r.StdoutTruncated || len(r.Stderr) > outputLimit+100 || !r.StderrTruncated {
		t.Errorf("output not capped: stdout %d (%v), stderr %d (%v)", len(r.Stdout), r.StdoutTruncated, len(r.Stderr), r.StderrTruncated)
	}
}

func TestRunForgedReportIsNotTrusted(t *testing.T) {
	f, p := built(t)
	r, err := p.Run(context.Background(), RunOptions{Artifacts: []string{f.Plugins["initforge"]}})
	if err != nil {
		t.Fatal(err)
	}
	if r.Completed() || r.Done {
		t.Fatalf("a forged report was trusted: %+v", r.Events)
	}
	if r.ExitCode != 0 || r.Unauthenticated == 0 {
		t.Errorf("exit %d, %d rejected lines; want 0 and some", r.ExitCode, r.Unauthenticated)
	}
	if last := r.Last(0); last == nil || last.Stage != StageOpening {
		t.Errorf("last stage %+v, want %s", last, StageOpening)
	}
}

func TestRunTimeoutKillsTheProcessGroup(t *testing.T) {
	f, p := built(t)
	start := time.Now()
	r, err := p.Run(context.Background(), RunOptions{Artifacts: []string{f.Plugins["block"]}, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if el := time.Since(start); el > 4*time.Second {
		t.Errorf("Run took %v with a 1s timeout", el)
	}
	if !r.TimedOut || r.Completed() {
		t.Fatalf("TimedOut = %v, Completed = %v", r.TimedOut, r.Completed())
	}
	// The child it started is killed too: see TestRunHostilePlugins,
	// which finds a plugin's children in every PID namespace.
	if !bytes.Contains(r.Stderr, []byte("block: child pid ")) {
		t.Fatalf("the plugin did not start its child: %s", r.Stderr)
	}
}

func TestRunCanceled(t *testing.T) {
	f, p := built(t)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(300*time.Millisecond, cancel)
	start := time.Now()
	r, err := p.Run(ctx, RunOptions{Artifacts: []string{f.Plugins["block"]}, Timeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if !r.Canceled || time.Since(start) > 3*time.Second {
		t.Errorf("Canceled = %v after %v", r.Canceled, time.Since(start))
	}
}

func TestRunSetFindsConflicts(t *testing.T) {
	f, p := built(t)
	arts := []string{f.Plugins["good"], f.Dup, f.Plugins["conflicta"], f.Plugins["conflictb"], f.Plugins["good"]}
	r, err := p.Run(context.Background(), RunOptions{Set: true, Artifacts: arts})
	if err != nil {
		t.Fatal(err)
	}
	if !r.Completed() {
		t.Fatalf("set run did not complete: %s", r.Stderr)
	}
	got := map[int]string{}
	for _, e := range r.Events {
		switch e.Stage {
		case StageOpenError:
			got[e.Index] = e.Error
		case StageOpened:
			if e.SameAs != nil {
				got[e.Index] = "same as " + strconv.Itoa(*e.SameAs)
			}
		}
	}
	if !strings.HasSuffix(got[1], "plugin already loaded") ||
		!strings.Contains(got[3], "different version of package "+"github.com/pluginctl/pluginctl/testdata/lib/conflictlib") ||
		got[4] != "same as 0" || len(got) != 3 {
		t.Errorf("set outcomes %v", got)
	}
}

// The per-artifact time of a warm probe run, for the record.
func TestRunTiming(t *testing.T) {
	f, p := built(t)
	var total time.Duration
	const n = 10
	for range n {
		r, err := p.Run(context.Background(), RunOptions{Artifacts: []string{f.Plugins["good"]}})
		if err != nil || !r.Completed() {
			t.Fatalf("good: %v %+v", err, r)
		}
		total += r.Duration
	}
	t.Logf("warm probe run of one good plugin: %v on average over %d runs", total/n, n)
}

// The probe is built with the host's flags: a host built with
// -tags=probetag (which changes package shared, linked by the host and
// the good plugin) gets a probe with the same tags, which loads plugins
// built that way and refuses the others. With
// PLUGINCTL_TEST_SLOW=1 the same for -trimpath (recompiles the standard
// library twice).
func TestBuildMirrorsTheHostsFlags(t *testing.T) {
	flagSets := [][]string{{"-tags=probetag"}}
	if os.Getenv("PLUGINCTL_TEST_SLOW") != "" {
		flagSets = append(flagSets, []string{"-trimpath"})
	}
	f := fixture.Probe(t)
	ctx := context.Background()
	for n, flags := range flagSets {
		host := filepath.Join(f.Dir, fmt.Sprintf("host-flags%d", n))
		plug := filepath.Join(f.Dir, fmt.Sprintf("good-flags%d.so", n))
		start := time.Now()
		if _, err := goAt(f.Root).Output(ctx, "build", append(flags, "-o", host, "./testdata/hosts/loaderhost")...); err != nil {
			t.Fatal(err)
		}
		if _, err := goAt(f.Root).Output(ctx, "build", append(flags, "-buildmode=plugin", "-o", plug, "./testdata/plugins/good")...); err != nil {
			t.Fatal(err)
		}
		t.Logf("%q: built the host and a plugin in %v", flags, time.Since(start))
		p, err := Build(ctx, Config{Host: host, SrcDir: f.Root, Go: goAt(f.Root), CacheDir: filepath.Join(f.Dir, "probe-cache")})
		if err != nil {
			t.Fatal(err)
		}
		for _, fl := range flags {
			if !slices.Contains(p.BuildFlags, fl) && !slices.Contains(p.BuildFlags, fl+"=true") {
				t.Errorf("probe flags %q lack %s", p.BuildFlags, fl)
			}
		}
		r, err := p.Run(ctx, RunOptions{Artifacts: []string{plug}})
		if err != nil || !r.Completed() || r.Last(0).Stage == StageOpenError {
			t.Fatalf("%q: plugin built like the host: %v %+v", flags, err, r.Events)
		}
		r, err = p.Run(ctx, RunOptions{Artifacts: []string{f.Plugins["good"]}})
		if err != nil {
			t.Fatal(err)
		}
		var openErr string
		for _, e := range r.Events {
			if e.Stage == StageOpenError {
				openErr = e.Error
			}
		}
		if !strings.Contains(openErr, "plugin was built with a different version of package") {
			t.Errorf("%q: plugin built without them: open error %q", flags, openErr)
		}
	}
}

// A //go:debug directive of the host's main package is mirrored.
func TestBuildMirrorsGoDebug(t *testing.T) {
	f := fixture.Probe(t)
	p, err := Build(context.Background(), Config{Host: f.PlainHost, SrcDir: f.Root, Go: goAt(f.Root), CacheDir: filepath.Join(f.Dir, "probe-cache")})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(p.Source, []byte("//go:debug panicnil=1")) {
		t.Errorf("the probe does not carry the host's //go:debug:\n%s", p.Source)
	}
	if p.APIPackage != "" {
		t.Errorf("APIPackage = %q for a host that does not link it", p.APIPackage)
	}
}

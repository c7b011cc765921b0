package verifier

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/pluginctl/pluginctl/internal/contract"
	"github.com/pluginctl/pluginctl/internal/diag"
	"github.com/pluginctl/pluginctl/internal/fixture"
	"github.com/pluginctl/pluginctl/internal/gocmd"
	"github.com/pluginctl/pluginctl/pluginapi"
)

// goAt runs the go command in the repository root.
func goAt(root string) *gocmd.Go { return &gocmd.Go{Dir: root} }

// dynamicOpts are the options of the fixture host, with a probe cache shared
// by the tests of this binary.
func dynamicOpts(f *fixture.ProbeSet, host string) Options {
	return Options{
		Host: host, Dir: f.Root, Go: goAt(f.Root), Timeout: 2 * time.Second, Jobs: 2,
		CacheDir: filepath.Join(f.Dir, "probe-cache"),
	}
}

// dynamicCase is one artifact and the codes the dynamic check must give it,
// plus text its problems must contain.
type dynamicCase struct {
	name  string
	path  string
	codes []diag.Code
	texts []string
}

// check compares a result with the case: the codes exactly, the texts as
// substrings, and the shape of every problem. It returns the problems'
// text and whether the codes matched.
func (c dynamicCase) check(t *testing.T, r DynamicResult) (string, bool) {
	t.Helper()
	text := problemText(r.Problems)
	if got := problemCodes(r.Problems); !slices.Equal(got, c.codes) {
		t.Errorf("%s: codes %v, want %v\n%s", c.name, got, c.codes, text)
		return text, false
	}
	for _, want := range c.texts {
		if !strings.Contains(text, want) {
			t.Errorf("%s: problems lack %q:\n%s", c.name, want, text)
		}
	}
	for _, p := range r.Problems {
		if p.Check != diag.Dynamic || p.Severity != diag.Error || p.Message == "" || p.Fix == "" || strings.Contains(p.Message, "\n") {
			t.Errorf("%s: malformed problem %+v", c.name, p)
		}
	}
	return text, true
}

func dynamicCases(f *fixture.ProbeSet) []dynamicCase {
	p := f.Plugins
	return []dynamicCase{
		{"good", p["good"], nil, nil},
		{"good2", p["good2"], nil, nil},
		{"nonew", p["nonew"], []diag.Code{MissingNew}, []string{"exports no New", "symbol New not found"}},
		{"badnew", p["badnew"], []diag.Code{BadNewSignature}, []string{"found    func() (pluginapi.Plugin, error)", "expected func() pluginapi.Plugin"}},
		{"staleapi", p["staleapi"], []diag.Code{APIVersionMismatch}, []string{`APIVersion is "v0", the host wants "v1"`}},
		{"badmeta", p["badmeta"], []diag.Code{BadMetadata}, []string{"PluginctlMetadata is not valid pluginctl build metadata"}},
		{"newpanic", p["newpanic"], []diag.Code{InitPanic}, []string{"New panics: newpanic: no configuration", "at github.com/pluginctl/pluginctl/testdata/plugins/newpanic.New (", "main.go:20)"}},
		{"initerr", p["initerr"], []diag.Code{InitPanic}, []string{"Init returned an error", "initerr: no database configured"}},
		{"initpanic", p["initpanic"], []diag.Code{InitPanic}, []string{"panics during plugin.Open", "initpanic: cannot read /etc/initpanic.conf", "at github.com/pluginctl/pluginctl/testdata/plugins/initpanic.init.0"}},
		{"initexit", p["initexit"], []diag.Code{InitExit}, []string{"exit status 3 during plugin.Open"}},
		{"initforge", p["initforge"], []diag.Code{InitExit}, []string{"exit status 0 during plugin.Open", "failed authentication"}},
		{"initforgedlsym", p["initforgedlsym"], []diag.Code{InitExit}, []string{"exit status 3 during plugin.Open"}},
		{"escape", p["escape"], nil, nil},
		{"block", p["block"], []diag.Code{Timeout}, []string{"did not finish within 2s: blocked during plugin.Open"}},
		{"cabort", p["cabort"], []diag.Code{Crash}, []string{"SIGABRT", "in C code", "abort()"}},
		{"csegv", p["csegv"], []diag.Code{Crash}, []string{"SIGSEGV: segmentation violation", "in C code", "csegv._Cfunc_crash"}},
		{"selfkill", p["selfkill"], []diag.Code{Crash}, []string{"crashes the host in Init: killed by SIGKILL"}},
		{"conflicta", p["conflicta"], nil, nil},
		{"conflictb", p["conflictb"], []diag.Code{PluginConflict}, []string{"conflictlib", "conflicta.so"}},
		{"env", p["env"], nil, nil},
		{"noisy", p["noisy"], nil, nil},
		{"rega", p["rega"], nil, nil},
		{"regb", p["regb"], []diag.Code{PluginConflict}, []string{"loaded after the plugins before it: panics during plugin.Open", "shared: codec registered twice", "loaded before it: ", p["rega"]}},
		{"dup", f.Dup, []diag.Code{DuplicatePlugin}, []string{"same plugin as " + p["good"], "plugin already loaded"}},
		{"random", f.Random, []diag.Code{NotAPlugin}, []string{"invalid ELF header"}},
		{"empty", f.Empty, []diag.Code{NotAPlugin}, []string{"file too short"}},
		{"dir", f.Dir, []diag.Code{NotAPlugin}, nil},
	}
}

func problemCodes(ps []diag.Problem) []diag.Code {
	var out []diag.Code
	for _, p := range ps {
		out = append(out, p.Code)
	}
	return out
}

func problemText(ps []diag.Problem) string {
	var b strings.Builder
	for _, p := range ps {
		fmt.Fprintf(&b, "%s [%s/%s]: %s\n", p.Code, p.Severity, p.Check, p.Message)
		for _, d := range p.Detail {
			fmt.Fprintf(&b, "\t%s\n", d)
		}
		fmt.Fprintf(&b, "\tfix: %s\n", p.Fix)
	}
	return b.String()
}

func TestCheckDynamic(t *testing.T) {
	f := fixture.Probe(t)
	cases := dynamicCases(f)
	var paths []string
	for _, c := range cases {
		paths = append(paths, c.path)
	}
	start := time.Now()
	rep, err := CheckDynamic(context.Background(), dynamicOpts(f, f.Host), paths)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("checked %d artifacts in %v", len(paths), time.Since(start))
	if len(rep.Results) != len(cases) {
		t.Fatalf("%d results for %d artifacts", len(rep.Results), len(cases))
	}
	for i, c := range cases {
		r := rep.Results[i]
		text, ok := c.check(t, r)
		if !ok {
			continue
		}
		if r.Path != c.path {
			t.Errorf("%s: result %d is for %s", c.name, i, r.Path)
		}
		t.Logf("%s (%v):\n%s", c.name, r.Duration.Round(time.Millisecond), text)
	}
	good := rep.Results[0]
	if !good.Loaded || good.Name != "good" || good.APIVersion != "v1" || !slices.Equal(good.Capabilities, []string{"filter", "transform", "text"}) ||
		good.Symbols["New"] != "func() pluginapi.Plugin" {
		t.Errorf("good: %+v", good)
	}

	// The verdicts agree with what the real host does with each file.
	t.Run("agrees with the host", func(t *testing.T) {
		var wg sync.WaitGroup
		for i, c := range cases {
			wg.Add(1)
			go func() {
				defer wg.Done()
				loaded, out := runHost(t, f.Host, nil, c.path)
				if pass := !diag.HasError(rep.Results[i].Problems); pass != loaded[c.path] && c.name != "dup" && c.name != "conflictb" && c.name != "regb" {
					t.Errorf("%s: the verifier says pass=%v, the host loaded=%v:\n%s", c.name, pass, loaded[c.path], out)
				}
			}()
		}
		wg.Wait()
		// Together, in the same order, the host loads exactly the files
		// that passed. (regb is left out: after rega, it kills the host,
		// as the verifier says; see below.)
		var set []string
		for i, c := range cases {
			if c.codes == nil || c.name == "dup" || c.name == "conflictb" {
				set = append(set, paths[i])
			}
		}
		if loaded, out := runHost(t, f.Host, nil, f.Plugins["rega"], f.Plugins["regb"]); len(loaded) != 2 || loaded[f.Plugins["rega"]] || !strings.Contains(out, "registered twice") {
			t.Errorf("the host loaded rega then regb:\n%s", out)
		}
		loaded, out := runHost(t, f.Host, nil, set...)
		for _, p := range set {
			i := slices.Index(paths, p)
			if pass := !diag.HasError(rep.Results[i].Problems); pass != loaded[p] {
				t.Errorf("in the set, %s: the verifier says pass=%v, the host loaded=%v:\n%s", cases[i].name, pass, loaded[p], out)
			}
		}
	})
}

// runHost runs the fixture host on files and returns the ones it loaded
// and used.
func runHost(t *testing.T, host string, args []string, files ...string) (map[string]bool, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, host, append(args, files...)...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = time.Second
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.Run()
	if cmd.Process != nil {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
	// A plugin's own output may precede the host's line on the same line.
	loaded := map[string]bool{}
	for _, f := range files {
		loaded[f] = strings.Contains(out.String(), "loaded "+f+" ")
	}
	text := out.String()
	if len(text) > 4000 {
		text = text[:2000] + "\n...\n" + text[len(text)-2000:]
	}
	return loaded, strings.ToValidUTF8(text, "?")
}

func TestCheckDynamicRequireCapabilities(t *testing.T) {
	f := fixture.Probe(t)
	o := dynamicOpts(f, f.Host)
	o.RequireCapabilities = []string{"filter", "batch"}
	files := []string{f.Plugins["good"], f.Plugins["conflicta"]}
	rep, err := CheckDynamic(context.Background(), o, files)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"lacks the required capability batch", "exports no Capabilities"} {
		ps := rep.Results[i].Problems
		if !slices.Equal(problemCodes(ps), []diag.Code{MissingCapability}) || !strings.Contains(problemText(ps), want) {
			t.Errorf("%s: want missing-capability (%s), got\n%s", files[i], want, problemText(ps))
		}
	}
	loaded, out := runHost(t, f.Host, []string{"-require", "filter", "-require", "batch"}, files...)
	if loaded[files[0]] || loaded[files[1]] {
		t.Errorf("the host loaded plugins the verifier failed:\n%s", out)
	}
	// With only "filter" required, good passes and conflicta still fails.
	o.RequireCapabilities = []string{"filter"}
	rep, err = CheckDynamic(context.Background(), o, files)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Results[0].Problems) != 0 || len(rep.Results[1].Problems) != 1 {
		t.Errorf("require filter: %v / %v", rep.Results[0].Problems, rep.Results[1].Problems)
	}
}

func TestCheckDynamicPlainHost(t *testing.T) {
	f := fixture.Probe(t)
	o := dynamicOpts(f, f.PlainHost)
	o.Contract = contract.Merge(nil, contract.Entry{Symbol: "New", Required: true, Sources: []contract.Source{{Kind: contract.SourceExpect, Pos: "test"}}})
	files := []string{f.Plugins["good"], f.Plugins["staleapi"], f.Plugins["nonew"], f.Random}
	rep, err := CheckDynamic(context.Background(), o, files)
	if err != nil {
		t.Fatal(err)
	}
	if rep.APIPackage != "" {
		t.Errorf("APIPackage = %q for a host that does not link it", rep.APIPackage)
	}
	want := [][]diag.Code{nil, nil, {MissingNew}, {NotAPlugin}}
	for i := range files {
		if got := problemCodes(rep.Results[i].Problems); !slices.Equal(got, want[i]) {
			t.Errorf("%s: codes %v, want %v\n%s", files[i], got, want[i], problemText(rep.Results[i].Problems))
		}
	}
	if typ := rep.Results[0].Symbols["New"]; typ != "func() pluginapi.Plugin" {
		t.Errorf("New's type: %q", typ)
	}
}

func TestCheckDynamicHostFromAnotherSource(t *testing.T) {
	f := fixture.Probe(t)
	_, err := CheckDynamic(context.Background(), dynamicOpts(f, f.OtherHost), []string{f.Plugins["good"]})
	var ee *diag.EnvError
	if !errors.As(err, &ee) {
		t.Fatalf("err = %v, want an *EnvError", err)
	}
	for _, want := range []string{"not built from this checkout", "pluginapi", "--static"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
}

func TestCheckDynamicCanceled(t *testing.T) {
	f := fixture.Probe(t)
	o := dynamicOpts(f, f.Host)
	o.Timeout = time.Minute
	// Build the probe first, so that the cancel hits the runs.
	if _, err := CheckDynamic(context.Background(), o, []string{f.Plugins["good"]}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(time.Second, cancel)
	start := time.Now()
	_, err := CheckDynamic(ctx, o, []string{f.Plugins["block"], f.Plugins["block"], f.Plugins["block"]})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if el := time.Since(start); el > 5*time.Second {
		t.Errorf("canceled check took %v", el)
	}
}

// A plugin built by another Go toolchain kills a host of this one in
// plugin.Open ("fatal error: runtime: no plugin module data"). Needs the
// toolchain in the module cache; builds the standard library with it.
func TestCheckDynamicOtherToolchain(t *testing.T) {
	f := fixture.Probe(t)
	const other = "go1.27.3"
	if os.Getenv("PLUGINCTL_TEST_TOOLCHAIN") == "" {
		t.Skip("set PLUGINCTL_TEST_TOOLCHAIN=1 to build a plugin with " + other + " (slow on a cold cache)")
	}
	g := goAt(f.Root).With("GOTOOLCHAIN=" + other)
	out := filepath.Join(f.Dir, "good-"+other+".so")
	if _, err := g.Output(context.Background(), "build", "-buildmode=plugin", "-o", out, "./testdata/plugins/good"); err != nil {
		t.Skipf("cannot build with %s: %v", other, err)
	}
	rep, err := CheckDynamic(context.Background(), dynamicOpts(f, f.Host), []string{out})
	if err != nil {
		t.Fatal(err)
	}
	ps := rep.Results[0].Problems
	text := problemText(ps)
	if !slices.Equal(problemCodes(ps), []diag.Code{Crash}) || !strings.Contains(text, "no plugin module data") || !strings.Contains(text, "GOTOOLCHAIN=go1.26") {
		t.Errorf("want a crash with the toolchain fix, got\n%s", text)
	}
	t.Log(text)

	// A host built by that toolchain gets a probe built by it: its own
	// plugins load, this toolchain's do not.
	host := filepath.Join(f.Dir, "host-"+other)
	if _, err := g.Output(context.Background(), "build", "-o", host, "./testdata/hosts/loaderhost"); err != nil {
		t.Fatal(err)
	}
	rep, err = CheckDynamic(context.Background(), dynamicOpts(f, host), []string{out, f.Plugins["good"]})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Toolchain != other {
		t.Errorf("probe toolchain %q, want %s", rep.Toolchain, other)
	}
	if ps := rep.Results[0].Problems; len(ps) != 0 {
		t.Errorf("%s plugin in %s host:\n%s", other, other, problemText(ps))
	}
	if ps := rep.Results[1].Problems; !diag.HasError(ps) {
		t.Errorf("local plugin in %s host passed", other)
	} else {
		t.Logf("local plugin in %s host:\n%s", other, problemText(ps))
	}
}

func TestDynParseStderr(t *testing.T) {
	cases := []struct {
		name, stderr string
		kind, value  string
		signal       string
		cgo          bool
		firstFrame   string
	}{
		{"panic", "panic: boom\n\ngoroutine 1 [running]:\nexample.com/p.init.0()\n\t/src/p.go:3 +0x25\nplugin.open({0x1, 0x2})\n\t/go/src/plugin/plugin_dlopen.go:95 +0x53c\n",
			"panic", "boom", "", false, "at example.com/p.init.0 (/src/p.go:3)"},
		{"runtime error panic", "panic: runtime error: invalid memory address or nil pointer dereference\n[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x4]\n\ngoroutine 1 [running]:\nexample.com/p.f(...)\n\t/src/p.go:9\n",
			"panic", "runtime error: invalid memory address or nil pointer dereference", "", false, "at example.com/p.f (/src/p.go:9)"},
		{"fatal", "fatal error: runtime: no plugin module data\n\ngoroutine 1 gp=0xc000002380 m=0 mp=0x6a7f20 [running]:\nruntime.throw({0x1, 0x2})\n\t/go/src/runtime/panic.go:1 +0x48 fp=0x1 sp=0x2 pc=0x3\nplugin.lastmoduleinit()\n\t/go/src/runtime/plugin.go:23 +0x5c fp=0x1\n",
			"fatal", "runtime: no plugin module data", "", false, "at plugin.lastmoduleinit (/go/src/runtime/plugin.go:23)"},
		{"cgo signal", "SIGSEGV: segmentation violation\nPC=0x7f m=0 sigcode=1 addr=0x0\nsignal arrived during cgo execution\n\ngoroutine 1 gp=0x1 m=0 mp=0x2 [syscall]:\nruntime.cgocall(0x1, 0x2)\n\t/go/src/runtime/cgocall.go:167 +0x56\nexample.com/p._Cfunc_crash()\n\t_cgo_gotypes.go:46 +0x45\n",
			"signal", "SIGSEGV: segmentation violation", "SIGSEGV", true, "at example.com/p._Cfunc_crash (_cgo_gotypes.go:46)"},
		{"after unterminated output", "\x00\xffjunk without newline panic: late\n\ngoroutine 7 [running]:\nexample.com/p.g()\n\t/src/p.go:1\n",
			"panic", "late", "", false, "at example.com/p.g (/src/p.go:1)"},
		{"no trace", "panic: looks like one but has no goroutine trace\n", "", "", "", false, ""},
		{"exit message", "some log line\nexiting with 3\n", "", "", "", false, ""},
		{"empty", "", "", "", "", false, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := parseCrash([]byte(c.stderr))
			if got.kind != c.kind || got.value != c.value || got.signal != c.signal || got.cgo != c.cgo {
				t.Errorf("got %+v", got)
			}
			first := ""
			if len(got.frames) > 0 {
				first = got.frames[0]
			}
			if first != c.firstFrame {
				t.Errorf("first frame %q, want %q (all: %q)", first, c.firstFrame, got.frames)
			}
		})
	}
	// Garbage never panics the parser, and every line it returns is one
	// line of valid UTF-8.
	seed := []byte("panic: \nfatal error: \nSIGABRT: \ngoroutine 1 [running]:\n\t\x00\xff]:\n")
	for i := range 2000 {
		b := make([]byte, 0, 300)
		for j := range 300 {
			b = append(b, seed[(i*7+j*j*13+j*i)%len(seed)]^byte((i+j)%3))
		}
		got := parseCrash(b)
		for _, l := range append(append([]string{got.value}, got.lines...), got.frames...) {
			if strings.Contains(l, "\n") || !utf8.ValidString(l) {
				t.Fatalf("unsafe line %q from %q", l, b)
			}
		}
	}
}

func TestDynFramesAfterRecoveredPanic(t *testing.T) {
	stack := `goroutine 1 [running]:
main.call.func1()
	/x/pluginctl_probe/main.go:256 +0x7c
panic({0x6100c0?, 0x7fd0337d1138?})
	/usr/local/go/src/runtime/panic.go:860 +0x14a
example.com/plugins/p.New()
	/src/p/main.go:20 +0x25
main.check.func2()
	/x/pluginctl_probe/main.go:214 +0x22
main.call(0x0, {0x64adc3, 0x3}, 0xd7b56f71c78)
	/x/pluginctl_probe/main.go:261 +0x102
`
	got := topFrames(strings.Split(stack, "\n"), true)
	if len(got) != 1 || got[0] != "at example.com/plugins/p.New (/src/p/main.go:20)" {
		t.Errorf("frames %q", got)
	}
}

// A C shared library dlopens fine, and then the Go runtime finds no
// plugin in it: the check must say not-a-plugin.
func TestCheckDynamicCLibrary(t *testing.T) {
	f := fixture.Probe(t)
	cc, err := exec.LookPath("gcc")
	if err != nil {
		t.Skip("no gcc")
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "lib.c")
	if err := os.WriteFile(src, []byte("int answer(void) { return 42; }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	lib := filepath.Join(dir, "libanswer.so")
	if out, err := exec.Command(cc, "-shared", "-fPIC", "-o", lib, src).CombinedOutput(); err != nil {
		t.Fatalf("gcc: %v\n%s", err, out)
	}
	rep, err := CheckDynamic(context.Background(), dynamicOpts(f, f.Host), []string{lib, f.Host})
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"C shared library", "executable"} {
		ps := rep.Results[i].Problems
		if !slices.Equal(problemCodes(ps), []diag.Code{NotAPlugin}) || !strings.Contains(problemText(ps), want) {
			t.Errorf("want not-a-plugin (%s), got\n%s", want, problemText(ps))
		}
		t.Log(problemText(ps))
	}
}

// contractHostContract is the contract of testdata/hosts/contracthost, as its
// source says (see testdata/contracthost).
func contractHostContract() *contract.Contract {
	src := []contract.Source{{Kind: contract.SourceConfig, Pos: "test"}}
	return contract.Merge(nil,
		contract.Entry{Symbol: "Seven", Types: []string{"*int"}, Required: true, Sources: src},
		contract.Entry{Symbol: "Double", Types: []string{"func(int) int"}, Required: true, Sources: src},
		contract.Entry{Symbol: "New", Types: []string{"func() interface{}", "func() string"}, Required: true, Sources: src},
		contract.Entry{Symbol: "Verbose", Types: []string{"*bool"}, Sources: src},
		contract.Entry{Symbol: "Extra", Types: []string{"func() string"}, Required: true, Plugins: "extra*", Sources: src},
	)
}

func contractOpts(f *fixture.ProbeSet, c *contract.Contract) Options {
	return Options{
		Host: f.ContractHost, Dir: f.Root, Go: goAt(f.Root), Timeout: 5 * time.Second, Jobs: 2,
		CacheDir: filepath.Join(f.Dir, "probe-cache"), Contract: c,
	}
}

// A host that never heard of pluginapi: the verdicts follow its contract,
// and agree with what the host does with each plugin.
func TestCheckDynamicContract(t *testing.T) {
	f := fixture.Probe(t)
	p := f.Plugins
	cases := []dynamicCase{
		{"cgood", p["cgood"], nil, nil},
		{"calt", p["calt"], nil, nil},
		{"extraok", p["extraok"], nil, nil},
		{"cnodouble", p["cnodouble"], []diag.Code{MissingSymbol}, []string{"exports no Double", `Lookup("Double") fails`, "expected func(int) int"}},
		{"cbadseven", p["cbadseven"], []diag.Code{BadSymbolType}, []string{"Seven is *string, not *int", "found    *string", "expected *int"}},
		{"cbadnew", p["cbadnew"], []diag.Code{BadNewSignature}, []string{"New is func() int", "expected func() interface{} or func() string"}},
		{"cnonew", p["cnonew"], []diag.Code{MissingNew}, []string{"exports no New", "symbol New not found"}},
		{"cbadverbose", p["cbadverbose"], []diag.Code{BadSymbolType}, []string{"Verbose is *string, not *bool"}},
		{"extra", p["extra"], []diag.Code{MissingSymbol}, []string{"exports no Extra"}},
	}
	var paths []string
	for _, c := range cases {
		paths = append(paths, c.path)
	}
	rep, err := CheckDynamic(context.Background(), contractOpts(f, contractHostContract()), paths)
	if err != nil {
		t.Fatal(err)
	}
	var notes []string // but the sandbox's, which depend on the kernel
	for _, n := range rep.Notes {
		if !strings.HasPrefix(n, "the probe ran without its own namespaces") && !strings.HasPrefix(n, "the probe's sandbox") {
			notes = append(notes, n)
		}
	}
	if rep.APIPackage != "" || len(notes) != 0 {
		t.Errorf("APIPackage %q, notes %q", rep.APIPackage, notes)
	}
	for i, c := range cases {
		r := rep.Results[i]
		text, ok := c.check(t, r)
		if !ok {
			continue
		}
		if r.Convention || !r.Loaded {
			t.Errorf("%s: Convention %v, Loaded %v", c.name, r.Convention, r.Loaded)
		}
		t.Logf("%s:\n%s", c.name, text)
	}
	if s := rep.Results[0].Symbols; s["Seven"] != "*int" || s["Double"] != "func(int) int" || s["New"] != "func() interface {}" || s["Verbose"] != "" {
		t.Errorf("cgood's symbols: %q", s)
	}

	// Each verdict is what the host does with the plugin, alone and,
	// for the ones that passed, all together.
	var set []string
	for i, c := range cases {
		loaded, out := runHost(t, f.ContractHost, nil, c.path)
		pass := !diag.HasError(rep.Results[i].Problems)
		if pass != loaded[c.path] {
			t.Errorf("%s: the verifier says pass=%v, the host loaded=%v:\n%s", c.name, pass, loaded[c.path], out)
		}
		if pass {
			set = append(set, c.path)
		}
	}
	loaded, out := runHost(t, f.ContractHost, nil, set...)
	for _, p := range set {
		if !loaded[p] {
			t.Errorf("the host did not load %s with the others:\n%s", p, out)
		}
	}
}

// The contract's types that the host cannot assert are said so: a note,
// and bad-symbol-type when a plugin has the symbol and nothing the host
// can assert matches it.
func TestCheckDynamicContractUnassertable(t *testing.T) {
	f := fixture.Probe(t)
	src := []contract.Source{{Kind: contract.SourceExpect, Pos: "test"}}
	c := contract.Merge(contractHostContract(),
		contract.Entry{Symbol: "Handler", Types: []string{"func(*container/list.List)"}, Sources: src},
		contract.Entry{Symbol: "Hook", Types: []string{"*" + f.ContractHostPkg + ".Config"}, Sources: src},
		contract.Entry{Symbol: "Nope", Types: []string{"*os.Nope", "*int"}, Sources: src},
	)
	files := []string{f.Plugins["cgood"], f.Plugins["chandler"]}
	rep, err := CheckDynamic(context.Background(), contractOpts(f, c), files)
	if err != nil {
		t.Fatal(err)
	}
	notes := strings.Join(rep.Notes, "\n")
	for _, want := range []string{
		"func(*container/list.List) (of Handler) cannot be asserted by this host: it mentions package container/list, which the host does not link",
		"(of Hook) cannot be asserted by this host: its package " + f.ContractHostPkg + " is the host's package main",
		"*os.Nope (of Nope) cannot be asserted by this host: it does not compile with the host's packages: undefined: os.Nope",
	} {
		if !strings.Contains(notes, want) {
			t.Errorf("notes lack %q:\n%s", want, notes)
		}
	}
	if ps := rep.Results[0].Problems; len(ps) != 0 {
		t.Errorf("cgood (no Handler, Hook or Nope; all optional):\n%s", problemText(ps))
	}
	ps := rep.Results[1].Problems
	text := problemText(ps)
	if !slices.Equal(problemCodes(ps), []diag.Code{BadSymbolType}) {
		t.Fatalf("chandler: want bad-symbol-type, got\n%s", text)
	}
	for _, want := range []string{
		"Handler is func(*list.List); the contract expects func(*container/list.List), which this host cannot assert",
		"the plugin's Handler prints like func(*container/list.List), which the host cannot assert: it mentions package container/list",
		"correct the contract's type of Handler",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("chandler: problems lack %q:\n%s", want, text)
		}
	}
	t.Logf("notes:\n%s\nchandler:\n%s", notes, text)

	// Required, with only a type the host cannot assert: missing is
	// missing all the same.
	c = contract.Merge(contractHostContract(),
		contract.Entry{Symbol: "Handler", Types: []string{"func(*container/list.List)"}, Required: true, Sources: src})
	rep, err = CheckDynamic(context.Background(), contractOpts(f, c), files[:1])
	if err != nil {
		t.Fatal(err)
	}
	if got := problemCodes(rep.Results[0].Problems); !slices.Equal(got, []diag.Code{MissingSymbol}) {
		t.Errorf("cgood without a required Handler: %v\n%s", got, problemText(rep.Results[0].Problems))
	}
}

// An explicit contract on a pluginapi host: the convention's symbols are
// still checked (and its functions called) the pluginapi/loader way, once,
// and the contract's other symbols beside them.
func TestCheckDynamicContractWithConvention(t *testing.T) {
	f := fixture.Probe(t)
	src := []contract.Source{{Kind: contract.SourceConfig, Pos: "test"}}
	c := contract.Merge(contract.Default(pluginapi.ImportPath),
		contract.Entry{Symbol: "Greeting", Types: []string{"*string"}, Sources: src},
		contract.Entry{Symbol: "Capabilities", Types: []string{"func() []string"}, Required: true, Plugins: "good*,conflicta", Sources: src},
	)
	files := []string{f.Plugins["good"], f.Plugins["nonew"], f.Plugins["badnew"], f.Plugins["staleapi"], f.Plugins["good2"], f.Plugins["conflicta"]}
	rep, err := CheckDynamic(context.Background(), dynamicOpts(f, f.Host), files)
	if err != nil {
		t.Fatal(err)
	}
	o := dynamicOpts(f, f.Host)
	o.Contract = c
	rep2, err := CheckDynamic(context.Background(), o, files)
	if err != nil {
		t.Fatal(err)
	}
	for i := range files {
		a, b := rep.Results[i], rep2.Results[i]
		want := problemCodes(a.Problems)
		if strings.HasSuffix(files[i], "conflicta.so") {
			want = []diag.Code{MissingSymbol} // it has no Capabilities, which this contract requires of it
		}
		if !slices.Equal(want, problemCodes(b.Problems)) || !a.Convention || !b.Convention || want == nil && a.Name != b.Name {
			t.Errorf("%s: implicit convention %v (name %q), explicit %v (name %q, convention %v)\n%s", files[i],
				problemCodes(a.Problems), a.Name, problemCodes(b.Problems), b.Name, b.Convention, problemText(b.Problems))
		}
	}
	if rep2.Results[0].Name != "good" {
		t.Errorf("good: New and Name were not called: %+v", rep2.Results[0])
	}
	if text := problemText(rep2.Results[5].Problems); !strings.Contains(text, "exports no Capabilities") {
		t.Errorf("conflicta: %s", text)
	}

	// The convention, given explicitly, on a host that does not link the
	// API package: only plugin.Open, as without a contract.
	o = dynamicOpts(f, f.PlainHost)
	o.Contract = contract.Default(pluginapi.ImportPath)
	rep, err = CheckDynamic(context.Background(), o, []string{f.Plugins["nonew"], f.Random})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Contract != nil || len(rep.Results[0].Problems) != 0 || !slices.Equal(problemCodes(rep.Results[1].Problems), []diag.Code{NotAPlugin}) {
		t.Errorf("plain host with the convention: contract %v, %v / %v", rep.Contract, rep.Results[0].Problems, rep.Results[1].Problems)
	}
}

// TestCheckDynamicBatches: plugins that load cleanly are checked in one
// process, which is their set check too; a plugin that ends the process
// is the culprit, checked alone, and the next batch starts after it; the
// verdicts are those of a check one process per artifact.
func TestCheckDynamicBatches(t *testing.T) {
	f := fixture.Probe(t)
	p := f.Plugins
	cases := []struct {
		name      string
		paths     []string
		codes     [][]diag.Code
		maxRuns   int
		setSkiped bool
	}{
		{"all clean", []string{p["good"], p["good2"], p["rega"], p["conflicta"]}, [][]diag.Code{nil, nil, nil, nil}, 1, true},
		{"a culprit in the middle", []string{p["good"], p["initexit"], p["good2"]}, [][]diag.Code{nil, {InitExit}, nil}, 4, false},
		{"a conflict", []string{p["conflicta"], p["good"], p["conflictb"]}, [][]diag.Code{nil, nil, {PluginConflict}}, 3, false},
		{"a failure at the end", []string{p["good"], p["good2"], p["nonew"]}, [][]diag.Code{nil, nil, {MissingNew}}, 2, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rep, err := CheckDynamic(context.Background(), dynamicOpts(f, f.Host), c.paths)
			if err != nil {
				t.Fatal(err)
			}
			for i, r := range rep.Results {
				if got := problemCodes(r.Problems); !slices.Equal(got, c.codes[i]) {
					t.Errorf("%s: codes %v, want %v\n%s", filepath.Base(c.paths[i]), got, c.codes[i], problemText(r.Problems))
				}
				if !r.Checked {
					t.Errorf("%s: not checked", c.paths[i])
				}
			}
			if rep.Runs > c.maxRuns || rep.SetSkipped != c.setSkiped {
				t.Errorf("%d probe runs (at most %d), set check skipped %v (want %v)", rep.Runs, c.maxRuns, rep.SetSkipped, c.setSkiped)
			}
		})
	}
}

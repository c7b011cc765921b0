package loader_test

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"plugin"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/pluginctl/pluginctl/internal/fixture"
	"github.com/pluginctl/pluginctl/pluginapi"
	"github.com/pluginctl/pluginctl/pluginapi/loader"
)

// fixtures are the plugins of testdata/plugins these tests load, built by
// built.
var fixtures = []string{
	"good", "badversion", "badnew", "nonew", "othercaps",
	"initerr", "newpanic", "badmeta", "withmeta",
}

var (
	buildOnce sync.Once
	buildSkip string
)

func TestMain(m *testing.M) { fixture.Main(m) }

// buildFlags returns the go build flags that make a plugin loadable into
// this test binary: the settings recorded in its build info that change
// how packages are compiled. The empty skip reason means "go ahead".
func buildFlags() (flags []string, skip string) {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return nil, "no build info in the test binary: cannot build matching plugins"
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "CGO_ENABLED":
			if s.Value != "1" {
				return nil, "plugin.Open needs cgo (CGO_ENABLED=1)"
			}
		case "-race", "-msan", "-asan", "-trimpath":
			if s.Value == "true" {
				flags = append(flags, s.Key)
			}
		case "-tags", "-gcflags", "-asmflags":
			flags = append(flags, s.Key+"="+s.Value)
		}
	}
	return flags, ""
}

// built builds every fixture (once per test binary, with the flags of the
// test binary) and returns the path of NAME.so. Slow on a cold build
// cache, so skipped under -short.
func built(t *testing.T, name string) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds real plugins; skipped with -short")
	}
	flags, skip := buildFlags()
	buildOnce.Do(func() {
		if skip != "" {
			buildSkip = skip
			return
		}
		// A plugin from another toolchain would kill this process in
		// plugin.Open, so make sure "go" is the one that built us.
		out, err := exec.Command("go", "env", "GOVERSION").Output()
		if err != nil {
			buildSkip = fmt.Sprintf("no go command: %v", err)
			return
		}
		if v := strings.TrimSpace(string(out)); v != runtime.Version() {
			buildSkip = fmt.Sprintf("go command is %s, test binary is %s", v, runtime.Version())
			return
		}
		// -cover alone instruments only this package, which the plugins
		// do not link; -coverpkg covering pluginapi (or std) makes every
		// plugin "a different version" and cannot be mirrored.
		if testing.CoverMode() != "" {
			if _, err := plugin.Open(fixture.Plain(t, "./testdata/plugins/good", flags...)); err != nil {
				buildSkip = fmt.Sprintf("coverage instrumentation of a package the plugins share (-coverpkg?) makes them unloadable: %v", err)
			}
		}
	})
	if buildSkip != "" {
		t.Skip(buildSkip)
	}
	return fixture.Plain(t, "./testdata/plugins/"+name, flags...)
}

// pluginDir returns a new directory holding symlinks NAME.so to the named
// fixtures. plugin.Open resolves symlinks, so every test opens the same
// files and the process never sees two copies of one plugin.
func pluginDir(t *testing.T, names ...string) string {
	t.Helper()
	dir := t.TempDir()
	for _, n := range names {
		if err := os.Symlink(built(t, n), filepath.Join(dir, n+".so")); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// logger returns a logger that writes to the returned buffer.
func logger(t *testing.T) (*slog.Logger, *bytes.Buffer) {
	t.Helper()
	var buf bytes.Buffer
	return slog.New(slog.NewTextHandler(&buf, nil)), &buf
}

func TestLoadGood(t *testing.T) {
	dir := pluginDir(t, "good")
	log, buf := logger(t)
	set, err := loader.Load(dir, loader.Options{
		Logger:              log,
		RequireCapabilities: []string{"filter"},
		HostName:            "loadertest",
		Config:              map[string]string{"good.suffix": "!", "suffix": "wrong scope"},
	})
	t.Log(buf.String())
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Skipped) != 0 || len(set.Loaded) != 1 {
		t.Fatalf("loaded %d, skipped %v; want 1 loaded", len(set.Loaded), set.Err())
	}
	l := set.Loaded[0]
	if l.Path != filepath.Join(dir, "good.so") || l.Name != "good" || l.APIVersion != pluginapi.APIVersion {
		t.Errorf("got path %q name %q version %q", l.Path, l.Name, l.APIVersion)
	}
	if !slices.Equal(l.Capabilities, []string{"filter", "transform", "text"}) {
		t.Errorf("capabilities %q", l.Capabilities)
	}
	if l.Metadata != nil {
		t.Errorf("metadata %+v, want none", l.Metadata)
	}
	resp, err := l.Plugin.Handle(&pluginapi.Request{ID: "1", Body: []byte("hi")})
	if err != nil || resp.Status != pluginapi.StatusOK || string(resp.Body) != "HI!" {
		t.Errorf("Handle = %+v, %v; want 200 HI!", resp, err)
	}
	if !strings.Contains(buf.String(), "good: init from loadertest") {
		t.Errorf("log lacks the plugin's Logf line")
	}
	if ps := set.Plugins(); len(ps) != 1 || ps[0] != l.Plugin {
		t.Errorf("Plugins() = %v", ps)
	}
	if set.Err() != nil {
		t.Errorf("Err() = %v", set.Err())
	}
}

func TestSkip(t *testing.T) {
	tests := []struct {
		fixture string
		require []string
		is      []error // the skip error wraps all of these
		isNot   []error // and none of these
		text    string  // and its message contains this
	}{
		{"badversion", nil, []error{loader.ErrAPIVersion}, []error{loader.ErrBadNew}, `plugin built against "v0", host wants "v1"`},
		{"badnew", nil, []error{loader.ErrBadNew}, []error{loader.ErrMissingSymbol, loader.ErrAPIVersion}, "is func() (pluginapi.Plugin, error)"},
		{"nonew", nil, []error{loader.ErrBadNew, loader.ErrMissingSymbol}, nil, "looking up New"},
		{"othercaps", []string{"echo"}, []error{loader.ErrMissingCapability}, nil, `"echo"`},
		{"withmeta", []string{"echo"}, []error{loader.ErrMissingCapability}, nil, `"echo"`},
		{"initerr", nil, []error{loader.ErrInit}, []error{loader.ErrPanic}, "no database configured"},
		{"newpanic", nil, []error{loader.ErrBadNew, loader.ErrPanic}, nil, "newpanic: no configuration"},
		{"badmeta", nil, []error{loader.ErrBadMetadata}, nil, "unknown metadata schema"},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			dir := pluginDir(t, tt.fixture)
			log, buf := logger(t)
			set, err := loader.Load(dir, loader.Options{Logger: log, RequireCapabilities: tt.require})
			if err != nil {
				t.Fatal(err)
			}
			if len(set.Loaded) != 0 || len(set.Skipped) != 1 {
				t.Fatalf("loaded %d, skipped %d; want 0 and 1", len(set.Loaded), len(set.Skipped))
			}
			checkSkip(t, set.Skipped[0], filepath.Join(dir, tt.fixture+".so"), tt.is, tt.isNot, tt.text)
			if !strings.Contains(buf.String(), "skipping plugin") {
				t.Errorf("skip not logged: %s", buf)
			}
		})
	}
}

func checkSkip(t *testing.T, le *loader.LoadError, path string, is, isNot []error, text string) {
	t.Helper()
	t.Log(le)
	if le.Path != path {
		t.Errorf("path %q, want %q", le.Path, path)
	}
	for _, e := range is {
		if !errors.Is(le, e) {
			t.Errorf("error does not wrap %q", e)
		}
	}
	for _, e := range isNot {
		if errors.Is(le, e) {
			t.Errorf("error wraps %q", e)
		}
	}
	if msg := le.Error(); !strings.HasPrefix(msg, "loading plugin "+path+": ") || !strings.Contains(msg, text) {
		t.Errorf("message %q lacks the path prefix or %q", msg, text)
	}
}

// TestMixed loads good and bad plugins from one directory: the good ones
// load, in file name order, whatever else is there.
func TestMixed(t *testing.T) {
	dir := pluginDir(t, fixtures...)
	write := func(name string, data []byte) {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("0-garbage.so", []byte("\x7fELF this is not a shared object"))
	write("README.txt", []byte("not a plugin file name"))
	// A byte-for-byte copy of good.so: the runtime refuses a second copy
	// of a loaded plugin. It sorts after good.so, so good.so wins.
	good, err := os.ReadFile(built(t, "good"))
	if err != nil {
		t.Fatal(err)
	}
	write("zz-copy.so", good)
	// A symlink to good.so is the same plugin again.
	if err := os.Symlink(built(t, "good"), filepath.Join(dir, "zz-link.so")); err != nil {
		t.Fatal(err)
	}

	log, buf := logger(t)
	set, err := loader.Load(dir, loader.Options{Logger: log})
	t.Log(buf.String())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, l := range set.Loaded {
		names = append(names, l.Name)
	}
	if want := []string{"good", "othercaps", "withmeta"}; !slices.Equal(names, want) {
		t.Errorf("loaded %q, want %q", names, want)
	}
	if md := set.Loaded[len(set.Loaded)-1].Metadata; md == nil || md.Package != "example.com/withmeta" || md.Flags[0] != "-trimpath" {
		t.Errorf("withmeta metadata = %+v", md)
	}

	want := []struct {
		file string
		err  error
	}{
		{"0-garbage.so", loader.ErrOpen},
		{"badmeta.so", loader.ErrBadMetadata},
		{"badnew.so", loader.ErrBadNew},
		{"badversion.so", loader.ErrAPIVersion},
		{"initerr.so", loader.ErrInit},
		{"newpanic.so", loader.ErrPanic},
		{"nonew.so", loader.ErrMissingSymbol},
		{"zz-copy.so", loader.ErrOpen},
		{"zz-link.so", loader.ErrDuplicate},
	}
	if len(set.Skipped) != len(want) {
		t.Fatalf("skipped %d files, want %d:\n%v", len(set.Skipped), len(want), set.Err())
	}
	for i, w := range want {
		le := set.Skipped[i]
		if le.Path != filepath.Join(dir, w.file) || !errors.Is(le, w.err) {
			t.Errorf("skip %d = %v; want %s with %q", i, le, w.file, w.err)
		}
	}
	if !strings.Contains(set.Skipped[7].Error(), "plugin already loaded") {
		t.Errorf("copy: %v", set.Skipped[7])
	}
	if err := set.Err(); !errors.Is(err, loader.ErrAPIVersion) || !errors.Is(err, loader.ErrOpen) {
		t.Errorf("Err() = %v", err)
	}
}

// TestCheck checks an already opened plugin, the way a verifier probe
// does, and uses a caller-supplied Host.
func TestCheck(t *testing.T) {
	dir := pluginDir(t, "good")
	path := filepath.Join(dir, "good.so")
	p, err := plugin.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	h := &recordingHost{config: map[string]string{"suffix": "?"}}
	l, err := loader.Check(path, p, loader.Options{Host: h, RequireCapabilities: []string{"transform"}})
	if err != nil {
		t.Fatal(err)
	}
	if l.Path != path || l.Raw != p || l.Name != "good" {
		t.Errorf("got %+v", l)
	}
	if !slices.Equal(h.logs, []string{"init from recording"}) {
		t.Errorf("Init logged %q", h.logs)
	}
	resp, err := l.Plugin.Handle(&pluginapi.Request{Body: []byte("x")})
	if err != nil || string(resp.Body) != "X?" {
		t.Errorf("Handle = %+v, %v", resp, err)
	}

	if _, err := loader.Check(path, p, loader.Options{Host: h, RequireCapabilities: []string{"batch"}}); !errors.Is(err, loader.ErrMissingCapability) {
		t.Errorf("Check with a missing capability: %v", err)
	}
	if v, err := loader.CheckAPIVersion(p); v != pluginapi.APIVersion || err != nil {
		t.Errorf("CheckAPIVersion = %q, %v", v, err)
	}
	if md, err := loader.LookupMetadata(p); md != nil || err != nil {
		t.Errorf("LookupMetadata = %v, %v; want nil, nil", md, err)
	}

	// Open is Load for one file.
	l, err = loader.Open(path, loader.Options{Host: h})
	if err != nil || l.Name != "good" {
		t.Errorf("Open = %+v, %v", l, err)
	}
	bad := filepath.Join(pluginDir(t, "badversion"), "badversion.so")
	if _, err := loader.Open(bad, loader.Options{}); !errors.Is(err, loader.ErrAPIVersion) {
		t.Errorf("Open(badversion) = %v", err)
	} else if le, ok := errors.AsType[*loader.LoadError](err); !ok || le.Path != bad {
		t.Errorf("Open(badversion) error is not a *LoadError for its path: %#v", err)
	}
}

type recordingHost struct {
	config map[string]string
	logs   []string
}

func (h *recordingHost) HostName() string { return "recording" }
func (h *recordingHost) Config(key string) (string, bool) {
	v, ok := h.config[key]
	return v, ok
}
func (h *recordingHost) Logf(format string, args ...any) {
	h.logs = append(h.logs, fmt.Sprintf(format, args...))
}

// The tests below build nothing and run with -short.

// TestNotAPlugin needs no build: random bytes named x.so are skipped.
func TestNotAPlugin(t *testing.T) {
	if _, skip := buildFlags(); strings.Contains(skip, "cgo") {
		t.Skip(skip)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "x.so"), []byte("random bytes, not ELF"), 0o644); err != nil {
		t.Fatal(err)
	}
	log, _ := logger(t)
	set, err := loader.Load(dir, loader.Options{Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Loaded) != 0 || len(set.Skipped) != 1 || !errors.Is(set.Skipped[0], loader.ErrOpen) {
		t.Fatalf("got loaded %v, skipped %v", set.Loaded, set.Err())
	}
	t.Log(set.Skipped[0])
}

func TestLoadEmptyAndMissingDir(t *testing.T) {
	set, err := loader.Load(t.TempDir(), loader.Options{})
	if err != nil || len(set.Loaded)+len(set.Skipped) != 0 || set.Err() != nil {
		t.Errorf("empty dir: %+v, %v", set, err)
	}
	if _, err := loader.Load(filepath.Join(t.TempDir(), "nope"), loader.Options{}); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing dir: %v", err)
	}
}

func TestFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "we[i]rd*")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"b.so", "a.so", "c.so.1", "d.txt", "A.so", ".hidden.so"} {
		if err := os.WriteFile(filepath.Join(dir, n), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := loader.Files(dir)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, n := range []string{".hidden.so", "A.so", "a.so", "b.so"} {
		want = append(want, filepath.Join(dir, n))
	}
	if !slices.Equal(got, want) {
		t.Errorf("Files = %q, want %q", got, want)
	}
}

func TestNegotiate(t *testing.T) {
	if err := loader.Negotiate([]string{"a", "b"}, []string{"b", "a"}); err != nil {
		t.Error(err)
	}
	if err := loader.Negotiate(nil, nil); err != nil {
		t.Error(err)
	}
	err := loader.Negotiate([]string{"a"}, []string{"a", "z"})
	if !errors.Is(err, loader.ErrMissingCapability) || !strings.Contains(err.Error(), `"z"`) {
		t.Errorf("got %v", err)
	}
}

func TestNewHost(t *testing.T) {
	var buf bytes.Buffer
	h := loader.NewHost("myhost", "filter", map[string]string{"filter.word": "X", "other.word": "Y"},
		slog.New(slog.NewTextHandler(&buf, nil)))
	if h.HostName() != "myhost" {
		t.Errorf("HostName = %q", h.HostName())
	}
	if v, ok := h.Config("word"); v != "X" || !ok {
		t.Errorf("Config(word) = %q, %v", v, ok)
	}
	if v, ok := h.Config("missing"); v != "" || ok {
		t.Errorf("Config(missing) = %q, %v", v, ok)
	}
	h.Logf("n=%d", 3)
	if !strings.Contains(buf.String(), `msg="filter: n=3"`) {
		t.Errorf("log %q", buf.String())
	}
	if h := loader.NewHost("", "p", nil, nil); h.HostName() == "" {
		t.Error("default HostName is empty")
	}
}

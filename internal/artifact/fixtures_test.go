package artifact

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The fixtures are real files built once per test binary with the go
// command and gcc into fixtureRoot, removed by TestMain.
var (
	fixtureRoot string
	fixOnce     sync.Once
	fix         *fixtureSet
	fixErr      error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if fixtureRoot != "" {
		os.RemoveAll(fixtureRoot)
	}
	os.Exit(code)
}

// fixtureSet holds the paths of the built fixtures.
type fixtureSet struct {
	Plugin         string // example.com/fx in dir a
	PluginAgain    string // same sources and dir, built again to another name
	PluginOtherDir string // same sources in dir b
	PluginTrim     string // dir a, -trimpath
	PluginTrimB    string // dir b, -trimpath
	PluginNoOpt    string // dir a, -gcflags=all=-N -l
	PluginNoDWARF  string // dir a, -ldflags=-w
	PluginStrip    string // dir a, -ldflags=-s
	PluginFiles    string // built from files: plugin/unnamed-<sha1>
	PluginFilesS   string // built from files, -ldflags=-s
	Host           string // Go executable importing plugin and the api package
	HostPIE        string // the host, -buildmode=pie
	HostStatic     string // CGO_ENABLED=0 Go executable
	Exe386         string // GOARCH=386 static executable: ELF32
	ExeFreeBSD     string // GOOS=freebsd GOARCH=arm64 static executable
	CShared        string // -buildmode=c-shared
	CLib           string // gcc -shared
	CExe           string // gcc executable
	Dir            string // the fixture directory itself
}

const fxGoMod = "module example.com/fx\n\ngo 1.26\n"

const fxAPI = `// Package api is the fixture's shared API.
package api

type Plugin interface{ Name() string }

type Host interface{ Log(string) }
`

// fxMain is the plugin: exported funcs and vars, a method on a value and
// a pointer receiver, a closure, an inlined exported function, the
// pluginctl metadata variable.
const fxMain = `package main

import (
	"errors"

	"example.com/fx/api"
)

var APIVersion = "v1"

var PluginctlMetadata = ` + "`" + fxMeta + "`" + `

type T struct{ n int }

func (t T) Get() int   { return t.n }
func (t *T) Set(n int) { t.n = n }
func (t T) Name() string { return "fx" }

var Obj = &T{}

var counter int

//go:noinline
func call(f func() int) int { return f() }

// Inc is small and inlined into New: its DWARF entry is abstract.
func Inc(x int) int { return x + 1 }

func New() int {
	Obj.Set(len(APIVersion))
	return call(func() int { counter++; return Inc(Obj.Get()) + counter })
}

func Make() api.Plugin { return T{} }

func Init(h api.Host) error {
	if h == nil {
		return errors.New("nil host")
	}
	h.Log("init")
	return nil
}

func main() {}
`

const fxMeta = `{"schema":"pluginctl.metadata/v1","kind":"plugin","package":"example.com/fx","module":"example.com/fx","pluginctl_version":"test","go_version":"go1.26.8","goos":"linux","goarch":"amd64","flags":[],"build_set":"bs1"}`

const hostMain = `package main

import (
	"fmt"
	"os"
	"plugin"

	"example.com/fx/api"
)

var _ api.Plugin

func main() {
	p, err := plugin.Open(os.Args[1])
	fmt.Println(p, err)
}
`

const tinyMain = `package main

func main() {}
`

const cSharedMain = `package main

import "C"

//export Add
func Add(a, b C.int) C.int { return a + b }

func main() {}
`

const cLib = `int add(int a, int b) { return a + b; }
`

const cExe = `#include <stdio.h>
int main(void) { puts("hi"); return 0; }
`

// fixtures builds the fixtures on first use; it skips in -short mode.
func fixtures(t testing.TB) *fixtureSet {
	t.Helper()
	if testing.Short() {
		t.Skip("builds plugins with the go command; skipped in -short mode")
	}
	fixOnce.Do(func() {
		start := time.Now()
		fix, fixErr = buildFixtures()
		if fixErr == nil {
			fmt.Fprintf(os.Stderr, "artifact: built fixtures in %v\n", time.Since(start).Round(time.Millisecond))
		}
	})
	if fixErr != nil {
		t.Fatalf("building fixtures: %v", fixErr)
	}
	return fix
}

func buildFixtures() (*fixtureSet, error) {
	removeStaleFixtures()
	root, err := os.MkdirTemp("", fmt.Sprintf("artifact-fixtures-%d-", os.Getpid()))
	if err != nil {
		return nil, err
	}
	fixtureRoot = root
	out := func(name string) string { return filepath.Join(root, "out", name) }
	if err := os.MkdirAll(filepath.Join(root, "out", "dir"), 0o755); err != nil {
		return nil, err
	}
	for _, dir := range []string{"a", "b"} {
		files := map[string]string{
			"go.mod":          fxGoMod,
			"api/api.go":      fxAPI,
			"plugin/main.go":  fxMain,
			"host/main.go":    hostMain,
			"cshared/main.go": cSharedMain,
			"tiny/main.go":    tinyMain,
		}
		for name, content := range files {
			p := filepath.Join(root, dir, name)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				return nil, err
			}
			if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
				return nil, err
			}
		}
	}
	if err := os.WriteFile(filepath.Join(root, "lib.c"), []byte(cLib), 0o644); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(root, "exe.c"), []byte(cExe), 0o644); err != nil {
		return nil, err
	}
	a, b := filepath.Join(root, "a"), filepath.Join(root, "b")
	f := &fixtureSet{
		Plugin:         out("fx.so"),
		PluginAgain:    out("fx-again.so"),
		PluginOtherDir: out("fx-b.so"),
		PluginTrim:     out("fx-trim.so"),
		PluginTrimB:    out("fx-trim-b.so"),
		PluginNoOpt:    out("fx-noopt.so"),
		PluginNoDWARF:  out("fx-w.so"),
		PluginStrip:    out("fx-s.so"),
		PluginFiles:    out("files.so"),
		PluginFilesS:   out("files-s.so"),
		Host:           out("host"),
		HostPIE:        out("host-pie"),
		HostStatic:     out("host-static"),
		Exe386:         out("tiny-386"),
		ExeFreeBSD:     out("tiny-freebsd-arm64"),
		CShared:        out("cshared.so"),
		CLib:           out("libc.so"),
		CExe:           out("cexe"),
		Dir:            out("dir"),
	}
	type job struct {
		dir  string
		env  []string
		args []string
	}
	goBuild := func(dir string, env []string, args ...string) job {
		return job{dir, env, append([]string{"go", "build"}, args...)}
	}
	jobs := []job{
		// The plugin first: it compiles std with -dynlink for the others.
		goBuild(a, nil, "-buildmode=plugin", "-o", f.Plugin, "./plugin"),
		goBuild(a, nil, "-buildmode=plugin", "-o", f.PluginAgain, "./plugin"),
		goBuild(b, nil, "-buildmode=plugin", "-o", f.PluginOtherDir, "./plugin"),
		goBuild(a, nil, "-buildmode=plugin", "-trimpath", "-o", f.PluginTrim, "./plugin"),
		goBuild(b, nil, "-buildmode=plugin", "-trimpath", "-o", f.PluginTrimB, "./plugin"),
		goBuild(a, nil, "-buildmode=plugin", "-gcflags=all=-N -l", "-o", f.PluginNoOpt, "./plugin"),
		goBuild(a, nil, "-buildmode=plugin", "-ldflags=-w", "-o", f.PluginNoDWARF, "./plugin"),
		goBuild(a, nil, "-buildmode=plugin", "-ldflags=-s", "-o", f.PluginStrip, "./plugin"),
		goBuild(filepath.Join(a, "plugin"), nil, "-buildmode=plugin", "-o", f.PluginFiles, "main.go"),
		goBuild(filepath.Join(a, "plugin"), nil, "-buildmode=plugin", "-ldflags=-s", "-o", f.PluginFilesS, "main.go"),
		goBuild(a, nil, "-o", f.Host, "./host"),
		goBuild(a, nil, "-buildmode=pie", "-o", f.HostPIE, "./host"),
		goBuild(a, []string{"CGO_ENABLED=0"}, "-o", f.HostStatic, "./host"),
		goBuild(a, nil, "-buildmode=c-shared", "-o", f.CShared, "./cshared"),
		goBuild(a, []string{"CGO_ENABLED=0", "GOARCH=386"}, "-o", f.Exe386, "./tiny"),
		goBuild(a, []string{"CGO_ENABLED=0", "GOOS=freebsd", "GOARCH=arm64"}, "-o", f.ExeFreeBSD, "./tiny"),
		{root, nil, []string{"gcc", "-shared", "-fPIC", "-o", f.CLib, "lib.c"}},
		{root, nil, []string{"gcc", "-o", f.CExe, "exe.c"}},
	}
	run := func(j job) error {
		cmd := exec.Command(j.args[0], j.args[1:]...)
		cmd.Dir = j.dir
		cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-buildvcs=false")
		cmd.Env = append(cmd.Env, j.env...)
		if b, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("%s in %s: %v\n%s", strings.Join(j.args, " "), j.dir, err, b)
		}
		return nil
	}
	// The first build warms the cache; the rest run two at a time (the
	// facts file: more parallel go builds are slower on 2 cores).
	if err := run(jobs[0]); err != nil {
		return nil, err
	}
	var wg sync.WaitGroup
	errs := make(chan error, len(jobs))
	sem := make(chan struct{}, 2)
	for _, j := range jobs[1:] {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			errs <- run(j)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return f, nil
}

// removeStaleFixtures removes the fixture directories of test processes
// that are gone: fuzz workers are killed without running TestMain's
// cleanup.
func removeStaleFixtures() {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), "artifact-fixtures-*-*"))
	for _, d := range dirs {
		var pid int
		if _, err := fmt.Sscanf(filepath.Base(d), "artifact-fixtures-%d-", &pid); err != nil || pid <= 0 {
			continue
		}
		if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
			os.RemoveAll(d)
		}
	}
}

// Package probetest builds the fixtures of the dynamic check's tests from
// source: a careful test host, a host without the API convention, a host
// built from another copy of the source, and one plugin per outcome. Only
// tests import it.
package probetest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/pluginctl/pluginctl/internal/gocmd"
)

// Fixtures are the built files.
type Fixtures struct {
	// Root is the module root; Dir holds the built files.
	Root, Dir string
	// Host is the careful test host (testdata/host, links pluginapi and
	// its loader); PlainHost opens plugins without the API convention;
	// OtherHost is testdata/host built from a copy of the module whose
	// pluginapi has one more comment line.
	Host, PlainHost, OtherHost string
	// Plugins maps a testdata/plugins directory name (or a name of
	// corpusPlugins) to its .so file.
	Plugins map[string]string
	// Dup is a byte copy of good.so under another name; Random is 4 KiB
	// of random bytes; Empty is an empty .so file.
	Dup, Random, Empty string
	// Go runs the local go command.
	Go *gocmd.Go
	// BuildTime is how long building everything took.
	BuildTime time.Duration
}

// PluginNames are the plugins under testdata/plugins.
var PluginNames = []string{
	"good", "good2", "nonew", "badnew", "stale", "badmeta", "newpanic", "initerr", "initpanic",
	"initexit", "forge", "forgedlsym", "escape", "block", "cabort", "conflicta", "conflictb", "env", "noisy", "rega", "regb", "csegv", "selfkill", "hostile",
}

// corpusPlugins are the plugins of PluginNames built from the fixture
// corpus (testdata/plugins at the module root) instead of a copy here.
var corpusPlugins = map[string]string{
	"forgedlsym": "./testdata/plugins/initforgedlsym",
}

// Pkg is the import path of the probe package's testdata.
const Pkg = "github.com/pluginctl/pluginctl/verifier/internal/probe/testdata"

var (
	once     sync.Once
	fixtures *Fixtures
	buildErr error
)

// Get builds the fixtures once per test binary (skipped with -short) and
// returns them. They live in a directory of os.TempDir() that is reused by
// later runs of the same test binary on the same checkout, where `go
// build` finds every output up to date and relinks nothing.
func Get(t testing.TB) *Fixtures {
	t.Helper()
	if testing.Short() {
		t.Skip("builds real hosts and plugins; skipped with -short")
	}
	once.Do(func() {
		fixtures, buildErr = build(context.Background())
	})
	if buildErr != nil {
		t.Fatalf("building fixtures: %v", buildErr)
	}
	return fixtures
}

// fixtureDir returns the module root and the fixtures' directory, locked
// until unlock is called.
func fixtureDir(ctx context.Context) (root, dir string, unlock func(), err error) {
	g := &gocmd.Go{}
	env, err := g.ReadEnv(ctx)
	if err != nil {
		return "", "", nil, err
	}
	if env.GOMOD == "" {
		return "", "", nil, fmt.Errorf("not inside the module")
	}
	root = filepath.Dir(env.GOMOD)
	sum := sha256.Sum256([]byte(root))
	// One directory per checkout, shared by the test binaries that use
	// it: the first builds under the lock, the others find it done.
	dir = filepath.Join(os.TempDir(), "pluginctl-probetest", fmt.Sprintf("%x-%d", sum[:6], os.Getuid()))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", "", nil, err
	}
	lock, err := os.OpenFile(filepath.Join(dir, "lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return "", "", nil, err
	}
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		lock.Close()
		return "", "", nil, err
	}
	return root, dir, func() { lock.Close() }, nil
}

func gobuild(ctx context.Context, dir string, args ...string) error {
	c := &gocmd.Go{Dir: dir}
	_, err := c.Output(ctx, "build", args...)
	return err
}

// buildParallel runs build on each name, two at a time (more is slower
// on a cold cache), and returns the first error.
func buildParallel(names []string, build func(string) error) error {
	var mu sync.Mutex
	var firstErr error
	work := make(chan string)
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for name := range work {
				if err := build(name); err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
				}
			}
		}()
	}
	for _, name := range names {
		work <- name
	}
	close(work)
	wg.Wait()
	return firstErr
}

func build(ctx context.Context) (*Fixtures, error) {
	start := time.Now()
	root, dir, unlock, err := fixtureDir(ctx)
	if err != nil {
		return nil, err
	}
	defer unlock()
	f := &Fixtures{Root: root, Dir: dir, Plugins: map[string]string{}, Go: &gocmd.Go{Dir: root}}
	fail := func(err error) (*Fixtures, error) { return nil, err }
	gobuild := func(dir string, args ...string) error { return gobuild(ctx, dir, args...) }

	// Hosts first: they compile the standard library the normal way.
	f.Host = filepath.Join(dir, "host")
	f.PlainHost = filepath.Join(dir, "plainhost")
	f.OtherHost = filepath.Join(dir, "otherhost")
	if err := gobuild(root, "-o", f.Host, "./verifier/internal/probe/testdata/host"); err != nil {
		return fail(err)
	}
	if err := gobuild(root, "-o", f.PlainHost, "./verifier/internal/probe/testdata/plainhost"); err != nil {
		return fail(err)
	}
	other := filepath.Join(dir, "othersrc")
	os.RemoveAll(other)
	if err := copyOther(root, other); err != nil {
		return fail(err)
	}
	if err := gobuild(other, "-o", f.OtherHost, "./verifier/internal/probe/testdata/host"); err != nil {
		return fail(err)
	}

	// The other copy of conflictlib, for conflictb.
	lib := filepath.Join(root, "verifier/internal/probe/testdata/conflictlib/lib.go")
	libB := filepath.Join(dir, "conflictlib_b.go")
	overlay := filepath.Join(dir, "overlay_b.json")
	if err := os.WriteFile(libB, []byte("// Package conflictlib, copy b.\npackage conflictlib\n\n// Version says which copy this is.\nfunc Version() string { return \"b\" }\n"), 0o644); err != nil {
		return fail(err)
	}
	if err := os.WriteFile(overlay, []byte(fmt.Sprintf(`{"Replace":{%q:%q}}`, lib, libB)), 0o644); err != nil {
		return fail(err)
	}
	buildPlugin := func(name string) error {
		out := filepath.Join(dir, name+".so")
		args := []string{"-buildmode=plugin", "-o", out}
		if name == "conflictb" {
			args = append(args, "-overlay="+overlay)
		}
		src := "./verifier/internal/probe/testdata/plugins/" + name
		if shared, ok := corpusPlugins[name]; ok {
			src = shared
		}
		return gobuild(root, append(args, src)...)
	}
	// The first plugin compiles the standard library for dynamic
	// linking; then two at a time.
	if err := buildPlugin(PluginNames[0]); err != nil {
		return fail(err)
	}
	if err := buildParallel(PluginNames[1:], buildPlugin); err != nil {
		return fail(err)
	}
	for _, name := range PluginNames {
		f.Plugins[name] = filepath.Join(dir, name+".so")
	}

	// Files another test binary may be reading are only written when
	// they differ.
	good, err := os.ReadFile(f.Plugins["good"])
	if err != nil {
		return fail(err)
	}
	junk := make([]byte, 4096)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range junk {
		junk[i] = byte(rng.Uint32())
	}
	f.Dup = filepath.Join(dir, "zz_good_copy.so")
	f.Random = filepath.Join(dir, "random.so")
	f.Empty = filepath.Join(dir, "empty.so")
	for path, data := range map[string][]byte{f.Dup: good, f.Random: junk, f.Empty: nil} {
		if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, data) {
			continue
		}
		if err := os.WriteFile(path+".tmp", data, 0o644); err != nil {
			return fail(err)
		}
		if err := os.Rename(path+".tmp", path); err != nil {
			return fail(err)
		}
	}
	f.BuildTime = time.Since(start)
	fmt.Fprintf(os.Stderr, "probetest: built (or found up to date) 3 hosts and %d plugins in %v\n", len(f.Plugins), f.BuildTime.Round(time.Millisecond))
	return f, nil
}

// copyOther copies what testdata/host needs from the module at root to
// dst, with one more comment line at the top of pluginapi/api.go: the
// same package paths and versions, other source.
func copyOther(root, dst string) error {
	for _, rel := range []string{"go.mod", "go.sum", "pluginapi", "verifier/internal/probe/testdata/host", "verifier/internal/probe/testdata/shared"} {
		src := filepath.Join(root, rel)
		err := filepath.Walk(src, func(path string, info os.FileInfo, err error) error {
			if err != nil {
				return err
			}
			r, _ := filepath.Rel(root, path)
			target := filepath.Join(dst, r)
			if info.IsDir() {
				if info.Name() == "testdata" && path != src && !strings.HasSuffix(path, "probe/testdata") {
					return filepath.SkipDir
				}
				return os.MkdirAll(target, 0o755)
			}
			if strings.HasSuffix(path, "_test.go") {
				return nil
			}
			return copyFile(path, target)
		})
		if err != nil {
			return err
		}
	}
	api := filepath.Join(dst, "pluginapi", "api.go")
	data, err := os.ReadFile(api)
	if err != nil {
		return err
	}
	return os.WriteFile(api, append([]byte("// This copy of the module is not the checkout.\n"), data...), 0o644)
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// ContractFixtures are the fixtures of a host that never heard of
// pluginapi (testdata/contracthost) and its plugins
// (testdata/contractplugins).
type ContractFixtures struct {
	// Root is the module root; Dir holds the built files.
	Root, Dir string
	// Host is testdata/contracthost; HostPkg its import path.
	Host, HostPkg string
	// Plugins maps a plugin name to its .so file: each directory of
	// testdata/contractplugins, and "extra", cgood built as extra.so.
	Plugins map[string]string
	// Go runs the local go command.
	Go *gocmd.Go
}

// ContractPluginNames are the plugins of ContractFixtures.
var ContractPluginNames = []string{
	"cgood", "calt", "cnodouble", "cbadseven", "cbadnew", "cnonew", "cbadverbose", "extraok", "extra", "chandler",
}

var (
	contractOnce     sync.Once
	contractFixtures *ContractFixtures
	contractErr      error
)

// GetContract builds the contract fixtures once per test binary (skipped
// with -short), in the directory of Get's fixtures.
func GetContract(t testing.TB) *ContractFixtures {
	t.Helper()
	if testing.Short() {
		t.Skip("builds a real host and plugins; skipped with -short")
	}
	contractOnce.Do(func() {
		contractFixtures, contractErr = buildContract(context.Background())
	})
	if contractErr != nil {
		t.Fatalf("building the contract fixtures: %v", contractErr)
	}
	return contractFixtures
}

func buildContract(ctx context.Context) (*ContractFixtures, error) {
	start := time.Now()
	root, dir, unlock, err := fixtureDir(ctx)
	if err != nil {
		return nil, err
	}
	defer unlock()
	f := &ContractFixtures{
		Root: root, Dir: dir, Host: filepath.Join(dir, "contracthost"), HostPkg: Pkg + "/contracthost",
		Plugins: map[string]string{}, Go: &gocmd.Go{Dir: root},
	}
	if err := gobuild(ctx, root, "-o", f.Host, "./verifier/internal/probe/testdata/contracthost"); err != nil {
		return nil, err
	}
	err = buildParallel(ContractPluginNames, func(name string) error {
		src := name
		if name == "extra" {
			src = "cgood"
		}
		return gobuild(ctx, root, "-buildmode=plugin", "-o", filepath.Join(dir, name+".so"), "./verifier/internal/probe/testdata/contractplugins/"+src)
	})
	if err != nil {
		return nil, err
	}
	for _, name := range ContractPluginNames {
		f.Plugins[name] = filepath.Join(dir, name+".so")
	}
	fmt.Fprintf(os.Stderr, "probetest: built (or found up to date) the contract host and %d plugins in %v\n", len(f.Plugins), time.Since(start).Round(time.Millisecond))
	return f, nil
}

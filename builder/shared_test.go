package builder

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/pluginctl/pluginctl/internal/fixture"
	"github.com/pluginctl/pluginctl/internal/gocmd"
)

// goToolCache is the version of github.com/bradfitz/go-tool-cache the test
// builds its cache program and server from.
const goToolCache = "github.com/bradfitz/go-tool-cache@v0.0.0-20260722201841-0bb331e19f64"

// buildGoToolCache builds go-cacher and go-cacher-server from the module
// proxy into dir, or skips the test when the proxy cannot serve them.
func buildGoToolCache(t *testing.T, dir string) (cacher, server string) {
	t.Helper()
	mod := t.TempDir()
	run := func(skip bool, args ...string) {
		t.Helper()
		cmd := exec.Command("go", args...)
		cmd.Dir = mod
		cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod")
		if out, err := cmd.CombinedOutput(); err != nil {
			if skip {
				t.Skipf("the module proxy cannot serve %s: go %v: %v\n%s", goToolCache, args, err, out)
			}
			t.Fatalf("go %v: %v\n%s", args, err, out)
		}
	}
	run(false, "mod", "init", "gotoolcache.test")
	base, _, _ := cutAt(goToolCache)
	run(true, "get", base+"/cmd/go-cacher"+goToolCache[len(base):], base+"/cmd/go-cacher-server"+goToolCache[len(base):])
	run(false, "build", "-o", dir+string(filepath.Separator), base+"/cmd/go-cacher", base+"/cmd/go-cacher-server")
	return filepath.Join(dir, "go-cacher"), filepath.Join(dir, "go-cacher-server")
}

func cutAt(s string) (string, string, bool) {
	for i := range s {
		if s[i] == '@' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

// TestSharedCacheProg builds a module on "machine A" and then on "machine
// B" (each with its own GOCACHE, pluginctl cache and output folder), both
// with GOCACHEPROG set to go-cacher talking to one go-cacher-server on
// 127.0.0.1: B must compile no package, link no artifact, and get A's
// artifacts byte for byte.
func TestSharedCacheProg(t *testing.T) {
	if testing.Short() {
		t.Skip("builds go-tool-cache and a module from cold")
	}
	tmp := t.TempDir()
	cacher, server := buildGoToolCache(t, filepath.Join(tmp, "bin"))

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	srv := exec.Command(server, "--listen", addr, "--cache-dir", filepath.Join(tmp, "server"))
	var srvLog bytes.Buffer
	srv.Stdout, srv.Stderr = &srvLog, &srvLog
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Process.Kill(); srv.Wait() })
	for deadline := time.Now().Add(10 * time.Second); ; {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("go-cacher-server did not listen on %s:\n%s", addr, srvLog.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	wrapper := filepath.Join(tmp, "cacheprog")
	script := fmt.Sprintf("#!/bin/sh\nexec %q --verbose --cache-dir \"$CACHER_DIR\" --cache-server http://%s 2>>\"$CACHER_LOG\"\n", cacher, addr)
	if err := os.WriteFile(wrapper, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}

	// A module that imports nothing of pluginctl, new to every cache.
	dir := t.TempDir()
	nonce := strconv.FormatInt(time.Now().UnixNano(), 10)
	fixture.WriteFiles(t, dir, map[string]string{
		"go.mod":         "module example.com/fleet\n\ngo 1.21\n",
		"api/api.go":     "package api\n\nconst Nonce = \"" + nonce + "\"\n\ntype Handler interface{ Handle([]byte) ([]byte, error) }\n",
		"cmd/gw/main.go": "package main\n\nimport (\n\t\"fmt\"\n\t\"os\"\n\t\"plugin\"\n\n\t\"example.com/fleet/api\"\n)\n\nfunc main() {\n\tfor _, f := range os.Args[1:] {\n\t\tp, err := plugin.Open(f)\n\t\tif err != nil {\n\t\t\tpanic(err)\n\t\t}\n\t\ts, err := p.Lookup(\"New\")\n\t\tif err != nil {\n\t\t\tpanic(err)\n\t\t}\n\t\tfmt.Println(s.(func() api.Handler)())\n\t}\n}\n",
		"plugins/js/js.go": "package main\n\nimport (\n\t\"encoding/json\"\n\n\t\"example.com/fleet/api\"\n)\n\ntype h struct{}\n\nfunc (h) Handle(b []byte) ([]byte, error) { var v any; json.Unmarshal(b, &v); return json.Marshal(v) }\n\nfunc New() api.Handler { return h{} }\n",
		"plugins/web/web.go": "package main\n\nimport (\n\t\"net/http\"\n\n\t\"example.com/fleet/api\"\n)\n\ntype h struct{}\n\nfunc (h) Handle(b []byte) ([]byte, error) { return []byte(http.StatusText(len(b))), nil }\n\nfunc New() api.Handler { return h{} }\n",
	})

	type machine struct {
		name    string
		root    string
		relinks int
	}
	build := func(name string) (m machine, puts, misses int) {
		t.Helper()
		m = machine{name: name, root: filepath.Join(tmp, name)}
		log := filepath.Join(m.root, "cacher.log")
		os.MkdirAll(m.root, 0o755)
		os.RemoveAll(filepath.Join(dir, "bin"))
		t.Setenv("PLUGINCTL_CACHE", filepath.Join(m.root, "pluginctl"))
		env := append(os.Environ(),
			"GOCACHE="+filepath.Join(m.root, "gocache"),
			"GOCACHEPROG="+wrapper,
			"CACHER_DIR="+filepath.Join(m.root, "cacher"),
			"CACHER_LOG="+log,
		)
		res, err := Build(context.Background(), Options{
			Dir: dir, Go: &gocmd.Go{Env: env}, CacheDir: filepath.Join(m.root, "pluginctl", "artifacts"),
		})
		if err != nil {
			t.Fatalf("machine %s: %v", name, err)
		}
		m.relinks = res.Relinked
		data, _ := os.ReadFile(log)
		for _, s := range regexp.MustCompile(`(\d+) misses, \d+ errors\); (\d+) puts`).FindAllStringSubmatch(string(data), -1) {
			n, _ := strconv.Atoi(s[1])
			misses += n
			n, _ = strconv.Atoi(s[2])
			puts += n
		}
		if len(data) == 0 {
			t.Fatalf("machine %s: the cache program logged nothing: GOCACHEPROG was not used", name)
		}
		for _, f := range []string{"gw", "plugins/js.so", "plugins/web.so"} {
			if err := os.Rename(filepath.Join(dir, "bin", f), filepath.Join(m.root, filepath.Base(f))); err != nil {
				t.Fatal(err)
			}
		}
		return m, puts, misses
	}
	a, aPuts, _ := build("A")
	if a.relinks != 3 || aPuts == 0 {
		t.Fatalf("machine A linked %d of 3 artifacts and stored %d cache entries; want a cold build", a.relinks, aPuts)
	}
	b, bPuts, bMisses := build("B")
	if b.relinks != 0 {
		t.Errorf("machine B relinked %d artifacts, want 0: pluginctl's artifacts were not shared", b.relinks)
	}
	if bPuts != 0 {
		t.Errorf("machine B stored %d cache entries (%d misses): it compiled or linked what A had", bPuts, bMisses)
	}
	for _, f := range []string{"gw", "js.so", "web.so"} {
		x, _ := os.ReadFile(filepath.Join(a.root, f))
		y, _ := os.ReadFile(filepath.Join(b.root, f))
		if len(x) == 0 || !bytes.Equal(x, y) {
			t.Errorf("%s differs between machine A (%d bytes) and B (%d bytes)", f, len(x), len(y))
		}
	}
}

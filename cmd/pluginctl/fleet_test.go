package main

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
	"strings"
	"testing"
	"time"

	"github.com/pluginctl/pluginctl/internal/cli"
)

// goToolCache is the module and version of github.com/bradfitz/go-tool-cache
// the fleet test builds its cache program and server from.
const (
	goToolCache        = "github.com/bradfitz/go-tool-cache"
	goToolCacheVersion = "v0.0.0-20260722201841-0bb331e19f64"
)

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
				t.Skipf("the module proxy cannot serve %s@%s: go %v: %v\n%s", goToolCache, goToolCacheVersion, args, err, out)
			}
			t.Fatalf("go %v: %v\n%s", args, err, out)
		}
	}
	run(false, "mod", "init", "gotoolcache.test")
	run(true, "get", goToolCache+"/cmd/go-cacher@"+goToolCacheVersion, goToolCache+"/cmd/go-cacher-server@"+goToolCacheVersion)
	run(false, "build", "-o", dir+string(filepath.Separator), goToolCache+"/cmd/go-cacher", goToolCache+"/cmd/go-cacher-server")
	return filepath.Join(dir, "go-cacher"), filepath.Join(dir, "go-cacher-server")
}

// startCacheServer starts go-cacher-server on 127.0.0.1 and returns a
// GOCACHEPROG program (a script running go-cacher against it, with its
// statistics appended to $CACHER_LOG and its local cache in $CACHER_DIR).
func startCacheServer(t *testing.T, tmp string) string {
	t.Helper()
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
	prog := filepath.Join(tmp, "cacheprog")
	script := fmt.Sprintf("#!/bin/sh\nexec %q --verbose --cache-dir \"$CACHER_DIR\" --cache-server http://%s 2>>\"$CACHER_LOG\"\n", cacher, addr)
	if err := os.WriteFile(prog, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return prog
}

// TestFleetSharesOneCache runs `pluginctl check ./...` on "machine A" and
// then on "machine B" (each with its own GOCACHE, pluginctl cache and
// output folder), both with GOCACHEPROG set to go-cacher talking to one
// go-cacher-server on 127.0.0.1, on a module that imports nothing of
// pluginctl. B must compile nothing, link nothing (no artifact, no probe:
// the cache program is given no entry) and get A's artifacts byte for
// byte.
func TestFleetSharesOneCache(t *testing.T) {
	if testing.Short() {
		t.Skip("builds go-tool-cache and a module from cold")
	}
	tmp := t.TempDir()
	prog := startCacheServer(t, tmp)

	dir := t.TempDir()
	nonce := strconv.FormatInt(time.Now().UnixNano(), 10) // new to every cache
	for name, content := range map[string]string{
		"go.mod":             "module example.com/fleet\n\ngo 1.21\n",
		"api/api.go":         "package api\n\nconst Nonce = \"" + nonce + "\"\n\ntype Handler interface{ Handle([]byte) ([]byte, error) }\n",
		"cmd/gw/main.go":     "package main\n\nimport (\n\t\"fmt\"\n\t\"os\"\n\t\"plugin\"\n\n\t\"example.com/fleet/api\"\n)\n\nfunc main() {\n\tfor _, f := range os.Args[1:] {\n\t\tp, err := plugin.Open(f)\n\t\tif err != nil {\n\t\t\tpanic(err)\n\t\t}\n\t\ts, err := p.Lookup(\"New\")\n\t\tif err != nil {\n\t\t\tpanic(err)\n\t\t}\n\t\tif n, ok := s.(func() api.Handler); ok {\n\t\t\tfmt.Println(n())\n\t\t}\n\t}\n}\n",
		"plugins/js/js.go":   "package main\n\nimport (\n\t\"encoding/json\"\n\n\t\"example.com/fleet/api\"\n)\n\ntype h struct{}\n\nfunc (h) Handle(b []byte) ([]byte, error) {\n\tvar v any\n\tjson.Unmarshal(b, &v)\n\treturn json.Marshal(v)\n}\n\nfunc New() api.Handler { return h{} }\n",
		"plugins/web/web.go": "package main\n\nimport (\n\t\"strings\"\n\n\t\"example.com/fleet/api\"\n)\n\ntype h struct{}\n\nfunc (h) Handle(b []byte) ([]byte, error) { return []byte(strings.ToUpper(string(b))), nil }\n\nfunc New() api.Handler { return h{} }\n",
	} {
		writeFile(t, filepath.Join(dir, name), []byte(content))
	}
	t.Chdir(dir)
	t.Setenv("CGO_ENABLED", "1")
	t.Setenv("GOCACHEPROG", prog)

	// machine runs check on one machine and returns its output and the
	// number of entries its go commands and pluginctl gave the cache.
	machine := func(name string) (out string, puts int) {
		t.Helper()
		root := filepath.Join(tmp, name)
		log := filepath.Join(root, "cacher.log")
		os.RemoveAll(filepath.Join(dir, "bin"))
		t.Setenv("GOCACHE", filepath.Join(root, "gocache"))
		t.Setenv("PLUGINCTL_CACHE", filepath.Join(root, "pluginctl"))
		t.Setenv("CACHER_DIR", filepath.Join(root, "cacher"))
		t.Setenv("CACHER_LOG", log)
		var stdout, stderr bytes.Buffer
		err := cli.Run(context.Background(), []string{"check", "./..."}, cli.IO{Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr})
		if err != nil {
			t.Fatalf("machine %s: pluginctl check: %v\n%s\n%s", name, err, stdout.String(), stderr.String())
		}
		data, _ := os.ReadFile(log)
		if len(data) == 0 {
			t.Fatalf("machine %s: the cache program logged nothing: GOCACHEPROG was not used", name)
		}
		for _, s := range regexp.MustCompile(`(\d+) puts`).FindAllStringSubmatch(string(data), -1) {
			n, _ := strconv.Atoi(s[1])
			puts += n
		}
		for _, f := range []string{"gw", "plugins/js.so", "plugins/web.so"} {
			if err := os.Rename(filepath.Join(dir, "bin", f), filepath.Join(root, filepath.Base(f))); err != nil {
				t.Fatal(err)
			}
		}
		return stdout.String() + stderr.String(), puts
	}
	// Every package compiled and every artifact or probe linked is given
	// to the cache program: A gives it everything, B must give nothing.
	aOut, aPuts := machine("A")
	if aPuts == 0 || !strings.Contains(aOut, "2 passed") {
		t.Fatalf("machine A: want a cold build and a pass, got %d entries stored:\n%s", aPuts, aOut)
	}
	bOut, bPuts := machine("B")
	if bPuts != 0 || !strings.Contains(bOut, "2 passed") {
		t.Errorf("machine B gave the cache %d entries: it compiled or linked (an artifact, the probe) what A had:\n%s", bPuts, bOut)
	}
	for _, f := range []string{"gw", "js.so", "web.so"} {
		if fi, err := os.Stat(filepath.Join(tmp, "B", f)); err != nil || fi.Mode().Perm()&0o111 == 0 {
			t.Errorf("machine B's %s is not executable (%v), as go build makes it", f, err)
		}
		x, _ := os.ReadFile(filepath.Join(tmp, "A", f))
		y, _ := os.ReadFile(filepath.Join(tmp, "B", f))
		if len(x) == 0 || !bytes.Equal(x, y) {
			t.Errorf("%s differs between machine A (%d bytes) and B (%d bytes)", f, len(x), len(y))
		}
	}
}

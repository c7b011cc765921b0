package textpipe_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

var (
	buildOnce sync.Once
	binDir    string
	buildErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// build builds the project the way its README says, once per test binary:
// DIR/host and DIR/plugins/{filter,transform}.so, all with -trimpath.
func build(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the host and two plugins; skipped with -short")
	}
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "textpipe")
		if err != nil {
			buildErr = err
			return
		}
		binDir = dir
		goBuild := func(args ...string) error {
			args = append([]string{"build", "-trimpath"}, args...)
			out, err := exec.Command("go", args...).CombinedOutput()
			if err != nil {
				return fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, out)
			}
			return nil
		}
		// The host and the first plugin compile different variants of the
		// standard library (plugins need -dynlink), so build the host
		// next to the plugins; the plugins one after the other.
		start := time.Now()
		var hostErr error
		var wg sync.WaitGroup
		wg.Go(func() { hostErr = goBuild("-o", filepath.Join(dir, "host"), "./cmd/host") })
		for _, p := range []string{"filter", "transform"} {
			if err := goBuild("-buildmode=plugin", "-o", filepath.Join(dir, "plugins", p+".so"), "./plugins/"+p); err != nil {
				buildErr = err
				break
			}
		}
		wg.Wait()
		buildErr = errors.Join(buildErr, hostErr)
		fmt.Fprintf(os.Stderr, "textpipe: built host and plugins in %v\n", time.Since(start).Round(time.Millisecond))
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binDir
}

// runHost runs the built host with stdin and returns its output.
func runHost(t *testing.T, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	dir := build(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(dir, "host"), args...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		code = ee.ExitCode()
	default:
		t.Fatal(err)
	}
	return out.String(), errb.String(), code
}

func TestHost(t *testing.T) {
	dir := build(t) // skips under -short, here and not inside a subtest
	pluginDir := func() string { return filepath.Join(dir, "plugins") }
	tests := []struct {
		name   string
		args   func() []string
		stdin  string
		stdout string
		code   int
		stderr []string // substrings of the log
	}{{
		// Default plugins directory next to the executable; filter runs
		// before transform (file name order), so "drop me too" survives
		// the case-sensitive filter and is upper-cased only afterwards.
		name:   "default",
		stdin:  "hello world\n\n   \nplease DROP me\ndrop me too\nhello world\nsecond line\n",
		stdout: "HELLO WORLD\nDROP ME TOO\nHELLO WORLD\nSECOND LINE\n",
		stderr: []string{`plugins="[filter transform]" skipped=0`, `filter: dropping blank lines and lines containing \"DROP\"`},
	}, {
		name: "configured",
		args: func() []string {
			return []string{"-plugins", pluginDir(), "-set", "filter.word=secret", "-set", "filter.dedupe=true",
				"-set", "transform.mode=reverse", "-set", "transform.number=true"}
		},
		stdin:  "hello world\nsecret stuff\nhello world\nzwei wörter\nDROP is fine now\n",
		stdout: "1: dlrow olleh\n2: retröw iewz\n3: won enif si PORD\n",
		stderr: []string{"transform: mode reverse, numbering true"},
	}, {
		name:   "require filter",
		args:   func() []string { return []string{"-require", "filter"} },
		stdin:  "a\n\nb\nc DROP\n",
		stdout: "a\nb\n",
		stderr: []string{`missing required capability \"filter\"`, `plugins=[filter] skipped=1`},
	}, {
		name:   "require text",
		args:   func() []string { return []string{"-require", "text", "-set", "transform.mode=title"} },
		stdin:  "the quick brown fox\n",
		stdout: "The Quick Brown Fox\n",
		stderr: []string{`plugins="[filter transform]" skipped=0`},
	}, {
		// A plugin whose Init rejects its configuration is skipped; the
		// host goes on with the others.
		name:   "bad config",
		args:   func() []string { return []string{"-set", "transform.mode=bogus"} },
		stdin:  "keep me\nDROP me\n",
		stdout: "keep me\n",
		stderr: []string{"skipping plugin", `transform.mode \"bogus\": want one of lower, none, reverse, title, upper`},
	}, {
		// A line a plugin fails on is dropped and logged; the rest go on,
		// and the exit status reports it.
		name:   "plugin error",
		stdin:  "ok\n\xff\xfe\nfine\n",
		stdout: "OK\nFINE\n",
		code:   1,
		stderr: []string{"dropping line", "line=2", "plugin transform: status 422: not UTF-8"},
	}, {
		name:   "no plugins",
		args:   func() []string { return []string{"-plugins", t.TempDir()} },
		stdin:  "as is\n\n",
		stdout: "as is\n\n",
		stderr: []string{"no plugins loaded"},
	}, {
		name:   "missing plugin dir",
		args:   func() []string { return []string{"-plugins", filepath.Join(t.TempDir(), "nope")} },
		code:   1,
		stderr: []string{"loading plugins", "no such file or directory"},
	}, {
		name:   "bad -set",
		args:   func() []string { return []string{"-set", "word=x"} },
		code:   2,
		stderr: []string{"want PLUGIN.KEY=VALUE"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var args []string
			if tt.args != nil {
				args = tt.args()
			}
			stdout, stderr, code := runHost(t, tt.stdin, args...)
			if stdout != tt.stdout || code != tt.code {
				t.Errorf("host %q: got exit %d, stdout\n%q\nwant exit %d, stdout\n%q", args, code, stdout, tt.code, tt.stdout)
			}
			for _, s := range tt.stderr {
				if !strings.Contains(stderr, s) {
					t.Errorf("stderr lacks %q", s)
				}
			}
			if t.Failed() {
				t.Logf("stderr:\n%s", stderr)
			}
		})
	}
}

// TestHostHTTP runs the host with -listen and POSTs to it.
func TestHostHTTP(t *testing.T) {
	dir := build(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(dir, "host"), "-listen", "127.0.0.1:0", "-set", "transform.mode=lower")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()

	// The host logs the address it listens on.
	var log strings.Builder
	sc := bufio.NewScanner(stderr)
	addr := ""
	for addr == "" && sc.Scan() {
		line := sc.Text()
		log.WriteString(line + "\n")
		if strings.Contains(line, "msg=listening") {
			_, addr, _ = strings.Cut(line, "addr=")
		}
	}
	if addr == "" {
		t.Fatalf("host did not report its address:\n%s", log.String())
	}
	rest := make(chan string)
	go func() { b, _ := io.ReadAll(stderr); rest <- string(b) }()

	post := func(body string) (int, string) {
		t.Helper()
		resp, err := http.Post("http://"+addr+"/", "text/plain", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := post("Hello HTTP"); code != http.StatusOK || body != "hello http" {
		t.Errorf("POST Hello HTTP = %d %q, want 200 %q", code, body, "hello http")
	}
	if code, body := post("please DROP this"); code != http.StatusNoContent || body != "" {
		t.Errorf("POST with DROP = %d %q, want 204", code, body)
	}
	if code, _ := post("\xff"); code != http.StatusBadGateway {
		t.Errorf("POST of invalid UTF-8 = %d, want 502", code)
	}

	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	log.WriteString(<-rest)
	if err := cmd.Wait(); err != nil {
		t.Errorf("host exited with %v", err)
	}
	if !strings.Contains(log.String(), "msg=stopped") {
		t.Errorf("host did not stop cleanly")
	}
	if t.Failed() {
		t.Logf("stderr:\n%s", log.String())
	}
}

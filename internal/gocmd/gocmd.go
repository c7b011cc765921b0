// Package gocmd owns every go subprocess pluginctl starts: one constructor
// that sets the context, directory, environment (with a garbage collector
// setting that spends less CPU time, see GOGC) and go binary, allows only
// the read-only or building verbs pluginctl needs, and stops a cancelled
// command gently (interrupt, wait, then kill).
package gocmd

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// WaitDelay is how long a cancelled go command gets between the interrupt
// and the kill, and how long Wait waits for its output pipes after exit.
const WaitDelay = 5 * time.Second

// allowed are the verbs pluginctl runs. None of them writes go.mod, go.sum
// or go.work: build is always given -mod=readonly or -mod=vendor.
var allowed = map[string]bool{"build": true, "list": true, "env": true, "version": true}

var (
	traceMu sync.Mutex
	traceW  io.Writer
)

// Trace makes every go command started from now on print itself to w (nil
// stops it), as go build -x shows what it runs: pluginctl's -v.
func Trace(w io.Writer) {
	traceMu.Lock()
	traceW = w
	traceMu.Unlock()
}

func trace(cmd *exec.Cmd) {
	traceMu.Lock()
	defer traceMu.Unlock()
	if traceW == nil {
		return
	}
	var b strings.Builder
	if cmd.Dir != "" {
		b.WriteString("cd " + shellQuote(cmd.Dir) + "; ")
	}
	b.WriteString(shellQuote(cmd.Args[0]))
	for _, a := range cmd.Args[1:] {
		b.WriteString(" " + shellQuote(a))
	}
	fmt.Fprintln(traceW, b.String())
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_=+./,:@%") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// Go runs go commands.
type Go struct {
	// Binary is the go command; "" means "go" from PATH.
	Binary string
	// Dir is the working directory; "" means the current one.
	Dir string
	// Env is the environment; nil means os.Environ(). Later entries win.
	Env []string
}

// Command returns a go command for verb and args, ready to run.
func (g *Go) Command(ctx context.Context, verb string, args ...string) (*exec.Cmd, error) {
	if !allowed[verb] {
		return nil, fmt.Errorf("internal error: go %s is not allowed", verb)
	}
	bin := g.Binary
	if bin == "" {
		bin = "go"
	}
	cmd := exec.CommandContext(ctx, bin, append([]string{verb}, args...)...)
	cmd.Dir = g.Dir
	trace(cmd)
	cmd.Env = gcEnv(g.environ())
	// Interrupt first so that go removes its temporary files, then kill.
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGINT) }
	cmd.WaitDelay = WaitDelay
	return cmd, nil
}

// With returns a copy of g whose environment has the extra variables.
func (g *Go) With(env ...string) *Go {
	c := *g
	c.Env = append(g.environ(), env...)
	return &c
}

// environ returns a copy of g's environment.
func (g *Go) environ() []string {
	if g.Env == nil {
		return os.Environ()
	}
	return slices.Clone(g.Env)
}

// Output runs the command and returns its standard output. On failure the
// error carries the command's standard error.
func (g *Go) Output(ctx context.Context, verb string, args ...string) ([]byte, error) {
	cmd, err := g.Command(ctx, verb, args...)
	if err != nil {
		return nil, err
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		return nil, &Error{Args: append([]string{verb}, args...), Stderr: msg, Err: err}
	}
	return out, nil
}

// Error is a failed go command.
type Error struct {
	Args   []string
	Stderr string
	Err    error
}

func (e *Error) Error() string {
	return fmt.Sprintf("go %s: %s", strings.Join(e.Args, " "), e.Stderr)
}

func (e *Error) Unwrap() error { return e.Err }

// Env is the part of `go env` pluginctl uses.
type Env struct {
	GOMOD       string
	GOWORK      string
	GOVERSION   string
	GOOS        string
	GOARCH      string
	GOROOT      string
	GOFLAGS     string
	CGO_ENABLED string
	CC          string
	GOCACHE     string
	GOTOOLCHAIN string
	GOCACHEPROG string
}

// ReadEnv runs `go env -json` once for the variables in Env.
func (g *Go) ReadEnv(ctx context.Context) (*Env, error) {
	out, err := g.Output(ctx, "env", "-json", "GOMOD", "GOWORK", "GOVERSION", "GOOS", "GOARCH",
		"GOROOT", "GOFLAGS", "CGO_ENABLED", "CC", "GOCACHE", "GOTOOLCHAIN", "GOCACHEPROG")
	if err != nil {
		return nil, err
	}
	var e Env
	if err := json.Unmarshal(out, &e); err != nil {
		return nil, fmt.Errorf("decoding go env: %w", err)
	}
	return &e, nil
}

// PackagesEnv returns the environment to hand golang.org/x/tools/go/packages
// (which runs "go" from PATH): g's environment with the directory of
// g.Binary first on PATH, so that go/packages runs the same go command as
// everything else. When the binary is not named "go" (a wrapper script),
// a directory holding a "go" symlink to it is made under linkDir (stable
// per binary, so repeated calls reuse it). GOPACKAGESDRIVER is turned off:
// no external driver decides what a package is.
func (g *Go) PackagesEnv(linkDir string) ([]string, error) {
	env := gcEnv(append(g.environ(), "GOPACKAGESDRIVER=off"))
	if g.Binary == "" {
		return env, nil
	}
	bin := g.Binary
	if !strings.ContainsRune(bin, os.PathSeparator) {
		p, err := exec.LookPath(bin)
		if err != nil {
			return nil, fmt.Errorf("finding the go command %q: %w", bin, err)
		}
		bin = p
	}
	bin, err := filepath.Abs(bin)
	if err != nil {
		return nil, err
	}
	dir := filepath.Dir(bin)
	if filepath.Base(bin) != "go" {
		sum := sha256.Sum256([]byte(bin))
		dir = filepath.Join(linkDir, "gobin", hex.EncodeToString(sum[:8]))
		link := filepath.Join(dir, "go")
		if target, err := os.Readlink(link); err != nil || target != bin {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return nil, fmt.Errorf("preparing the go command for go/packages: %w", err)
			}
			tmp := link + ".tmp" + strconv.Itoa(os.Getpid())
			os.Remove(tmp)
			if err := os.Symlink(bin, tmp); err != nil {
				return nil, fmt.Errorf("preparing the go command for go/packages: %w", err)
			}
			if err := os.Rename(tmp, link); err != nil {
				return nil, fmt.Errorf("preparing the go command for go/packages: %w", err)
			}
		}
	}
	path := dir
	for i := len(env) - 1; i >= 0; i-- {
		if v, ok := strings.CutPrefix(env[i], "PATH="); ok {
			if v != "" {
				path += string(os.PathListSeparator) + v
			}
			break
		}
	}
	return append(env, "PATH="+path), nil
}

// Package gocmd owns every go subprocess pluginctl starts: one constructor
// that sets the context, directory, environment and go binary, allows only
// the read-only or building verbs pluginctl needs, and stops a cancelled
// command gently (interrupt, wait, then kill).
package gocmd

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// WaitDelay is how long a cancelled go command gets between the interrupt
// and the kill, and how long Wait waits for its output pipes after exit.
const WaitDelay = 5 * time.Second

// allowed are the verbs pluginctl runs. None of them writes go.mod, go.sum
// or go.work: build is always given -mod=readonly or -mod=vendor.
var allowed = map[string]bool{"build": true, "list": true, "env": true, "version": true}

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
	env := g.Env
	if env == nil {
		env = os.Environ()
	}
	cmd.Env = append([]string(nil), env...)
	// Interrupt first so that go removes its temporary files, then kill.
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGINT) }
	cmd.WaitDelay = WaitDelay
	return cmd, nil
}

// With returns a copy of g whose environment has the extra variables.
func (g *Go) With(env ...string) *Go {
	c := *g
	base := g.Env
	if base == nil {
		base = os.Environ()
	}
	c.Env = append(append([]string(nil), base...), env...)
	return &c
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
}

// ReadEnv runs `go env -json` once for the variables in Env.
func (g *Go) ReadEnv(ctx context.Context) (*Env, error) {
	out, err := g.Output(ctx, "env", "-json", "GOMOD", "GOWORK", "GOVERSION", "GOOS", "GOARCH",
		"GOROOT", "GOFLAGS", "CGO_ENABLED", "CC", "GOCACHE", "GOTOOLCHAIN")
	if err != nil {
		return nil, err
	}
	var e Env
	if err := json.Unmarshal(out, &e); err != nil {
		return nil, fmt.Errorf("decoding go env: %w", err)
	}
	return &e, nil
}

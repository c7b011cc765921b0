package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){"pluginctl": func() { os.Exit(run()) }})
}

// TestScript runs the end-to-end scenarios in testdata/script: real go
// builds of real modules, through the real command line.
//
// In a script's go.mod, $REPO stands for this repository's root, so that a
// module can use pluginapi through a replace directive; a go.mod mentioning
// it gets this repository's go.sum unless the script provides one.
func TestScript(t *testing.T) {
	repo, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	goenv := map[string]string{}
	for _, v := range []string{"GOCACHE", "GOMODCACHE", "GOPATH", "GOPROXY", "GOFLAGS", "GONOSUMDB", "GOSUMDB", "GOTOOLCHAIN"} {
		out, err := exec.Command("go", "env", v).Output()
		if err != nil {
			t.Fatal(err)
		}
		goenv[v] = strings.TrimSpace(string(out))
	}
	realGo, err := exec.LookPath("go")
	if err != nil {
		t.Fatal(err)
	}
	if realGo, err = filepath.Abs(realGo); err != nil {
		t.Fatal(err)
	}
	gosum, err := os.ReadFile(filepath.Join(repo, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		Cmds:                map[string]func(*testscript.TestScript, bool, []string){"exit": cmdExit},
		Condition: func(cond string) (bool, error) {
			if cond == "root" { // root reads files whatever their permissions
				return os.Geteuid() == 0, nil
			}
			if cond == "userns" { // the probe's sandbox of namespaces works here
				cmd := exec.Command("true")
				cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWUSER | syscall.CLONE_NEWPID | syscall.CLONE_NEWNS | syscall.CLONE_NEWNET}
				return cmd.Run() == nil, nil
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
		Setup: func(env *testscript.Env) error {
			for k, v := range goenv {
				env.Setenv(k, v)
			}
			// Hermetic: the developer's GOFLAGS never leak in; only what
			// the module proxy needs (GOPROXY, GOSUMDB...) is passed on.
			env.Setenv("GOFLAGS", "-buildvcs=false")
			env.Setenv("REPO", repo)
			env.Setenv("REALGO", realGo)
			env.Setenv("XDG_CACHE_HOME", filepath.Join(env.WorkDir, ".cache"))
			env.Setenv("CGO_ENABLED", "1")
			return filepath.WalkDir(env.WorkDir, func(path string, d os.DirEntry, err error) error {
				if err != nil || d.IsDir() || (d.Name() != "go.mod" && d.Name() != "go.work") {
					return err
				}
				data, err := os.ReadFile(path)
				if err != nil || !strings.Contains(string(data), "$REPO") {
					return err
				}
				if err := os.WriteFile(path, []byte(strings.ReplaceAll(string(data), "$REPO", repo)), 0o644); err != nil {
					return err
				}
				sum := filepath.Join(filepath.Dir(path), "go.sum")
				if _, err := os.Stat(sum); os.IsNotExist(err) && d.Name() == "go.mod" {
					return os.WriteFile(sum, gosum, 0o644)
				}
				return nil
			})
		},
	})
}

// cmdExit is the script command `exit N CMD ARGS...`: it runs CMD like
// exec and asserts that it exits with status N exactly; its stdout and
// stderr are kept for the stdout and stderr commands that follow.
func cmdExit(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exit N command [args...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exit: %q is not an exit status", args[0])
	}
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			ts.Fatalf("exit: running %s: %v", args[1], err)
		}
		got = ee.ExitCode()
	}
	if got != want {
		ts.Fatalf("%s exited with status %d, want %d", args[1], got, want)
	}
}

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
	"golang.org/x/mod/module"
	modzip "golang.org/x/mod/zip"
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
		Cmds:                map[string]func(*testscript.TestScript, bool, []string){"exit": cmdExit, "modproxy": cmdModProxy},
		Condition: func(cond string) (bool, error) {
			if cond == "root" { // root reads files whatever their permissions
				return os.Geteuid() == 0, nil
			}
			if cond == "userns" { // the probe's sandbox of namespaces works here
				cmd := exec.Command("true")
				cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWUSER | syscall.CLONE_NEWPID | syscall.CLONE_NEWNS | syscall.CLONE_NEWNET}
				return cmd.Run() == nil, nil
			}
			if cond == "cross" {
				return crossReady()
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

// cmdModProxy is the script command `modproxy PROXYDIR MODPATH VERSION
// SRCDIR`: it adds the module in SRCDIR at VERSION to the file-system
// module proxy PROXYDIR (GOPROXY=file://PROXYDIR), as the module proxy
// protocol lays it out: .info, .mod, .zip and the version list.
//
// VERSION "git" serves the git checkout SRCDIR at its HEAD, under its
// pseudo-version (commit time and revision, as go build stamps it), and
// its revision as well (REV.info), as a module proxy resolves one.
func cmdModProxy(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 4 {
		ts.Fatalf("usage: modproxy PROXYDIR MODPATH VERSION|git SRCDIR")
	}
	proxy, path, version, src := ts.MkAbs(args[0]), args[1], args[2], ts.MkAbs(args[3])
	rev := ""
	if version == "git" {
		out, err := exec.Command("git", "-C", src, "rev-parse", "HEAD").Output()
		ts.Check(err)
		rev = strings.TrimSpace(string(out))
		cmd := exec.Command("git", "-C", src, "log", "-1", "--format=%cd", "--date=format-local:%Y%m%d%H%M%S")
		cmd.Env = append(os.Environ(), "TZ=UTC")
		when, err := cmd.Output()
		ts.Check(err)
		version = "v0.0.0-" + strings.TrimSpace(string(when)) + "-" + rev[:12]
	}
	esc, err := module.EscapePath(path)
	ts.Check(err)
	dir := filepath.Join(proxy, filepath.FromSlash(esc), "@v")
	ts.Check(os.MkdirAll(dir, 0o755))
	gomod, err := os.ReadFile(filepath.Join(src, "go.mod"))
	ts.Check(err)
	ts.Check(os.WriteFile(filepath.Join(dir, version+".mod"), gomod, 0o644))
	ts.Check(os.WriteFile(filepath.Join(dir, version+".info"), []byte(fmt.Sprintf(`{"Version":%q,"Time":"2026-01-02T03:04:05Z"}`, version)), 0o644))
	zf, err := os.Create(filepath.Join(dir, version+".zip"))
	ts.Check(err)
	ts.Check(modzip.CreateFromDir(zf, module.Version{Path: path, Version: version}, src))
	ts.Check(zf.Close())
	if rev != "" {
		ts.Check(os.WriteFile(filepath.Join(dir, rev+".info"), []byte(fmt.Sprintf(`{"Version":%q,"Time":"2026-01-02T03:04:05Z"}`, version)), 0o644))
	}
	list, _ := os.ReadFile(filepath.Join(dir, "list"))
	ts.Check(os.WriteFile(filepath.Join(dir, "list"), append(list, []byte(version+"\n")...), 0o644))
}

// crossTools are the programs the cross-architecture scripts need:
// Debian's crossbuild-essential-arm64 and qemu-user.
var crossTools = []string{"aarch64-linux-gnu-gcc", "qemu-aarch64"}

// crossReady is the script condition [cross]: the arm64 cross compiler
// and QEMU are on PATH. Scripts skip with `[!cross] skip` when they are
// not, and this says so loudly on standard error. .ci/run installs them
// and reports how in PLUGINCTL_CROSS_TOOLS: there (and wherever CI is
// set) a tool missing after an installation that did not fail is an
// error, which fails the script instead of skipping it.
func crossReady() (bool, error) {
	var missing []string
	for _, t := range crossTools {
		if _, err := exec.LookPath(t); err != nil {
			missing = append(missing, t)
		}
	}
	if len(missing) == 0 {
		return true, nil
	}
	status := os.Getenv("PLUGINCTL_CROSS_TOOLS")
	msg := fmt.Sprintf("%s not on PATH (apt-get install crossbuild-essential-arm64 qemu-user)", strings.Join(missing, ", "))
	if status != "install-failed" && (status != "" || os.Getenv("CI") != "") {
		return false, fmt.Errorf("%s, although .ci/run reports PLUGINCTL_CROSS_TOOLS=%q (CI=%q): the cross-architecture tests cannot be skipped", msg, status, os.Getenv("CI"))
	}
	fmt.Fprintf(os.Stderr, "SKIPPING CROSS-ARCHITECTURE TESTS: %s (PLUGINCTL_CROSS_TOOLS=%q)\n", msg, status)
	return false, nil
}

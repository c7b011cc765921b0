//go:build linux

package probe

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/pluginctl/pluginctl/pluginapi"
)

// runHostile runs the hostile fixture with the attacks given and returns
// the run and the lines its attacks wrote ("hostile: " cut).
func runHostile(t *testing.T, p *Probe, plugin, attacks string, env ...string) (*Result, []string) {
	t.Helper()
	r, err := p.Run(context.Background(), RunOptions{
		Artifacts: []string{plugin}, Convention: true, Timeout: 10 * time.Second,
		Env: append([]string{"PROBETEST_HOSTILE=" + attacks}, env...),
	})
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, l := range strings.Split(string(r.Stderr), "\n") {
		if s, ok := strings.CutPrefix(l, "hostile: "); ok {
			lines = append(lines, s)
		}
	}
	if len(lines) == 0 {
		t.Fatalf("the plugin did not run its attacks (%s): %s", attacks, r.Stderr)
	}
	return r, lines
}

func grepLines(lines []string, prefix string) []string {
	var out []string
	for _, l := range lines {
		if strings.HasPrefix(l, prefix) {
			out = append(out, l)
		}
	}
	return out
}

// TestSandboxDowngradeAndNotes: a plugin that writes "refused" and "note"
// lines to every descriptor of its parent and of PID 1 reaches none of
// them; nothing it could write would count (every status line is
// authenticated); the run and the next keep their sandbox and it loads.
func TestSandboxDowngradeAndNotes(t *testing.T) {
	f, p := built(t)
	isolations(t, p, func(t *testing.T) {
		ns := namespacesHere()
		r, lines := runHostile(t, p, f.Plugins["hostile"], "downgrade")
		if !r.Completed() {
			t.Fatalf("the plugin did not load: exit %d %s\n%s", r.ExitCode, r.Signal, r.Stderr)
		}
		if got := grepLines(lines, "downgrade: wrote to 0 descriptors"); len(got) != 1 {
			t.Errorf("the plugin reached its supervisor's or pluginctl's descriptors: %q", lines)
		}
		if r.Namespaces != ns || len(r.Notes) > 0 || r.Forged > 0 {
			t.Errorf("namespaces %v (want %v), notes %q, forged lines %d", r.Namespaces, ns, r.Notes, r.Forged)
		}
		if again, _ := runHostile(t, p, f.Plugins["hostile"], "downgrade"); again.Namespaces != ns {
			t.Errorf("the next run lost its namespaces: %s", again.Isolation)
		}
	})
}

// TestSandboxForgedStatusIsIgnored: lines on the status pipe that are not
// authenticated with the status key are counted and ignored, whoever
// wrote them; an authenticated "refused" after namespaces worked fails
// that run alone (parseStatus and the state, without a plugin: the pipe
// is out of a plugin's reach, TestSandboxDowngradeAndNotes).
func TestSandboxForgedStatusIsIgnored(t *testing.T) {
	skey := make([]byte, keyLen)
	rand.Read(skey)
	k0, k1 := macKey(skey)
	other := make([]byte, keyLen)
	rand.Read(other)
	o0, o1 := macKey(other)
	st := "refused mounting /proc: plain\nnote plain\n" + string(statusLine(o0, o1, "refused", "other key")) +
		string(statusLine(k0, k1, "note", "real note")) + string(statusLine(k0, k1, "exit", "0"))
	ws, notes, refused, forged, _ := parseStatus(skey, []byte(st))
	if ws == nil || ws.code != 0 || refused != "" || forged != 3 || len(notes) != 1 || notes[0] != "real note" {
		t.Fatalf("parseStatus: status %v, notes %q, refused %q, forged %d", ws, notes, refused, forged)
	}

	nsMu.Lock()
	savedState, savedWhy := nsState, nsWhy
	nsState = nsWorks
	nsMu.Unlock()
	t.Cleanup(func() {
		nsMu.Lock()
		nsState, nsWhy = savedState, savedWhy
		nsMu.Unlock()
	})
	why := namespacesFailed("mounting /proc: EPERM")
	if !strings.Contains(why, "worked for earlier probes") {
		t.Fatalf("a refusal after namespaces worked: %q", why)
	}
	if iso, err := isolationFor(SandboxAuto); err != nil || !iso.namespaces {
		t.Fatalf("after the interference, the next probe: %+v, %v; want namespaces", iso, err)
	}
	r := sandboxFailed(RunOptions{Artifacts: []string{"/a.so", "/b.so"}}, isolation{namespaces: true}, why)
	if r.Completed() || r.Last(-1).Stage != StageOpening || r.Last(-1).Index != 0 {
		t.Fatalf("the failed run does not fail its first artifact: %+v", r)
	}
}

// TestSandboxRequire: with SandboxRequire, a refusal of the namespaces is
// an error, never a run without them; SandboxOff never tries them.
func TestSandboxRequire(t *testing.T) {
	_, p := built(t)
	nsMu.Lock()
	savedState, savedWhy := nsState, nsWhy
	nsState, nsWhy = nsRefused, "denied by the test"
	nsMu.Unlock()
	t.Cleanup(func() {
		nsMu.Lock()
		nsState, nsWhy = savedState, savedWhy
		nsMu.Unlock()
		syscall.RawSyscall(syscall.SYS_PRCTL, prSetDumpable, 1, 0) // as setIsolation
	})
	_, err := p.Run(context.Background(), RunOptions{Sandbox: SandboxRequire})
	if se, ok := err.(*SandboxError); !ok || !strings.Contains(se.Error(), "denied by the test") {
		t.Fatalf("require without namespaces: %v", err)
	}
	nsMu.Lock()
	nsState = nsWorks
	nsMu.Unlock()
	r, err := p.Run(context.Background(), RunOptions{Sandbox: SandboxOff})
	if err != nil || r.Namespaces || !strings.Contains(r.Isolation, "--sandbox off") {
		t.Fatalf("off: %v, namespaces %v (%s)", err, r != nil && r.Namespaces, r.Isolation)
	}
}

// TestSandboxEnviron: no plugin reads pluginctl's environment, with
// namespaces or without, as root or not.
func TestSandboxEnviron(t *testing.T) {
	f, p := built(t)
	secret := make([]byte, 8)
	rand.Read(secret)
	t.Setenv("PROBETEST_SECRET", hex.EncodeToString(secret))
	isolations(t, p, func(t *testing.T) {
		r, lines := runHostile(t, p, f.Plugins["hostile"], "environ", fmt.Sprintf("PROBETEST_PID=%d", os.Getpid()))
		if got := grepLines(lines, "environ: read the secret"); len(got) > 0 {
			t.Errorf("the plugin read pluginctl's environment (%s): %q", r.Isolation, got)
		}
		if got := grepLines(lines, "environ: pluginctl's: "); len(got) != 1 || strings.HasSuffix(got[0], "<nil>") {
			t.Errorf("the plugin read pluginctl's environment (%s): %q", r.Isolation, got)
		}
		if !r.Completed() {
			t.Errorf("the plugin did not load: %s", r.Stderr)
		}
	})
}

// TestSandboxTerminal runs the hostile fixture from a process whose
// controlling terminal is a pseudo-terminal (the test binary again, as
// ptyChild): the plugin cannot open /dev/tty, TIOCSTI fails on every
// descriptor, and nothing reaches the terminal, in either direction.
func TestSandboxTerminal(t *testing.T) {
	f, p := built(t)
	_ = f
	for _, mode := range []string{"namespaces", "fallback"} {
		t.Run(mode, func(t *testing.T) {
			if mode == "namespaces" {
				setIsolation(t, p, nil)
			}
			master, slave, slavePath := openPty(t)
			out, err := os.CreateTemp(t.TempDir(), "child")
			if err != nil {
				t.Fatal(err)
			}
			exe, _ := os.Executable()
			cmd := exec.Command(exe, "-test.run=^$")
			cmd.Env = append(os.Environ(), "PROBETEST_PTY_CHILD="+mode, "PROBETEST_PROBE="+p.Path, "PROBETEST_HOST="+p.Host,
				"PROBETEST_PLUGIN="+f.Plugins["hostile"], "PROBETEST_TTY_PATH="+slavePath)
			cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, out, out
			cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
			if err := cmd.Run(); err != nil {
				b, _ := os.ReadFile(out.Name())
				t.Fatalf("the child: %v\n%s", err, b)
			}
			b, _ := os.ReadFile(out.Name())
			report := string(b)
			t.Logf("%s", report)
			if !strings.Contains(report, "tty: open /dev/tty: ") {
				t.Fatalf("the plugin did not attack the terminal:\n%s", report)
			}
			for _, l := range strings.Split(report, "\n") {
				switch {
				case strings.HasPrefix(l, "tty: TIOCSTI") && strings.HasSuffix(l, "<nil>"),
					strings.HasPrefix(l, "tty: write /dev/tty"):
					t.Errorf("reached the terminal: %s", l)
				case strings.HasPrefix(l, "tty: write "+slavePath) && mode == "namespaces":
					t.Errorf("reached the terminal's device: %s", l)
				}
			}
			// Nothing was written to the terminal, nor pushed into its
			// input (in the fallback the plugin may open the device by
			// its path: not checked there).
			if mode == "namespaces" {
				if s := drain(t, master); s != "" {
					t.Errorf("written to the terminal: %q", s)
				}
			}
			if s := drain(t, slave); s != "" {
				t.Errorf("pushed into the terminal's input: %q", s)
			}
		})
	}
}

// ptyChild is the process of TestSandboxTerminal whose controlling
// terminal is the pseudo-terminal: it runs the probe and writes what the
// plugin reported to stdout (a file).
func ptyChild(mode string) {
	if mode == "fallback" {
		nsState, nsWhy = nsRefused, "turned off by the test"
	}
	p := &Probe{Path: os.Getenv("PROBETEST_PROBE"), Host: os.Getenv("PROBETEST_HOST"), APIPackage: pluginapi.ImportPath}
	r, err := p.Run(context.Background(), RunOptions{
		Artifacts: []string{os.Getenv("PROBETEST_PLUGIN")}, Convention: true, Timeout: 10 * time.Second,
		Env: []string{"PROBETEST_HOSTILE=tty", "PROBETEST_TTY=" + os.Getenv("PROBETEST_TTY_PATH")},
	})
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	fmt.Printf("isolation: %s\ncompleted: %v\n", r.Isolation, r.Completed())
	for _, l := range strings.Split(string(r.Stderr), "\n") {
		if s, ok := strings.CutPrefix(l, "hostile: "); ok {
			fmt.Println(s)
		}
	}
	if !r.Completed() {
		fmt.Printf("stderr: %s\n", r.Stderr)
		os.Exit(1)
	}
	os.Exit(0)
}

// openPty opens a new pseudo-terminal: its master, its slave and the
// slave's path.
func openPty(t *testing.T) (master, slave *os.File, path string) {
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals: %v", err)
	}
	t.Cleanup(func() { m.Close() })
	var n uint32
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, m.Fd(), syscall.TIOCGPTN, uintptr(unsafe.Pointer(&n))); e != 0 {
		t.Fatal(e)
	}
	var unlock int32
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, m.Fd(), syscall.TIOCSPTLCK, uintptr(unsafe.Pointer(&unlock))); e != 0 {
		t.Fatal(e)
	}
	path = fmt.Sprintf("/dev/pts/%d", n)
	s, err := os.OpenFile(path, os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	// Raw: what is pushed into the input is readable at once.
	var tio syscall.Termios
	syscall.Syscall(syscall.SYS_IOCTL, s.Fd(), syscall.TCGETS, uintptr(unsafe.Pointer(&tio)))
	tio.Lflag &^= syscall.ICANON | syscall.ECHO
	syscall.Syscall(syscall.SYS_IOCTL, s.Fd(), syscall.TCSETS, uintptr(unsafe.Pointer(&tio)))
	return m, s, path
}

// drain returns what can be read from f without waiting.
func drain(t *testing.T, f *os.File) string {
	fd := int(f.Fd())
	syscall.SetNonblock(fd, true)
	defer syscall.SetNonblock(fd, false)
	var out []byte
	buf := make([]byte, 4096)
	for {
		n, err := syscall.Read(fd, buf)
		if n <= 0 || err != nil {
			break
		}
		out = append(out, buf[:n]...)
	}
	return string(out)
}

// TestSandboxWrites: a plugin whose init overwrites a sibling artifact,
// writes into pluginctl's caches and writes a log in its working
// directory still loads; nothing outside the throwaway layer changed, and
// with namespaces the result lists what it wrote. Without namespaces
// (Landlock) its writes fail instead.
func TestSandboxWrites(t *testing.T) {
	f, p := built(t)
	cache := t.TempDir()
	t.Setenv("PLUGINCTL_CACHE", cache)
	probeCache := filepath.Dir(filepath.Dir(p.Path))
	good, err := os.ReadFile(f.Plugins["good"])
	if err != nil {
		t.Fatal(err)
	}
	isolations(t, p, func(t *testing.T) {
		victim := filepath.Join(t.TempDir(), "sibling.so")
		if err := os.WriteFile(victim, good, 0o644); err != nil {
			t.Fatal(err)
		}
		log := filepath.Join(filepath.Dir(p.Host), "hostile.log")
		os.Remove(log)
		r, lines := runHostile(t, p, f.Plugins["hostile"], "write",
			"PROBETEST_VICTIM="+victim, "PROBETEST_CACHES="+cache+":"+probeCache)
		t.Logf("%s: %q; writes %+v; notes %q", r.Isolation, lines, r.Writes, r.Notes)
		if !r.Completed() {
			t.Fatalf("the plugin did not load: %s", r.Stderr)
		}
		if now, _ := os.ReadFile(victim); !bytes.Equal(now, good) {
			t.Errorf("the sibling artifact was changed")
		}
		for _, d := range []string{cache, probeCache} {
			if _, err := os.Stat(filepath.Join(d, "poisoned")); err == nil {
				t.Errorf("the plugin wrote into pluginctl's cache %s", d)
			}
		}
		if _, err := os.Stat(log); err == nil {
			t.Errorf("the plugin's log is in the host's directory")
		}
		wrote := map[string]bool{}
		for _, w := range r.WritesOf(0) {
			wrote[w.Path] = !w.Removed
		}
		if r.Namespaces {
			if got := grepLines(lines, "write: log: <nil>"); len(got) != 1 {
				t.Errorf("the init could not write its log: %q", lines)
			}
			if !wrote[log] || !wrote[victim] {
				t.Errorf("the writes listed are %+v, want %s and %s", r.Writes, log, victim)
			}
			for _, d := range []string{cache, probeCache} {
				if wrote[filepath.Join(d, "poisoned")] {
					t.Errorf("pluginctl's cache %s was writable", d)
				}
			}
		} else if got := grepLines(lines, "write: log: <nil>"); len(got) > 0 && len(r.Notes) == 0 {
			t.Errorf("without namespaces, the init wrote a file and no note says it could: %q", lines)
		}
	})
}

// TestSandboxLooksLikeItsHost: what a plugin can cheaply look at to tell
// the probe from its host shows the host's: no pluginctl name on the
// stack of its init, the Host that package loader gives (the test host
// links it), no limit of CPU time, the machine's hostname, the shape of
// the environment without pluginctl's variables, and, in the box, the
// host's path as the executable.
func TestSandboxLooksLikeItsHost(t *testing.T) {
	f, p := built(t)
	t.Setenv("PLUGINCTL_SANDBOX_TEST", "1")
	t.Setenv("PROBETEST_SHAPE", "kept")
	hostname, _ := os.Hostname()
	var cpu syscall.Rlimit
	syscall.Getrlimit(syscall.RLIMIT_CPU, &cpu)
	isolations(t, p, func(t *testing.T) {
		r, lines := runHostile(t, p, f.Plugins["hostile"], "detect")
		if !r.Completed() {
			t.Fatalf("the plugin did not load: %s", r.Stderr)
		}
		got := map[string]string{}
		for _, l := range grepLines(lines, "detect: ") {
			k, v, _ := strings.Cut(strings.TrimPrefix(l, "detect: "), " ")
			got[k] = v
		}
		for _, fn := range strings.Fields(got["stack"]) {
			if strings.HasPrefix(fn, "github.com/pluginctl/pluginctl/testdata/plugins/hostile.") {
				continue // the plugin's own
			}
			if strings.Contains(strings.ToLower(fn), "probe") || strings.Contains(fn, "pluginctl") {
				t.Errorf("the stack of init names the probe: %s (%s)", fn, got["stack"])
			}
		}
		if !strings.Contains(got["stack"], " plugin.Open main.") {
			t.Errorf("the stack is not a host's calling plugin.Open: %s", got["stack"])
		}
		if got["host"] != "type *loader.host" {
			t.Errorf("Init got a Host of %s, want the one package loader gives: *loader.host", got["host"])
		}
		if got["RLIMIT_CPU"] != fmt.Sprint(cpu.Cur) {
			t.Errorf("RLIMIT_CPU %s, want pluginctl's %d", got["RLIMIT_CPU"], cpu.Cur)
		}
		if got["hostname"] != hostname {
			t.Errorf("hostname %q, want %q", got["hostname"], hostname)
		}
		env := strings.Fields(got["environment"])
		if !slicesContains(env, "PROBETEST_SHAPE") || slicesContains(env, "PLUGINCTL_SANDBOX_TEST") {
			t.Errorf("the environment's names are not pluginctl's without its own: %q", env)
		}
		if r.Namespaces && got["exe"] != p.Host+" <nil>" {
			t.Errorf("/proc/self/exe is %s, want the host's path %s", got["exe"], p.Host)
		}
	})
}

func slicesContains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// TestSandboxFailureAfterTheyWorked: when the kernel refuses the
// namespaces after they worked in the run (here: the user namespaces
// used up, in a user namespace of the test's own whose limit it sets to
// 0), that run fails with the reason and is not run unboxed; the next,
// once namespaces are available again, keeps its sandbox.
func TestSandboxFailureAfterTheyWorked(t *testing.T) {
	f, p := built(t)
	if _, err := exec.LookPath("unshare"); err != nil {
		t.Skip("needs unshare")
	}
	setIsolation(t, p, nil)
	exe, _ := os.Executable()
	cmd := exec.Command("unshare", "-Ur", exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), "PROBETEST_LIMIT_CHILD=1", "PROBETEST_PROBE="+p.Path, "PROBETEST_HOST="+p.Host,
		"PROBETEST_PLUGIN="+f.Plugins["good"])
	out, err := cmd.CombinedOutput()
	t.Logf("%s", out)
	if err != nil {
		t.Fatalf("the child: %v", err)
	}
	for _, want := range []string{
		"run 1: namespaces true, completed true, sandbox \"\"",
		"run 2: namespaces true, completed false, sandbox \"the probe's namespaces could not be set up (the kernel refused them: no user namespace left to this user",
		"run 3: namespaces true, completed true, sandbox \"\"",
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("the child's output lacks %q", want)
		}
	}
}

// limitChild is the process of TestSandboxFailureAfterTheyWorked.
func limitChild() {
	p := &Probe{Path: os.Getenv("PROBETEST_PROBE"), Host: os.Getenv("PROBETEST_HOST"), APIPackage: pluginapi.ImportPath}
	limit := "/proc/sys/user/max_user_namespaces"
	saved, _ := os.ReadFile(limit)
	for run := 1; run <= 3; run++ {
		switch run {
		case 2:
			if err := os.WriteFile(limit, []byte("0"), 0); err != nil {
				fmt.Println("error:", err)
				os.Exit(1)
			}
		case 3:
			os.WriteFile(limit, saved, 0)
		}
		r, err := p.Run(context.Background(), RunOptions{Artifacts: []string{os.Getenv("PROBETEST_PLUGIN")}, Convention: true, Timeout: 10 * time.Second})
		if err != nil {
			fmt.Println("error:", err)
			os.Exit(1)
		}
		fmt.Printf("run %d: namespaces %v, completed %v, sandbox %q\n", run, r.Namespaces, r.Completed(), r.Sandbox)
	}
	os.Exit(0)
}

package probe

import (
	"bytes"
	"context"
	"crypto/rand"
	"debug/elf"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// isolations runs f with namespaces (when this kernel allows them, as
// the probe p finds) and without, as a kernel that refuses them would.
func isolations(t *testing.T, p *Probe, f func(t *testing.T)) {
	t.Run("namespaces", func(t *testing.T) {
		setIsolation(t, p, nil)
		f(t)
	})
	t.Run("fallback", func(t *testing.T) {
		setIsolation(t, p, &isolation{refused: "turned off by the test"})
		f(t)
	})
}

// setIsolation makes the runs of this test use iso (nil: what the kernel
// allows, tried with the probe p), then restores what was detected.
func setIsolation(t *testing.T, p *Probe, iso *isolation) {
	if _, err := p.Run(context.Background(), RunOptions{}); err != nil { // the first run tries the namespaces
		t.Fatal(err)
	}
	nsMu.Lock()
	savedState, savedWhy := nsState, nsWhy
	nsMu.Unlock()
	if iso != nil {
		nsMu.Lock()
		nsState, nsWhy = nsRefused, iso.refused
		nsMu.Unlock()
		hideEnvironment()
	} else if savedState != nsWorks {
		t.Skipf("no namespaces here: %s", savedWhy)
	}
	t.Cleanup(func() {
		nsMu.Lock()
		nsState, nsWhy = savedState, savedWhy
		nsMu.Unlock()
		// Dumpable again, as the namespaces need it for an unprivileged
		// user (it writes the child's uid_map).
		syscall.RawSyscall(syscall.SYS_PRCTL, prSetDumpable, 1, 0)
	})
}

// namespacesHere reports whether probes run in namespaces now.
func namespacesHere() bool {
	iso, err := isolationFor(SandboxAuto)
	return err == nil && iso.namespaces
}

// marked returns the processes whose environment holds PROBETEST_MARK=mark.
func marked(mark string) []string {
	d, err := os.Open("/proc")
	if err != nil {
		return nil
	}
	names, _ := d.Readdirnames(-1)
	d.Close()
	var out []string
	for _, n := range names {
		b, err := os.ReadFile("/proc/" + n + "/environ")
		if err == nil && bytes.Contains(b, []byte("PROBETEST_MARK="+mark+"\x00")) {
			if stat, err := os.ReadFile("/proc/" + n + "/stat"); err == nil && !bytes.Contains(stat, []byte(") Z ")) {
				out = append(out, n)
			}
		}
	}
	return out
}

func probeTempDirs(t *testing.T) []string {
	m, err := filepath.Glob(filepath.Join(os.TempDir(), "pluginctl-probe-*"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestRunHostilePlugins: whatever a plugin does to itself, its parent or
// its descendants, Run reports within its timeout, leaves no process
// behind and no temporary directory.
func TestRunHostilePlugins(t *testing.T) {
	f, p := built(t)
	cases := []struct {
		escape   string
		timeout  time.Duration
		complete bool   // the load completes: the host is not harmed
		signal   string // or the probe dies of it
		timedOut bool
		nsOnly   bool // a known gap without namespaces
		either   bool // complete, or killed by signal
	}{
		{escape: "setsid,setpgid", complete: true},
		{escape: "stopparent", complete: true},
		{escape: "setsid,stopparent,hang", timeout: 1500 * time.Millisecond, timedOut: true},
		{escape: "setsid,killself", signal: "SIGKILL"},
		// Without namespaces the plugin can kill its supervisor; its
		// children then escape to init (pluginctl help security: the fallback's limits).
		{escape: "setpgid,killparent", signal: "SIGKILL", either: true, nsOnly: true},
	}
	isolations(t, p, func(t *testing.T) {
		for _, c := range cases {
			t.Run(c.escape, func(t *testing.T) {
				// A temporary directory of its own, to see what the run
				// leaves in it (other processes use the real one).
				t.Setenv("TMPDIR", t.TempDir())
				if c.nsOnly && !namespacesHere() {
					t.Skip("a known gap without namespaces")
				}
				before := probeTempDirs(t)
				mark := make([]byte, 8)
				rand.Read(mark)
				m := hex.EncodeToString(mark)
				timeout := c.timeout
				if timeout == 0 {
					timeout = 5 * time.Second
				}
				start := time.Now()
				r, err := p.Run(context.Background(), RunOptions{
					Artifacts: []string{f.Plugins["escape"]}, Convention: true, Timeout: timeout,
					Env: []string{"PROBETEST_ESCAPE=" + c.escape, "PROBETEST_MARK=" + m},
				})
				if err != nil {
					t.Fatal(err)
				}
				took := time.Since(start)
				if took > timeout+3*time.Second {
					t.Errorf("Run took %v with a %v timeout", took, timeout)
				}
				switch {
				case c.complete && !r.Completed():
					t.Errorf("the load did not complete: exit %d %s, timed out %v, %d events\n%s", r.ExitCode, r.Signal, r.TimedOut, len(r.Events), r.Stderr)
				case c.either && (r.Completed() || r.Signal == c.signal):
				case c.signal != "" && (r.Signal != c.signal || r.Completed()):
					t.Errorf("signal %q, completed %v; want %s", r.Signal, r.Completed(), c.signal)
				case c.timedOut && !r.TimedOut:
					t.Errorf("not timed out: exit %d %s", r.ExitCode, r.Signal)
				}
				if strings.Contains(c.escape, "set") && !bytes.Contains(r.Stderr, []byte("escape: started a child")) {
					t.Fatalf("the plugin did not start its children: %s", r.Stderr)
				}
				// Nothing survives the run (a killed process may take a
				// moment to leave the process table).
				deadline := time.Now().Add(2 * time.Second)
				for left := marked(m); len(left) > 0; left = marked(m) {
					if time.Now().After(deadline) {
						t.Fatalf("processes %v of the plugin survived the run (%s)", left, r.Isolation)
					}
					time.Sleep(50 * time.Millisecond)
				}
				if after := probeTempDirs(t); len(after) > len(before) {
					t.Errorf("temporary directories left: %v (before: %v)", after, before)
				}
			})
		}
	})
}

// TestRunKeyIsNotInTheSymbolTable: the host links package plugin, so the
// probe's package main symbols are all in its dynamic symbol table; none
// may be a variable but the assertion table and compiler statics.
func TestRunKeyIsNotInTheSymbolTable(t *testing.T) {
	_, p := built(t)
	ef, err := elf.Open(p.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer ef.Close()
	syms, err := ef.DynamicSymbols()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, s := range syms {
		if !strings.HasPrefix(s.Name, "main.") {
			continue
		}
		n++
		if elf.ST_TYPE(s.Info) == elf.STT_OBJECT && s.Name != "main.assertions" && !strings.HasPrefix(s.Name, "main..stmp_") {
			t.Errorf("the probe exports the variable %s, which a plugin can find with dlsym", s.Name)
		}
	}
	if n == 0 {
		t.Fatal("no symbol of package main in the probe's dynamic symbol table: the test looks at the wrong thing")
	}
}

// TestRunDlsymForgeIsNotTrusted: a plugin that looks the key up with
// dlsym finds nothing to forge a report with.
func TestRunDlsymForgeIsNotTrusted(t *testing.T) {
	f, p := built(t)
	r, err := p.Run(context.Background(), RunOptions{Artifacts: []string{f.Plugins["initforgedlsym"]}, Convention: true})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(r.Stderr, []byte("forgedlsym: symbols found by dlsym")) {
		t.Fatalf("the plugin did not run its attack: %s", r.Stderr)
	}
	if r.Completed() || r.Done {
		t.Fatalf("a report forged with a key found by dlsym was trusted: %s", r.Stderr)
	}
	if r.ExitCode != 3 {
		t.Errorf("exit status %d, want 3 (the plugin found no key): %s", r.ExitCode, r.Stderr)
	}
}

//go:build linux

package probe

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/pluginctl/pluginctl/internal/fixture"
)

// fakeSupervisor is the argv[0] under which the test binary plays a
// supervisor that cannot set up its namespaces (see TestMain).
const fakeSupervisor = "fake-supervisor"

func TestMain(m *testing.M) {
	if mode := os.Getenv("PROBETEST_PTY_CHILD"); mode != "" {
		ptyChild(mode)
	}
	if os.Getenv("PROBETEST_LIMIT_CHILD") != "" {
		limitChild()
	}
	if filepath.Base(os.Args[0]) == fakeSupervisor {
		cfg := readConfig(4)
		mode := cfg.args[1]
		if log := os.Getenv("FAKE_SUPERVISOR_LOG"); log != "" {
			f, _ := os.OpenFile(log, os.O_APPEND|os.O_WRONLY|os.O_CREATE, 0o644)
			f.WriteString(mode + "\n")
			f.Close()
		}
		if mode == "ns" {
			k0, k1 := macKey(cfg.skey[:])
			os.NewFile(5, "status").Write(statusLine(k0, k1, "refused", "mounting /proc: denied by the fake supervisor"))
		}
		os.Exit(0)
	}
	fixture.Main(m)
}

// TestRefusedNamespacesRunAgain: the first probe of a process is the trial
// of the namespaces. When its supervisor refuses them, the same run starts
// again without namespaces, and later runs start without them at once.
func TestRefusedNamespacesRunAgain(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	nsMu.Lock()
	savedState, savedWhy := nsState, nsWhy
	nsState, nsWhy = nsUnknown, ""
	nsMu.Unlock()
	t.Cleanup(func() {
		nsMu.Lock()
		nsState, nsWhy = savedState, savedWhy
		nsMu.Unlock()
		syscall.RawSyscall(syscall.SYS_PRCTL, prSetDumpable, 1, 0) // as setIsolation
	})
	log := filepath.Join(t.TempDir(), "modes")
	p := &Probe{Path: exe, Host: filepath.Join(t.TempDir(), fakeSupervisor)}
	o := RunOptions{Env: []string{"FAKE_SUPERVISOR_LOG=" + log}}
	for run := 1; run <= 2; run++ {
		res, err := p.Run(context.Background(), o)
		if err != nil {
			t.Fatal(err)
		}
		if res.Namespaces {
			t.Fatalf("run %d: in namespaces after the refusal (%s)", run, res.Isolation)
		}
		t.Logf("run %d: %s", run, res.Isolation)
		data, _ := os.ReadFile(log)
		modes := strings.Fields(string(data))
		want := []string{"ns", "nons", "nons"}[:run+1]
		if !strings.Contains(res.Isolation, "fake supervisor") {
			// The kernel refused the namespaces before the
			// supervisor ran: it was only started without.
			want = []string{"nons", "nons"}[:run]
		}
		if strings.Join(modes, " ") != strings.Join(want, " ") {
			t.Fatalf("run %d: supervisor modes %q, want %q (%s)", run, modes, want, res.Isolation)
		}
	}
}

package builder

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"
)

// TestProgress: on a terminal, one redrawn line saying what runs and for
// how long; without one, a line per finished artifact with its time, and
// the built lines only once the set is committed.
func TestProgress(t *testing.T) {
	clock := time.Unix(1000, 0)
	now := func() time.Time { return clock }
	host := &target{Kind: Host}
	host.ImportPath = "example.com/app/cmd/host"
	plug := &target{Kind: Plugin}
	plug.ImportPath = "example.com/app/plugins/p"
	bad := &target{Kind: Plugin}
	bad.ImportPath = "example.com/app/plugins/bad"

	var tty bytes.Buffer
	p := newProgress(&tty, true, 0)
	p.now = now
	p.setPhase("loading the project")
	clock = clock.Add(12 * time.Second)
	p.mu.Lock()
	p.draw()
	p.mu.Unlock()
	p.setTotal(2)
	p.start(host)
	p.start(plug)
	clock = clock.Add(41 * time.Second)
	p.finish(host, "bin/host", nil)
	p.done()
	p.committed()
	got := tty.String()
	for _, want := range []string{"loading the project … 0 s", "loading the project … 12 s", "building 1 plugin, 1 host [0/2] … 0 s", "building plugin example.com/app/plugins/p [1/2] … 41 s"} {
		if !strings.Contains(got, want) {
			t.Errorf("terminal output lacks %q:\n%q", want, got)
		}
	}
	if !strings.HasSuffix(got, "… 41 s\r\033[K") {
		t.Errorf("the line is not cleared at the end:\n%q", got)
	}

	var ci bytes.Buffer
	p = newProgress(&ci, false, 0)
	p.now = now
	p.setPhase("loading the project")
	p.setTotal(2)
	p.start(plug)
	p.start(bad)
	clock = clock.Add(2500 * time.Millisecond)
	p.finish(plug, "bin/plugins/p.so", nil)
	p.finish(bad, "bin/plugins/bad.so", errors.New("compile error"))
	if want := "ok     plugin example.com/app/plugins/p (2.5s) [1/2]\nFAIL   plugin example.com/app/plugins/bad (2.5s)\n"; ci.String() != want {
		t.Errorf("CI output before commit:\n%q\nwant\n%q", ci.String(), want)
	}
	p.done()
	p.committed()
	if !strings.HasSuffix(ci.String(), "built  plugin example.com/app/plugins/p -> bin/plugins/p.so\n") || strings.Contains(ci.String(), "\r") {
		t.Errorf("CI output:\n%q", ci.String())
	}
}

package gocmd

import (
	"bytes"
	"context"
	"testing"
)

// TestTrace: with Trace set, every command shows itself, directory first,
// quoted for a shell; without it, nothing.
func TestTrace(t *testing.T) {
	var buf bytes.Buffer
	Trace(&buf)
	defer Trace(nil)
	g := &Go{Dir: t.TempDir()}
	if _, err := g.Output(context.Background(), "env", "GOOS"); err != nil {
		t.Fatal(err)
	}
	if _, err := g.Command(context.Background(), "list", "-f", "{{.Dir}} x", "it's"); err != nil {
		t.Fatal(err)
	}
	want := "cd " + g.Dir + "; go env GOOS\ncd " + g.Dir + "; go list -f '{{.Dir}} x' 'it'\\''s'\n"
	if buf.String() != want {
		t.Errorf("trace:\n%s\nwant:\n%s", buf.String(), want)
	}
	Trace(nil)
	buf.Reset()
	if _, err := g.Command(context.Background(), "env"); err != nil || buf.Len() != 0 {
		t.Errorf("traced after Trace(nil): %q", buf.String())
	}
}

package cli

import (
	"io"
	"slices"
	"strings"
	"testing"

	ucli "github.com/urfave/cli/v2"

	"github.com/pluginctl/pluginctl/internal/output"
)

// TestCheckFlags: check takes build's flags (--for: build for a host, then
// verify against it), then verify's that build lacks, each once, with
// verify's formats.
func TestCheckFlags(t *testing.T) {
	stdio := IO{Stdout: io.Discard, Stderr: io.Discard}
	var want []string
	for _, f := range buildCommand(stdio).Flags {
		want = append(want, f.Names()[0])
	}
	for _, f := range verifyFlags() {
		if n := f.Names()[0]; !slices.Contains(want, n) {
			want = append(want, n)
		}
	}
	var got []string
	var format ucli.Flag
	for _, f := range checkCommand(stdio).Flags {
		got = append(got, f.Names()[0])
		if f.Names()[0] == "format" {
			format = f
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("check's flags:\n %v\nwant\n %v", got, want)
	}
	if format == nil {
		t.Fatal("check has no --format")
	}
	usage := format.(*ucli.StringFlag).Usage
	for _, v := range output.Formats {
		if !strings.Contains(usage, v) {
			t.Errorf("check --format says %q, which lacks verify's format %q", usage, v)
		}
	}
}

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

// TestFlagName: flagName gives what Names()[0] gives, for every flag of
// every command as declared.
func TestFlagName(t *testing.T) {
	stdio := IO{Stdout: io.Discard, Stderr: io.Discard}
	n := 0
	for _, c := range []*ucli.Command{buildCommand(stdio), verifyCommand(stdio), checkCommand(stdio), vetCommand(stdio), contractCommand(stdio), inspectCommand(stdio), diffCommand(stdio)} {
		for _, f := range c.Flags {
			n++
			if got, want := flagName(f), f.Names()[0]; got != want {
				t.Errorf("%s: flagName = %q, Names()[0] = %q", c.Name, got, want)
			}
		}
	}
	if n < 20 {
		t.Errorf("only %d flags seen", n)
	}
}

// TestFastNames: every flag of every command answers Names from its
// slice (none of pluginctl's flag kinds is left to urfave/cli's regular
// expression), with the names the flag declares.
func TestFastNames(t *testing.T) {
	stdio := IO{Stdout: io.Discard, Stderr: io.Discard}
	raw := map[string][]ucli.Flag{}
	for _, c := range []*ucli.Command{buildCommand(stdio), verifyCommand(stdio), checkCommand(stdio), vetCommand(stdio), contractCommand(stdio), inspectCommand(stdio), diffCommand(stdio)} {
		raw[c.Name] = c.Flags
	}
	for _, c := range newApp(stdio).Commands {
		for i, f := range c.Flags {
			switch f.(type) {
			case stringFlag, boolFlag, intFlag, durationFlag, stringSliceFlag, genericFlag:
			default:
				t.Errorf("%s: flag %v (%T) left to urfave/cli's names", c.Name, f.Names(), f)
			}
			if r, ok := raw[c.Name]; ok && !slices.Equal(f.Names(), r[i].Names()) {
				t.Errorf("%s: flag %d names %v, declared %v", c.Name, i, f.Names(), r[i].Names())
			}
		}
	}
}

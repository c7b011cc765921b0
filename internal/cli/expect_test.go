package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"testing"

	ucli "github.com/urfave/cli/v2"
)

// Every command that takes --expect keeps each value whole: a plugin list
// and a function type both contain commas.
func TestExpectKeepsCommas(t *testing.T) {
	vals := []string{"a,b:Handler=func(int, string) error", "Seven?=*int"}
	app := newApp(IO{Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{}})
	seen := 0
	for _, cmd := range app.Commands {
		if !slices.ContainsFunc(cmd.Flags, func(f ucli.Flag) bool { return f.Names()[0] == "expect" }) {
			continue
		}
		seen++
		var got []string
		cmd.Before = nil
		cmd.Action = func(c *ucli.Context) error { got = expectValues(c); return nil }
		args := []string{"pluginctl", cmd.Name}
		for _, v := range vals {
			args = append(args, "--expect", v)
		}
		if err := app.RunContext(context.Background(), args); err != nil {
			t.Fatalf("%s: %v", cmd.Name, err)
		}
		if !slices.Equal(got, vals) {
			t.Errorf("%s --expect: got %q, want %q", cmd.Name, got, vals)
		}
	}
	// build, contract, verify, check, vet.
	if seen != 5 {
		t.Errorf("%d commands take --expect, want 5", seen)
	}
}

// The declaration reaches the contract whole: two plugins, one type.
func TestContractExpectWithCommas(t *testing.T) {
	t.Chdir(t.TempDir()) // outside any module: declarations only
	var out, errb bytes.Buffer
	err := Run(context.Background(), []string{"contract", "--format", "json", "--expect", "a,b:Handler=func(int, string) error"},
		IO{Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatalf("%v\n%s", err, errb.String())
	}
	var c struct {
		Entries []struct {
			Symbol  string
			Types   []string
			Plugins string
		}
	}
	if err := json.Unmarshal(out.Bytes(), &c); err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(c.Entries, func(e struct {
		Symbol  string
		Types   []string
		Plugins string
	}) bool {
		return e.Symbol == "Handler"
	})
	if i < 0 {
		t.Fatalf("no Handler entry in\n%s", out.String())
	}
	e := c.Entries[i]
	if e.Plugins != "a,b" || !slices.Equal(e.Types, []string{"func(int, string) error"}) {
		t.Errorf("Handler entry: plugins %q, types %q; want \"a,b\", [func(int, string) error]", e.Plugins, e.Types)
	}
}

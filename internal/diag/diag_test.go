package diag

import (
	"context"
	"errors"
	"fmt"
	"testing"
)

func TestExitCode(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want int
	}{
		{"nil", nil, ExitOK},
		{"plain error", errors.New("boom"), ExitUsage},
		{"usage", Usage("bad flag %s", "--x"), ExitUsage},
		{"env error", &EnvError{Msg: "no go"}, ExitUsage},
		{"failure", Failed, ExitFailure},
		{"env error with code", &EnvError{Msg: "go.mod", Code: ExitFailure}, ExitFailure},
		{"wrapped failure", fmt.Errorf("building: %w", &EnvError{Code: ExitFailure}), ExitFailure},
		{"canceled", context.Canceled, ExitInterrupted},
		{"wrapped canceled", fmt.Errorf("vetting: listing packages: %w", context.Canceled), ExitInterrupted},
		{"canceled inside a coder", &EnvError{Msg: "x", Code: ExitFailure, Err: context.Canceled}, ExitInterrupted},
	}
	for _, tt := range tests {
		if got := ExitCode(tt.err); got != tt.want {
			t.Errorf("%s: ExitCode(%v) = %d, want %d", tt.name, tt.err, got, tt.want)
		}
	}
}

func TestSplitPos(t *testing.T) {
	for pos, want := range map[string]struct {
		file      string
		line, col int
	}{
		"a/b.go:7:20": {"a/b.go", 7, 20},
		"a/b.go:7":    {"a/b.go", 7, 0},
		"a/b.go":      {"a/b.go", 0, 0},
		"":            {"", 0, 0},
		"c:/x.go:3":   {"c:/x.go", 3, 0},
		"a:b.go:x":    {"a:b.go:x", 0, 0},
	} {
		f, l, c := SplitPos(pos)
		if f != want.file || l != want.line || c != want.col {
			t.Errorf("SplitPos(%q) = %q, %d, %d; want %+v", pos, f, l, c, want)
		}
	}
}

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

package cli

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/pluginctl/pluginctl/builder"
	"github.com/pluginctl/pluginctl/internal/diag"
)

func TestExitCode(t *testing.T) {
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	for _, tc := range []struct {
		name string
		err  error
		want int
	}{
		{"nil", nil, diag.ExitOK},
		{"usage", diag.Usage("bad flag"), diag.ExitUsage},
		{"failed", diag.Failed, diag.ExitFailure},
		{"compile error", fmt.Errorf("building: %w", &builder.CompileError{}), diag.ExitFailure},
		{"environment", &builder.EnvError{Msg: "no C compiler"}, diag.ExitUsage},
		{"canceled", context.Canceled, diag.ExitInterrupted},
		// Issue 13: the vet gate wraps its errors in an exit-2 error;
		// an interruption inside it is still an interruption.
		{"canceled inside vet", &diag.EnvError{Msg: "vetting: listing packages: context canceled", Err: fmt.Errorf("vetting: %w", fmt.Errorf("listing packages: %w", context.Canceled))}, diag.ExitInterrupted},
		{"canceled inside a compile error chain", fmt.Errorf("x: %w", errors.Join(&builder.CompileError{}, context.Canceled)), diag.ExitInterrupted},
		{"killed go command after a signal", interrupted(canceled, errors.New("go list: signal: killed")), diag.ExitInterrupted},
		{"error without a signal", interrupted(context.Background(), errors.New("go list: exit status 1")), diag.ExitUsage},
	} {
		if got := diag.ExitCode(tc.err); got != tc.want {
			t.Errorf("%s: ExitCode(%v) = %d, want %d", tc.name, tc.err, got, tc.want)
		}
	}
}

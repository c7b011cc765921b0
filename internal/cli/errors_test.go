package cli

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/pluginctl/pluginctl/builder"
)

func TestExitCode(t *testing.T) {
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	for _, tc := range []struct {
		name string
		err  error
		want int
	}{
		{"nil", nil, ExitOK},
		{"usage", usageError("bad flag"), ExitUsage},
		{"failed", errFailed, ExitFailure},
		{"compile error", fmt.Errorf("building: %w", &builder.CompileError{}), ExitFailure},
		{"environment", &builder.EnvError{Msg: "no C compiler"}, ExitUsage},
		{"canceled", context.Canceled, ExitInterrupted},
		// Issue 13: the vet gate wraps its errors in an exit-2 error;
		// an interruption inside it is still an interruption.
		{"canceled inside vet", &exitError{ExitUsage, fmt.Errorf("vetting: %w", fmt.Errorf("listing packages: %w", context.Canceled))}, ExitInterrupted},
		{"canceled inside a compile error chain", fmt.Errorf("x: %w", errors.Join(&builder.CompileError{}, context.Canceled)), ExitInterrupted},
		{"killed go command after a signal", interrupted(canceled, errors.New("go list: signal: killed")), ExitInterrupted},
		{"error without a signal", interrupted(context.Background(), errors.New("go list: exit status 1")), ExitUsage},
	} {
		if got := ExitCode(tc.err); got != tc.want {
			t.Errorf("%s: ExitCode(%v) = %d, want %d", tc.name, tc.err, got, tc.want)
		}
	}
}

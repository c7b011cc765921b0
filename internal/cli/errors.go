package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/pluginctl/pluginctl/internal/diag"
)

// Exit codes, documented in diag.ExitCodes (pluginctl help exit-codes).
const (
	ExitOK          = diag.ExitOK
	ExitFailure     = diag.ExitFailure
	ExitUsage       = diag.ExitUsage
	ExitInterrupted = diag.ExitInterrupted
)

// exitError carries an exit code to main.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// ExitCode implements the urfave/cli ExitCoder interface.
func (e *exitError) ExitCode() int { return e.code }

// usageError is an error in how pluginctl was called.
func usageError(format string, args ...any) error {
	return &exitError{ExitUsage, fmt.Errorf(format, args...)}
}

// failure reports a failed build or verification whose details were already
// printed.
var errFailed = &exitError{ExitFailure, errors.New("")}

// interrupted marks err as the consequence of ctx being cancelled (a
// signal): whatever failed once the context was done failed because of
// it, even when a layer below reported it without wrapping
// context.Canceled (a killed go command, say).
func interrupted(ctx context.Context, err error) error {
	if err == nil || ctx.Err() == nil || errors.Is(err, context.Canceled) {
		return err
	}
	return &exitError{ExitInterrupted, fmt.Errorf("interrupted: %w", err)}
}

// ExitCode returns the process exit code for the error Run returned (see
// diag.ExitCode: every error that ends a command carries its code).
func ExitCode(err error) int { return diag.ExitCode(err) }

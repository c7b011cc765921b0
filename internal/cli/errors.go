package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/pluginctl/pluginctl/builder"
)

// Exit codes, documented in cmd/pluginctl/doc.go.
const (
	ExitOK = 0
	// ExitFailure: a build failed, or an artifact failed verification.
	ExitFailure = 1
	// ExitUsage: bad flags or arguments, or an environment problem (no
	// module, no Go toolchain, no C compiler, a missing file).
	ExitUsage = 2
	// ExitInterrupted: stopped by a signal before finishing.
	ExitInterrupted = 130
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

// ExitCode returns the process exit code for the error Run returned.
func ExitCode(err error) int {
	if err == nil {
		return ExitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	if errors.Is(err, context.Canceled) {
		return ExitInterrupted
	}
	var (
		ce *builder.CompileError
		ms *builder.MissingSumError
		me *builder.ModError
		pe *builder.PackageError
		fe *builder.ForHostError
	)
	if errors.As(err, &ce) || errors.As(err, &ms) || errors.As(err, &me) || errors.As(err, &pe) || errors.As(err, &fe) {
		return ExitFailure
	}
	return ExitUsage
}

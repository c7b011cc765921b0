// Package diag owns pluginctl's diagnoses: the Problem every check reports
// (verify's static and dynamic checks, vet, build's gate), its stable codes
// and severities, and the errors that end a command, each carrying the
// process exit code (ExitCode() int, as govulncheck does) so that main
// needs no list of error types.
package diag

import (
	"context"
	"errors"
	"fmt"
)

// Exit codes, documented in ExitCodes (pluginctl help exit-codes).
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

// Coder is an error that knows its exit code.
type Coder interface {
	error
	ExitCode() int
}

// ExitCode returns the process exit code for err: 0 for nil, 130 when the
// command was interrupted (a cancelled context anywhere in the chain wins:
// an interrupted go list is an interruption, not a listing error), the
// code of the first Coder in the chain, else 2.
func ExitCode(err error) int {
	if err == nil {
		return ExitOK
	}
	if errors.Is(err, context.Canceled) {
		return ExitInterrupted
	}
	var c Coder
	if errors.As(err, &c) {
		return c.ExitCode()
	}
	return ExitUsage
}

// EnvError is a problem with the invocation or the environment, not with
// the code being built or verified: no module, no Go or C compiler, no
// such file, no usable host, a locked output directory. Msg says what is
// wrong and where, Fix what to do about it.
type EnvError struct {
	Msg string
	Fix string
	// Code is the exit code; 0 means ExitUsage.
	Code int
	// Err is the underlying error, if any.
	Err error
}

func (e *EnvError) Error() string {
	if e.Fix == "" {
		return e.Msg
	}
	return e.Msg + "\n\t" + e.Fix
}

func (e *EnvError) Unwrap() error { return e.Err }

// ExitCode is Code, ExitUsage by default.
func (e *EnvError) ExitCode() int {
	if e.Code == 0 {
		return ExitUsage
	}
	return e.Code
}

// Usage returns an EnvError for a bad invocation.
func Usage(format string, args ...any) *EnvError {
	return &EnvError{Msg: fmt.Sprintf(format, args...)}
}

// Failed is a failure whose details were already reported (a failed
// artifact, a failed build): exit status 1 and nothing more to print.
var Failed Coder = &EnvError{Code: ExitFailure}

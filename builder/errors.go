package builder

import (
	"fmt"
	"strings"

	"github.com/pluginctl/pluginctl/internal/diag"
	"github.com/pluginctl/pluginctl/internal/gocmd"
	"github.com/pluginctl/pluginctl/internal/sumcache"
)

// EnvError is a problem with the environment or the invocation, not with
// the code being built: no module, no C compiler, a locked output
// directory. Fix says what to do about it; its ExitCode is 2.
type EnvError = diag.EnvError

// ModError is a go.mod, go.sum or go.work file that cannot be used; its
// message starts with file:line.
type ModError struct{ Err error }

func (e *ModError) Error() string { return e.Err.Error() }
func (e *ModError) Unwrap() error { return e.Err }

// ExitCode is 1: the module cannot be built.
func (e *ModError) ExitCode() int { return diag.ExitFailure }

// ExitCode is 1: the module cannot be built.
func (e *MissingSumError) ExitCode() int { return diag.ExitFailure }

// ExitCode is 1: the build failed.
func (e *CompileError) ExitCode() int { return diag.ExitFailure }

// ExitCode is 1: the packages cannot be built.
func (e *PackageError) ExitCode() int { return diag.ExitFailure }

// MissingSumError is a required module without a go.sum entry.
type MissingSumError struct {
	File    string
	Line    int
	Module  string
	Version string
	// Package is the package that needs it, when go build named one.
	Package string
}

func (e *MissingSumError) Error() string {
	where := "go.sum"
	if e.File != "" {
		where = fmt.Sprintf("%s:%d", e.File, e.Line)
	}
	what := e.Module
	if e.Version != "" {
		what += " " + e.Version
	}
	msg := fmt.Sprintf("%s: missing go.sum entry for module %s", where, what)
	if e.Package != "" {
		msg += " (needed by " + e.Package + ")"
	}
	return msg + fmt.Sprintf("\n\tpluginctl never rewrites go.mod or go.sum; add the entry with:\n\t\tgo mod download %s", e.Module)
}

// CompileError is one or more artifacts whose go build failed.
type CompileError struct {
	Failures []Failure
}

// Failure is one failed go build.
type Failure struct {
	Package string
	Kind    Kind
	// Output is what the go command printed, with the compiler's
	// file:line positions.
	Output string
}

func (e *CompileError) Error() string {
	var b strings.Builder
	for i, f := range e.Failures {
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "building %s %s failed:\n%s", f.Kind, f.Package, indent(f.Output))
	}
	b.WriteString("\nprevious artifacts were left untouched")
	return b.String()
}

func indent(s string) string {
	s = strings.TrimRight(s, "\n")
	return "\t" + strings.ReplaceAll(s, "\n", "\n\t")
}

// GoCommand is how the go command runs (the binary, directory and
// environment): Options.Go. Exported here so that a Go program can set it.
type GoCommand = gocmd.Go

// SumCache remembers artifact checksums by file identity: Options.Sums.
type SumCache = sumcache.Cache

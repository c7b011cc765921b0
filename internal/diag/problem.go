package diag

import (
	"slices"
	"strconv"
	"strings"
)

// Code names one kind of problem. The vocabulary is fixed and documented in
// Codes (pluginctl help codes); tools match on it, so a code is never renamed.
type Code string

// Severity says whether a problem fails the artifact (or the build).
type Severity string

const (
	// Error predicts a failure: the host will not load the plugin, will
	// not use it, or will crash or exit because of it.
	Error Severity = "error"
	// Warning is worth knowing, but the artifact loads and works.
	Warning Severity = "warning"
)

// Check names the check that found a problem.
type Check string

const (
	Static  Check = "static"
	Dynamic Check = "dynamic"
	// Vet is a source-level finding of `pluginctl vet`; its Code is the
	// analyzer's name.
	Vet Check = "vet"
	// Build is a failure of the build or of the command itself: what
	// stopped it before anything could be verified.
	Build Check = "build"
)

// The codes of what stops a command before it verifies anything (Check
// Build), so that a report says why it has no verdicts.
const (
	// CompileError: go build failed; Pos is the compiler's file:line.
	CompileError Code = "compile-error"
	// ModuleError: a go.mod, go.sum or go.work problem (a missing go.sum
	// entry, say); Pos is the file's line when known.
	ModuleError Code = "module-error"
	// PackageError: a package could not be loaded (syntax error, missing
	// import, no such package).
	PackageError Code = "package-error"
	// VetStopped: pluginctl vet found errors that predict a load failure,
	// so the build was stopped; the findings are reported with it.
	VetStopped Code = "vet-stopped"
	// Environment: the invocation or the environment (no module, no Go or
	// C compiler, no host to verify against, a missing file); exit 2.
	Environment Code = "environment"
	// Interrupted: a signal stopped the command.
	Interrupted Code = "interrupted"
)

// Problem is one finding about one artifact or package. Every check
// produces the same shape, so that one report lists them side by side.
type Problem struct {
	Code     Code     `json:"code"`
	Severity Severity `json:"severity"`
	// Message is one line: what is wrong.
	Message string `json:"message"`
	// Detail lists the evidence: packages, versions, types, output.
	Detail []string `json:"detail,omitempty"`
	Check  Check    `json:"check"`
	// Fix is a concrete action that removes the problem.
	Fix string `json:"fix,omitempty"`
	// Pos is the source position "file:line:col" (relative to the
	// directory the check ran in) of a source-level finding.
	Pos string `json:"pos,omitempty"`
}

// HasError reports whether ps has an error.
func HasError(ps []Problem) bool {
	return slices.ContainsFunc(ps, func(p Problem) bool { return p.Severity == Error })
}

// SplitPos splits a position "file:line[:col]" (line and col 0 when
// absent); a position that does not end in a line number is all file.
func SplitPos(pos string) (file string, line, col int) {
	file = pos
	for range 2 {
		i := strings.LastIndexByte(file, ':')
		if i < 0 {
			break
		}
		n, err := strconv.Atoi(file[i+1:])
		if err != nil || n <= 0 {
			break
		}
		file, col, line = file[:i], line, n
	}
	if line == 0 {
		col = 0
	}
	return file, line, col
}

package diag

// ExitDoc documents one process exit status.
type ExitDoc struct {
	Code    int
	Meaning string
}

// ExitCodes documents every exit status pluginctl ends with, in order:
// `pluginctl help exit-codes` prints it and the manual
// (cmd/pluginctl/doc.go) is generated from it.
var ExitCodes = []ExitDoc{
	{ExitOK, "success: everything was built, verified or vetted (warnings allowed)"},
	{ExitFailure, "failure: a package did not compile, a go.mod, go.sum or go.work problem (such as a missing go.sum entry), an artifact failed verification, vet found an error, or diff found a difference"},
	{ExitUsage, "usage or environment error: bad flags or arguments, not inside a Go module, no Go toolchain or C compiler, no such file, no usable host, nothing to build, two artifacts with one name, an output path that must not be replaced"},
	{ExitInterrupted, "interrupted (SIGINT or SIGTERM), whatever step was running: the previous artifacts are untouched; verify and check still write their report (to --output when given), with what was not checked marked so"},
}

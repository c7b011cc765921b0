package verifier

// Code names one kind of problem. The vocabulary is fixed and documented in
// README.md; tools match on it, so a code is never renamed.
type Code string

// The problem codes.
const (
	NotAPlugin           Code = "not-a-plugin"
	GoVersionMismatch    Code = "go-version-mismatch"
	BuildSettingMismatch Code = "build-setting-mismatch"
	PackageMismatch      Code = "package-mismatch"
	MissingNew           Code = "missing-new"
	BadNewSignature      Code = "bad-new-signature"
	APIVersionMismatch   Code = "api-version-mismatch"
	MissingCapability    Code = "missing-capability"
	InitPanic            Code = "init-panic"
	InitExit             Code = "init-exit"
	Timeout              Code = "timeout"
	Crash                Code = "crash"
	DuplicatePlugin      Code = "duplicate-plugin"
	PluginConflict       Code = "plugin-conflict"
	HashMismatch         Code = "hash-mismatch"
	// MissingSymbol and BadSymbolType are MissingNew and BadNewSignature
	// for any symbol of the host's contract other than the convention's
	// New (see package contract); the problem names the symbol.
	MissingSymbol Code = "missing-symbol"
	BadSymbolType Code = "bad-symbol-type"
	// CheckDisagreement is reported when the static and the dynamic check
	// reach different verdicts on one artifact: a bug in one of them.
	CheckDisagreement Code = "check-disagreement"
	// BuildSetMismatch warns that an artifact was not built in the same
	// `pluginctl build` run as the host.
	BuildSetMismatch Code = "build-set-mismatch"
)

// Severity says whether a problem fails the artifact.
type Severity string

const (
	// Error fails the artifact: the host will not load it or not use it.
	Error Severity = "error"
	// Warning is worth knowing but the artifact loads and works.
	Warning Severity = "warning"
)

// Check names the check that found a problem.
type Check string

const (
	Static  Check = "static"
	Dynamic Check = "dynamic"
	// Vet is a source-level finding of `pluginctl vet` (package
	// internal/vet); its Code is the analyzer's name and Pos says where.
	Vet Check = "vet"
)

// Problem is one finding about one artifact. Static and dynamic checks
// produce the same shape, so that one report lists them side by side.
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
	// Pos is the source position "file:line:col" (file relative to the
	// directory the check ran in) of a source-level (Check Vet) finding.
	Pos string `json:"pos,omitempty"`
}

package verifier

import (
	"path/filepath"
	"strings"

	"github.com/pluginctl/pluginctl/internal/artifact"
	"github.com/pluginctl/pluginctl/internal/contract"
	"github.com/pluginctl/pluginctl/internal/diag"
	"github.com/pluginctl/pluginctl/internal/gocmd"
	"github.com/pluginctl/pluginctl/internal/sumcache"
)

// Code names one kind of problem. The vocabulary is fixed and documented in
// diag.Codes (pluginctl help codes); tools match on it, so a code is never renamed.
type Code = diag.Code

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
	// CSymbolConflict: the plugin defines a C symbol that an earlier
	// plugin or the host defines first; opened RTLD_GLOBAL, its code
	// calls the other's.
	CSymbolConflict Code = "c-symbol-conflict"
	// MissingSymbol and BadSymbolType are MissingNew and BadNewSignature
	// for any symbol of the host's contract other than the convention's
	// New (see package contract); the problem names the symbol.
	MissingSymbol Code = "missing-symbol"
	BadSymbolType Code = "bad-symbol-type"
	// BadSymbolValue is a string symbol whose value is not one the host
	// compares it with and accepts (for APIVersion: APIVersionMismatch).
	BadSymbolValue Code = "bad-symbol-value"
	// BadMetadata is an exported PluginctlMetadata that is not valid
	// pluginctl build metadata (pluginapi/loader skips such a plugin).
	BadMetadata Code = "bad-metadata"
	// CheckDisagreement is reported when the static and the dynamic check
	// reach different verdicts on one artifact: a bug in one of them.
	CheckDisagreement Code = "check-disagreement"
	// BuildSetMismatch warns that an artifact was not built in the same
	// `pluginctl build` run as the host.
	BuildSetMismatch Code = "build-set-mismatch"
	// Unreadable: the file exists but cannot be read (permissions): it
	// says nothing about the plugin, and the host could not open it either.
	Unreadable Code = "unreadable"
	// SandboxFailure: the probe's sandbox could not be set up for this
	// artifact although it worked for others of the run (something
	// interfered): it was not run unboxed, and so not checked.
	SandboxFailure Code = "sandbox"
	// HostCannotLoadPlugins: the host loads no plugin at all (built with
	// CGO_ENABLED=0, or linked statically); every artifact gets it, and
	// nothing else is checked.
	HostCannotLoadPlugins Code = "host-cannot-load-plugins"
)

// Severity says whether a problem fails the artifact.
type Severity = diag.Severity

const (
	// Error fails the artifact: the host will not load it or not use it.
	Error = diag.Error
	// Warning is worth knowing but the artifact loads and works.
	Warning = diag.Warning
)

// Check names the check that found a problem.
type Check = diag.Check

const (
	Static  = diag.Static
	Dynamic = diag.Dynamic
	// Vet is a source-level finding of `pluginctl vet`.
	Vet = diag.Vet
)

// Problem is one finding about one artifact (see diag.Problem). Static
// and dynamic checks produce the same shape, so that one report lists
// them side by side.
type Problem = diag.Problem

// GoCommand is how the go command runs (the binary, directory and
// environment): Options.Go. Exported here so that a Go program can set it.
type GoCommand = gocmd.Go

// SumCache remembers artifact checksums by file identity: Options.Sums.
type SumCache = sumcache.Cache

// Contract is what a host looks up in its plugins (Options.Contract), and
// ContractEntry one symbol of it; see `pluginctl contract`.
type (
	Contract      = contract.Contract
	ContractEntry = contract.Entry
)

// hostCannotLoad is the report on artifacts for a host that loads no
// plugin: each fails with HostCannotLoadPlugins, up front, whatever it is.
func hostCannotLoad(r *Report, host *artifact.File, paths []string, why string) *Report {
	r.Host.GoVersion, r.Host.Package = host.BuildInfo.GoVersion, host.BuildInfo.Path
	r.Notes = append(r.Notes, "the host cannot load any plugin: nothing else was checked")
	for _, p := range paths {
		r.Artifacts = append(r.Artifacts, ArtifactReport{
			Path: p, Name: strings.TrimSuffix(filepath.Base(p), ".so"),
			Problems: []Problem{{
				Code: HostCannotLoadPlugins, Severity: Error, Check: Static,
				Message: "the host " + r.Host.Path + " cannot load any plugin: " + why,
				Fix:     "rebuild the host with CGO_ENABLED=1, dynamically linked (`pluginctl build` does): Go loads plugins only through cgo and the system's dynamic loader",
			}},
		})
	}
	r.Finish()
	return r
}

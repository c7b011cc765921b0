package verifier

import (
	"path/filepath"
	"strings"

	"github.com/pluginctl/pluginctl/internal/diag"
)

// The problem codes (see diag.Codes, pluginctl help codes): tools match
// on them, so a code is never renamed.
const (
	NotAPlugin           diag.Code = "not-a-plugin"
	GoVersionMismatch    diag.Code = "go-version-mismatch"
	BuildSettingMismatch diag.Code = "build-setting-mismatch"
	PackageMismatch      diag.Code = "package-mismatch"
	MissingNew           diag.Code = "missing-new"
	BadNewSignature      diag.Code = "bad-new-signature"
	APIVersionMismatch   diag.Code = "api-version-mismatch"
	MissingCapability    diag.Code = "missing-capability"
	InitPanic            diag.Code = "init-panic"
	InitExit             diag.Code = "init-exit"
	Timeout              diag.Code = "timeout"
	Crash                diag.Code = "crash"
	DuplicatePlugin      diag.Code = "duplicate-plugin"
	PluginConflict       diag.Code = "plugin-conflict"
	HashMismatch         diag.Code = "hash-mismatch"
	// CSymbolConflict: the plugin defines a C symbol that an earlier
	// plugin or the host defines first; opened RTLD_GLOBAL, its code
	// calls the other's.
	CSymbolConflict diag.Code = "c-symbol-conflict"
	// MissingSymbol and BadSymbolType are MissingNew and BadNewSignature
	// for any symbol of the host's contract other than the convention's
	// New (see package contract); the problem names the symbol.
	MissingSymbol diag.Code = "missing-symbol"
	BadSymbolType diag.Code = "bad-symbol-type"
	// BadSymbolValue is a string symbol whose value is not one the host
	// compares it with and accepts (for APIVersion: APIVersionMismatch).
	BadSymbolValue diag.Code = "bad-symbol-value"
	// BadMetadata is an exported PluginctlMetadata that is not valid
	// pluginctl build metadata (pluginapi/loader skips such a plugin).
	BadMetadata diag.Code = "bad-metadata"
	// CheckDisagreement is reported when the static and the dynamic check
	// reach different verdicts on one artifact: a bug in one of them.
	CheckDisagreement diag.Code = "check-disagreement"
	// BuildSetMismatch warns that an artifact was not built in the same
	// `pluginctl build` run as the host.
	BuildSetMismatch diag.Code = "build-set-mismatch"
	// Unreadable: the file exists but cannot be read (permissions): it
	// says nothing about the plugin, and the host could not open it either.
	Unreadable diag.Code = "unreadable"
	// SandboxFailure: the probe's sandbox could not be set up for this
	// artifact although it worked for others of the run (something
	// interfered): it was not run unboxed, and so not checked.
	SandboxFailure diag.Code = "sandbox"
	// HostCannotLoadPlugins: the host loads no plugin at all (built with
	// CGO_ENABLED=0, or linked statically); every artifact gets it, and
	// nothing else is checked.
	HostCannotLoadPlugins diag.Code = "host-cannot-load-plugins"
	// ContractUnknown warns that the host's contract is unknown (a
	// released host whose contract nothing tells, see project.InForce):
	// only the load checks ran.
	ContractUnknown diag.Code = "contract-unknown"
)

// hostCannotLoad is the report on artifacts for a host that loads no
// plugin: each fails with HostCannotLoadPlugins, up front, whatever it is.
func hostCannotLoad(r *diag.Report, paths []string, why string) *diag.Report {
	r.Notes = append(r.Notes, "the host cannot load any plugin: nothing else was checked")
	for _, p := range paths {
		r.Artifacts = append(r.Artifacts, diag.ArtifactReport{
			Path: p, Name: strings.TrimSuffix(filepath.Base(p), ".so"),
			Problems: []diag.Problem{{
				Code: HostCannotLoadPlugins, Severity: diag.Error, Check: diag.Static,
				Message: "the host " + r.Host.Path + " cannot load any plugin: " + why,
				Fix:     "rebuild the host with CGO_ENABLED=1, dynamically linked (`pluginctl build` does): Go loads plugins only through cgo and the system's dynamic loader",
			}},
		})
	}
	r.Finish()
	return r
}

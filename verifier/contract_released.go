package verifier

import (
	"context"
	"strings"

	"github.com/pluginctl/pluginctl/internal/artifact"
	"github.com/pluginctl/pluginctl/internal/contract"
	"github.com/pluginctl/pluginctl/internal/released"
	"github.com/pluginctl/pluginctl/pluginapi"
)

// A released host (a binary whose source is not where verify runs, and no
// manifest recording its contract): its contract is read from its source
// as its build info finds it (released.Host.Contract: --host-src, its own
// module at its version, the modules it links that load plugins). The
// pluginapi convention applies only to a host that links pluginctl's
// loader; for any other, an unknown contract is a warning on every
// artifact, never a silent convention.

// ContractUnknown warns that the host's contract is unknown: only the
// load checks ran.
const ContractUnknown Code = "contract-unknown"

// From values of a released host's contract (Report.Contract).
const (
	fromReleased = "released"
	fromUnknown  = "unknown"
)

// linksLoader reports whether the host links pluginctl's loader.
func linksLoader(host *artifact.File) bool {
	_, ok := host.Fingerprints[pluginapi.ImportPath+"/loader"]
	return ok
}

// releasedContract resolves the contract of a released host when the
// resolution found nothing of its own (the convention, or declarations
// only): declarations are merged over what the host's source says.
func releasedContract(ctx context.Context, o Options, host *artifact.File, res Resolution) (Resolution, error) {
	if host == nil || linksLoader(host) || (res.From != "convention" && res.From != "declared") {
		return res, nil
	}
	h, err := released.Read(host.Path)
	if err != nil {
		return res, nil // not a host whose build can be read: as before
	}
	hc, err := h.Contract(ctx, released.ContractOptions{HostSrc: o.HostSrc, Go: o.Go, LinkDir: o.CacheDir, Offline: o.Offline})
	if err != nil {
		return res, err
	}
	var declared []contract.Entry
	if res.From == "declared" && res.Contract != nil {
		declared = res.Contract.Entries
	}
	out := Resolution{API: res.API}
	for _, n := range res.Notes {
		if !strings.Contains(n, "pluginapi convention") { // replaced here
			out.Notes = append(out.Notes, n)
		}
	}
	switch {
	case hc.Known():
		out.Contract = contract.Merge(hc.Contract, declared...)
		out.From, out.Source = fromReleased, hc.From
		if res.From == "declared" {
			out.Contract = contract.WithKinds(out.Contract, res.Contract.Kinds...)
		}
	case res.From == "declared":
		out = res
		out.Notes = append(out.Notes, hc.Notes...)
	default:
		out.Contract, out.From = &contract.Contract{}, fromUnknown
		out.Notes = append(out.Notes, hc.Notes...)
	}
	if out.API == "" || out.API == pluginapi.ImportPath {
		out.API = ""
	}
	return out, nil
}

// unknownProblem is the warning every artifact carries when the host's
// contract is unknown.
func unknownProblem() Problem {
	return Problem{
		Code: ContractUnknown, Severity: Warning, Check: Static,
		Message: released.UnknownWarning,
		Fix:     "pluginctl verify --host-src DIR (the host's source checkout), or declare the symbols in pluginctl.toml or with --expect NAME=TYPE",
	}
}

package project

import (
	"context"
	"slices"
	"strings"

	"github.com/pluginctl/pluginctl/internal/contract"
	"github.com/pluginctl/pluginctl/internal/released"
	"github.com/pluginctl/pluginctl/pluginapi"
)

// Where the contract of a released host (a binary without its source at
// hand) comes from (Resolved.From).
const (
	// FromReleased: read from the released host's source, found through
	// its build info or given with --host-src (Resolved.Source says which).
	FromReleased = "released"
	// FromUnknown: nothing is known of the released host's contract and
	// nothing is declared: only load checks can run.
	FromUnknown = "unknown"
)

// LoaderPackage is pluginctl's loader: a host that links it follows the
// pluginapi convention.
const LoaderPackage = pluginapi.ImportPath + "/loader"

// ResolveReleased is the contract in force for a released host: the one
// read from its source (inferred, nil when unknown; source says where it
// came from), with pluginctl.toml's and --expect's declarations merged
// over it. With nothing inferred or declared, it is the pluginapi
// convention only for a host that links pluginctl's loader
// (linksLoader); for any other host it is unknown (no entries), never a
// guess.
func (p *Project) ResolveReleased(inferred *contract.Contract, source string, linksLoader bool) *Resolved {
	r := p.resolve(inferred)
	switch r.From {
	case FromInferred:
		r.From, r.Source = FromReleased, source
	case FromConvention:
		if linksLoader {
			r.Source = "the host links " + LoaderPackage
			break
		}
		r.From = FromUnknown
		r.Contract = contract.WithKinds(&contract.Contract{}, p.Config.Kinds...)
		r.API = slices.Clone(p.API)
	}
	return r
}

// Known reports whether the contract says anything a plugin must have.
func (r *Resolved) Known() bool {
	return r != nil && r.Contract != nil && (len(r.Entries) > 0 || len(r.Unresolved) > 0 || len(r.Kinds) > 0)
}

// releasedInForce is InForce for a released host (one that does not link
// pluginctl's loader) when the project found nothing of its own (the
// convention, or declarations only): the declarations are merged over
// what the host's source says.
func releasedInForce(ctx context.Context, k Known, res *Resolved) (*Resolved, error) {
	if k.Host == nil || res.From != FromConvention && res.From != FromDeclared {
		return res, nil
	}
	if _, loader := k.Host.Fingerprints[LoaderPackage]; loader {
		return res, nil
	}
	h, err := released.Read(k.Host.Path)
	if err != nil {
		return res, nil // not a host whose build can be read: as before
	}
	hc, err := h.Contract(ctx, k.Released)
	if err != nil {
		return res, err
	}
	var declared []contract.Entry
	if res.From == FromDeclared && res.Contract != nil {
		declared = res.Contract.Entries
	}
	out := &Resolved{API: res.API}
	for _, n := range res.Notes {
		if !strings.Contains(n, "pluginapi convention") { // replaced here
			out.Notes = append(out.Notes, n)
		}
	}
	switch {
	case hc.Known():
		out.Contract = contract.Merge(hc.Contract, declared...)
		out.From, out.Source = FromReleased, hc.From
		if res.From == FromDeclared {
			out.Contract = contract.WithKinds(out.Contract, res.Contract.Kinds...)
		}
	case res.From == FromDeclared:
		out = res
		out.Notes = append(out.Notes, hc.Notes...)
	default:
		out.Contract, out.From = &contract.Contract{}, FromUnknown
		out.Notes = append(out.Notes, hc.Notes...)
	}
	if out.PrimaryAPI() == pluginapi.ImportPath {
		out.API = nil
	}
	return out, nil
}

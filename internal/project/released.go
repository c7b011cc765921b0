package project

import (
	"slices"

	"github.com/pluginctl/pluginctl/internal/contract"
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

package project

import (
	"context"

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

// released is InForce for a released host h when the project tells
// nothing of its own (own: its declarations, or the convention): the
// contract read from the host's source, with the declarations merged over
// it; the declarations alone when the source tells nothing; else unknown
// (no entries), never a guess.
func (p *Project) released(ctx context.Context, h *released.Host, o released.ContractOptions, own *Resolved) (*Resolved, error) {
	hc, err := h.Contract(ctx, o)
	if err != nil {
		return nil, err
	}
	switch {
	case hc.Known():
		r := p.resolve(hc.Contract)
		r.From, r.Source, r.Notes = FromReleased, hc.From, own.Notes
		return r, nil
	case own.From == FromDeclared:
		own.Notes = append(own.Notes, hc.Notes...)
		return own, nil
	}
	return &Resolved{Contract: &contract.Contract{}, From: FromUnknown, API: p.API, Notes: append(own.Notes, hc.Notes...)}, nil
}

package vet

import (
	"context"

	"github.com/pluginctl/pluginctl/internal/project"
)

// contractPlan resolves the contract of a run: o.Contract, or the
// project's (project.Project.Contract: inferred from every host of the
// project, whatever subset of packages is vetted, with pluginctl.toml and
// --expect declared over it), resolved while the run loads its packages.
type contractPlan struct {
	done     chan struct{}
	resolved *project.Resolved
	err      error
}

func planContract(ctx context.Context, o *Options) *contractPlan {
	p := &contractPlan{done: make(chan struct{})}
	if o.Contract != nil {
		p.resolved = &project.Resolved{Contract: o.Contract, API: o.Project.API, From: "given"}
		close(p.done)
		return p
	}
	go func() {
		defer close(p.done)
		p.resolved, p.err = o.Project.Contract(ctx, nil)
	}()
	return p
}

// wait returns the resolved contract (nil on error, which then is in err).
func (p *contractPlan) wait() *project.Resolved {
	<-p.done
	return p.resolved
}

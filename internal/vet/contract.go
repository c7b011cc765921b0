package vet

import (
	"context"
	"slices"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/packages"

	"github.com/pluginctl/pluginctl/internal/contract"
	"github.com/pluginctl/pluginctl/internal/project"
	"github.com/pluginctl/pluginctl/internal/vet/contractcheck"
)

// The contract in force decides which checks look at the plugins' exported
// symbols: for the pluginapi convention (or a part of it), factory,
// apiversion and capabilities, as without a contract; for any other
// contract, the contract check, with factory, apiversion and capabilities
// kept for the convention's symbols the contract still has (a host that
// uses pluginapi/loader and looks up more).

// contractRun is the contract of a run and what follows from it.
type contractRun struct {
	c            *contract.Contract
	conventional bool
	cfg          *contractcheck.Config
	// enabled says which convention analyzers run (all of them for a
	// conventional contract): contractcheck.Coverage.
	enabled map[string]bool
}

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

// finish returns the contract run for the hosts Run found.
func (p *contractPlan) finish(o *Options, api string, hosts []*packages.Package) (*contractRun, []string) {
	var errs []string
	r := p.wait()
	if p.err != nil {
		errs = append(errs, "resolving the plugin contract: "+p.err.Error())
		r = o.Project.Declared()
	}
	c := r.Contract
	cr := &contractRun{c: c, conventional: contractcheck.Conventional(c, api)}
	var covered map[string]bool
	cr.enabled, covered = contractcheck.Coverage(c, api)
	cr.cfg = &contractcheck.Config{Contract: c, Root: o.Project.Root, Dir: o.Dir, Hosts: slices.Clone(c.Hosts), Covered: covered, PluginDirs: o.Project.Config.PluginDirs}
	for _, h := range hosts {
		if !slices.Contains(cr.cfg.Hosts, h.PkgPath) {
			cr.cfg.Hosts = append(cr.cfg.Hosts, h.PkgPath)
		}
	}
	return cr, errs
}

// analyzers returns the analyzers of the run, bound to its contract:
// the contract analyzer, only for a contract other than the convention;
// factory, apiversion and capabilities gated by contractcheck.Gate.
func (r *contractRun) analyzers(api *string, selected func(string) bool) []*analysis.Analyzer {
	cfg := r.cfg
	config := func(*analysis.Pass, string) (*contractcheck.Config, error) { return cfg, nil }
	var out []*analysis.Analyzer
	for _, a := range analyzers(api) {
		switch {
		case !selected(a.Name):
		case a.Name == "contract":
			if !r.conventional {
				out = append(out, contractcheck.NewAnalyzer(api, config))
			}
		case contractcheck.ConventionChecks[a.Name] != nil:
			if r.enabled[a.Name] {
				out = append(out, contractcheck.Gate(a, api, config))
			}
		default:
			out = append(out, a)
		}
	}
	return out
}

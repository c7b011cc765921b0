package vet

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/packages"

	"github.com/pluginctl/pluginctl/internal/contract"
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

// projectRoot is where pluginctl.toml is looked for: the root of the
// module containing dir, or the directory of the go.work file when that
// is nearer (a workspace root without a go.mod); dir itself without
// either.
func projectRoot(dir string, env []string) string {
	root := contractcheck.ModuleRoot(dir)
	if wf := findWork(dir, env); wf != "" {
		if wd := filepath.Dir(wf); root == "" || (len(wd) > len(root) && strings.HasPrefix(dir, wd)) {
			root = wd
		}
	}
	if root == "" {
		return dir
	}
	return root
}

// resolveContract returns the contract for the run: o.Contract, or the
// one pluginctl.toml at the project root declares merged over what the
// hosts' code implies (contract.Infer on the [contract] hosts, else on
// the hosts the run found). Problems (a bad pluginctl.toml, hosts that
// do not load) are returned as error strings for Result.Errors; the
// contract is then resolved from what remains.
func resolveContract(ctx context.Context, o *Options, hosts []*packages.Package) (*contractRun, []string) {
	var errs []string
	root := projectRoot(o.Dir, o.Env)
	pc, err := contract.LoadConfig(root)
	if err != nil {
		errs = append(errs, configError(o.Dir, root, err)...)
		pc = nil
	}
	c := o.Contract
	if c == nil {
		var inferred *contract.Contract
		if pc == nil || pc.Infer {
			var patterns []string
			if pc != nil && len(pc.Hosts) > 0 {
				patterns = pc.Hosts
			} else {
				for _, h := range hosts {
					if !h.IllTyped && len(h.Errors) == 0 {
						patterns = append(patterns, h.PkgPath)
					}
				}
			}
			if len(patterns) > 0 {
				inferred, err = contract.Infer(ctx, contract.InferOptions{Dir: root, Patterns: patterns, Env: inferEnv(o.Env, o.BuildFlags), Tags: o.Tags})
				if err != nil {
					if ctx.Err() == nil {
						errs = append(errs, "inferring the plugin contract: "+err.Error())
					}
					inferred = nil
				}
			}
		}
		var declared []contract.Entry
		if pc != nil {
			declared = pc.Symbols
		}
		c = contract.Resolve(inferred, o.APIPackage, declared...)
	}
	r := &contractRun{c: c, conventional: contractcheck.Conventional(c, o.APIPackage)}
	var covered map[string]bool
	r.enabled, covered = contractcheck.Coverage(c, o.APIPackage)
	r.cfg = &contractcheck.Config{Contract: c, Root: root, Dir: o.Dir, Hosts: slices.Clone(c.Hosts), Covered: covered}
	if pc != nil {
		r.cfg.PluginDirs = contractcheck.PluginDirs(root, pc.PluginDirs)
	}
	for _, h := range hosts {
		if !slices.Contains(r.cfg.Hosts, h.PkgPath) {
			r.cfg.Hosts = append(r.cfg.Hosts, h.PkgPath)
		}
	}
	return r, errs
}

// configError turns a LoadConfig error into Result.Errors lines, the
// file named relative to dir.
func configError(dir, root string, err error) []string {
	name := relPath(dir, filepath.Join(root, contract.ConfigFile))
	var out []string
	for _, e := range unjoin(err) {
		var ce *contract.ConfigError
		if errors.As(e, &ce) {
			ce2 := *ce
			ce2.File = name
			out = append(out, ce2.Error())
			continue
		}
		out = append(out, name+": "+e.Error())
	}
	return out
}

func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// inferEnv passes the run's build flags (pluginctl build's -trimpath,
// say) to contract.Infer through GOFLAGS, so that the export data it
// needs comes from the same build cache entries as the run's.
func inferEnv(env, flags []string) []string {
	var extra []string
	for _, f := range flags {
		if strings.HasPrefix(f, "-") && !strings.ContainsAny(f, " \t") {
			extra = append(extra, f)
		}
	}
	if len(extra) == 0 {
		return env
	}
	goflags := ""
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "GOFLAGS="); ok {
			goflags = v
		}
	}
	out := slices.Clone(env)
	return append(out, "GOFLAGS="+strings.TrimSpace(goflags+" "+strings.Join(extra, " ")))
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

// isPlugin reports whether a package main of the run is a plugin: one
// declaring New under the convention, one of the contract otherwise (or
// declaring New when factory still checks New).
func (r *contractRun) isPlugin(p *packages.Package) bool {
	if r.conventional || r.enabled["factory"] {
		if declaresNew(p) {
			return true
		}
	}
	return !r.conventional && contractcheck.IsPlugin(p.Types, pkgDir(p), r.cfg)
}

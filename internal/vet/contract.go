package vet

import (
	"context"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
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

// contractPlan resolves the contract of a run (o.Contract, or
// pluginctl.toml at the project root declared over what contract.Infer
// finds in the hosts' code), inferring while the run loads its packages.
type contractPlan struct {
	root string
	pc   *contract.Config
	errs []string // Result.Errors lines

	// The inference started early: on patterns, done closed when
	// inferred and err are set.
	patterns []string
	done     chan struct{}
	inferred *contract.Contract
	err      error
}

// planContract reads pluginctl.toml, and starts inferring from its
// [contract] hosts when it names them.
func planContract(ctx context.Context, o *Options) *contractPlan {
	p := &contractPlan{root: projectRoot(o.Dir, o.Env)}
	pc, err := contract.LoadConfig(p.root)
	if err != nil {
		p.errs = append(p.errs, configError(o.Dir, p.root, err)...)
		pc = nil
	}
	p.pc = pc
	if p.infers(o) && pc != nil && len(pc.Hosts) > 0 {
		p.start(ctx, o, pc.Hosts)
	}
	return p
}

// infers reports whether the run's contract is inferred at all.
func (p *contractPlan) infers(o *Options) bool {
	return o.Contract == nil && (p.pc == nil || p.pc.Infer)
}

func (p *contractPlan) start(ctx context.Context, o *Options, patterns []string) {
	if p.done != nil || len(patterns) == 0 {
		return
	}
	p.patterns = patterns
	p.done = make(chan struct{})
	opts := contract.InferOptions{Dir: p.root, Patterns: patterns, Env: inferEnv(o.Env, o.BuildFlags), Tags: o.Tags}
	go func() {
		defer close(p.done)
		p.inferred, p.err = contract.Infer(ctx, opts)
	}()
}

// listed starts inferring from the hosts among the listed roots, as Run
// will recognize them once they are type-checked (package main linking
// plugin, without a top-level New), so that inference overlaps loading.
func (p *contractPlan) listed(ctx context.Context, o *Options, roots []*packages.Package) {
	if !p.infers(o) || p.done != nil {
		return
	}
	var patterns []string
	for _, r := range roots {
		if r.Name != "main" || len(r.Errors) > 0 {
			continue
		}
		deps := map[string]bool{}
		collectDeps(r, deps)
		if deps["plugin"] && !parsedNew(r) && parsedMain(r) {
			patterns = append(patterns, r.PkgPath)
		}
	}
	p.start(ctx, o, patterns)
}

// parsedMain is declaresMain from the syntax of the package's files.
func parsedMain(p *packages.Package) bool {
	fset := token.NewFileSet()
	for _, name := range p.GoFiles {
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			return true // unknown: as before
		}
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv == nil && fd.Name.Name == "main" {
				return true
			}
		}
	}
	return false
}

// parsedNew is declaresNew from the syntax of the package's files.
func parsedNew(p *packages.Package) bool {
	fset := token.NewFileSet()
	for _, name := range p.GoFiles {
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			continue
		}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil && d.Name.Name == "New" {
					return true
				}
			case *ast.GenDecl:
				for _, sp := range d.Specs {
					switch sp := sp.(type) {
					case *ast.ValueSpec:
						for _, n := range sp.Names {
							if n.Name == "New" {
								return true
							}
						}
					case *ast.TypeSpec:
						if sp.Name.Name == "New" {
							return true
						}
					}
				}
			}
		}
	}
	return false
}

// finish returns the contract for the run, hosts being the hosts Run
// found: o.Contract, or the declared symbols merged over what the hosts
// imply (from the inference started early when it read the same hosts,
// else from a new one on the hosts that type-check), or the pluginapi
// convention when nothing is known (contract.Resolve). Problems (a bad
// pluginctl.toml, hosts that cannot be inferred from) are returned as
// Result.Errors lines; the contract is then resolved from what remains.
func (p *contractPlan) finish(ctx context.Context, o *Options, hosts []*packages.Package) (*contractRun, []string) {
	errs := p.errs
	c := o.Contract
	if c == nil {
		var inferred *contract.Contract
		if p.infers(o) {
			patterns := p.patterns
			if p.pc == nil || len(p.pc.Hosts) == 0 {
				patterns = nil
				for _, h := range hosts {
					if !h.IllTyped && len(h.Errors) == 0 {
						patterns = append(patterns, h.PkgPath)
					}
				}
			}
			var err error
			switch {
			case p.done != nil && slices.Equal(patterns, p.patterns):
				<-p.done
				inferred, err = p.inferred, p.err
			case len(patterns) > 0:
				inferred, err = contract.Infer(ctx, contract.InferOptions{Dir: p.root, Patterns: patterns, Env: inferEnv(o.Env, o.BuildFlags), Tags: o.Tags})
			}
			if err != nil {
				if ctx.Err() == nil {
					errs = append(errs, "inferring the plugin contract: "+err.Error())
				}
				inferred = nil
			}
		}
		var declared []contract.Entry
		var kinds []contract.Kind
		if p.pc != nil {
			declared, kinds = p.pc.Symbols, p.pc.Kinds
		}
		c = contract.WithKinds(contract.Resolve(inferred, o.APIPackage, declared...), kinds...)
	}
	r := &contractRun{c: c, conventional: contractcheck.Conventional(c, o.APIPackage)}
	var covered map[string]bool
	r.enabled, covered = contractcheck.Coverage(c, o.APIPackage)
	r.cfg = &contractcheck.Config{Contract: c, Root: p.root, Dir: o.Dir, Hosts: slices.Clone(c.Hosts), Covered: covered}
	if p.pc != nil {
		r.cfg.PluginDirs = contractcheck.PluginDirs(p.root, p.pc.PluginDirs)
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

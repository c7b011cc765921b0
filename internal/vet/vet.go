package vet

import (
	"cmp"
	"context"
	"fmt"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/checker"
	"golang.org/x/tools/go/packages"

	"github.com/pluginctl/pluginctl/internal/contract"
	"github.com/pluginctl/pluginctl/internal/diag"
	"github.com/pluginctl/pluginctl/internal/gocmd"
	"github.com/pluginctl/pluginctl/internal/load"
	"github.com/pluginctl/pluginctl/internal/project"
	"github.com/pluginctl/pluginctl/internal/vet/contractcheck"
	"github.com/pluginctl/pluginctl/internal/vet/hostload"
	"github.com/pluginctl/pluginctl/internal/vet/initio"
	"github.com/pluginctl/pluginctl/internal/vet/internal/common"
	"github.com/pluginctl/pluginctl/internal/vet/sharedstate"
)

// Checks are the names of all checks, in report order: the analyzers,
// then apicopy. A finding's Code is one of them.
var Checks = []string{"factory", "apiversion", "capabilities", "contract", "initio", "sharedstate", "hostload", "apicopy"}

// Config is what the analyzers know of the project: the API package,
// the contract in force, which packages are plugins.
type Config = common.Config

// Analyzers returns the per-package analyzers (every check but apicopy)
// of the project cfg describes, which they read when they run: the
// contract analyzer (whose findings on the convention's symbols have the
// codes factory, apiversion and capabilities), initio, sharedstate and
// hostload.
func Analyzers(cfg *Config) []*analysis.Analyzer {
	return []*analysis.Analyzer{contractcheck.NewAnalyzer(cfg), initio.NewAnalyzer(cfg), sharedstate.NewAnalyzer(cfg), hostload.NewAnalyzer(cfg)}
}

// Options configure Run. The zero value vets ./... of the current
// directory against project.API's default.
type Options struct {
	// Dir is the directory the go command runs in and positions are
	// relative to; "" means the current directory.
	Dir string
	// Patterns are the package patterns; none means ./... .
	Patterns []string
	// APIPackage is the import path of the project's API package; ""
	// means the project's (declared, or inferred from the contract's
	// types; project.API's default when nothing says otherwise).
	APIPackage string
	// Project is the project model; nil means Run loads it from Dir, Env,
	// Tags and BuildFlags (project.Load).
	Project *project.Project
	// Env is the go command's environment; nil means os.Environ().
	Env []string
	// Tags are build tags (-tags).
	Tags []string
	// BuildFlags are further go build flags for the go list commands
	// (pluginctl build passes its own, e.g. -trimpath, so that the export
	// data vet compiles is the build's, from one cache entry).
	BuildFlags []string
	// Checks selects checks by name (see Checks); none means all.
	Checks []string
	// Contract is the host's plugin contract to check plugins against;
	// nil means the project's (project.InForce). The [plugins]
	// dirs of pluginctl.toml apply either way.
	Contract *contract.Contract
}

// Result is what Run found: vet's report (diag.VetReport, which
// package output renders) and the contract the plugins were checked
// against.
type Result struct {
	diag.VetReport
	Contract *contract.Contract `json:"-"`
}

// The report's parts, as diag defines them.
type (
	Finding = diag.Finding
	Edit    = diag.Edit
	Summary = diag.VetSummary
)

// ByPackage groups the findings by Package ("" for module-level ones).
func (r *Result) ByPackage() map[string][]Finding {
	m := map[string][]Finding{}
	for _, f := range r.Findings {
		m[f.Package] = append(m[f.Package], f)
	}
	return m
}

// Run vets the packages o selects. The error is non-nil only when the
// packages cannot be listed at all (no go.mod, a bad pattern, a
// cancelled context); problems in the source are findings, and packages
// that do not compile are listed in Result.Errors.
func Run(ctx context.Context, o Options) (*Result, error) {
	dir, err := filepath.Abs(o.Dir) // "": the current directory
	if err != nil {
		return nil, err
	}
	o.Dir = dir
	if len(o.Patterns) == 0 {
		o.Patterns = []string{"./..."}
	}
	if o.Env == nil {
		o.Env = os.Environ()
	}
	selected := func(name string) bool { return len(o.Checks) == 0 || slices.Contains(o.Checks, name) }
	for _, c := range o.Checks {
		if !slices.Contains(Checks, c) {
			return nil, fmt.Errorf("unknown check %q (want one of %s)", c, strings.Join(Checks, ", "))
		}
	}
	if o.Project == nil {
		var api []string
		if o.APIPackage != "" {
			api = []string{o.APIPackage}
		}
		p, err := project.Load(ctx, project.Options{Dir: o.Dir, Go: &gocmd.Go{Env: o.Env}, API: api, Tags: o.Tags, BuildFlags: o.BuildFlags})
		if err != nil {
			return nil, err
		}
		o.Project = p
	}
	if err := o.Project.NeedModule(); err != nil {
		return nil, err
	}
	env, err := o.Project.PackagesEnv()
	if err != nil {
		return nil, err
	}
	o.Env = env

	o.Patterns = o.Project.Patterns(o.Patterns)
	// The contract is resolved (inferred from the hosts) while the
	// packages load.
	ictx, cancel := context.WithCancel(ctx)
	defer cancel()
	r, rerr := &project.Resolved{Contract: o.Contract, API: o.Project.API}, error(nil)
	resolved := make(chan struct{})
	go func() {
		defer close(resolved)
		if o.Contract == nil {
			r, rerr = project.InForce(ictx, project.Known{Project: o.Project})
		}
	}()
	// The roots and, type-checked from source too, the main-module
	// packages they import (so that analyzers get facts about them),
	// with comments and every types.Info map (see package load).
	l, err := load.Load(ctx, load.Config{Dir: o.Dir, Env: o.Env, Tags: o.Tags, BuildFlags: o.BuildFlags}, o.Patterns, load.Options{ParseComments: true})
	if err != nil {
		return nil, err
	}
	<-resolved
	res := &Result{VetReport: diag.VetReport{Dir: o.Dir, Errors: l.Errors}}
	if rerr != nil {
		res.Errors = append(res.Errors, "resolving the plugin contract: "+rerr.Error())
		r = o.Project.Declared()
	}
	res.API = project.API(cmp.Or(o.APIPackage, r.PrimaryAPI()))
	o.APIPackage = res.API
	res.Contract = r.Contract
	cfg := &Config{API: res.API, Contract: r.Contract, Project: o.Project, Dir: o.Dir, Plugins: map[string]bool{}}

	// Hosts and plugins, by the project's one rule.
	hostDeps := map[string]bool{}
	for _, p := range l.Roots {
		if p.Name == "" {
			continue // a pattern or list error, reported in Errors
		}
		res.Packages = append(res.Packages, p.PkgPath)
		if p.Name != "main" {
			continue
		}
		switch o.Project.Classify(project.FromPackages(p), func() *contract.Contract { return r.Contract }) {
		case project.Host:
			res.Hosts = append(res.Hosts, p.PkgPath)
			packages.Visit([]*packages.Package{p}, nil, func(q *packages.Package) { hostDeps[q.PkgPath] = true })
		case project.Plugin:
			res.Plugins = append(res.Plugins, p.PkgPath)
			cfg.Plugins[p.PkgPath] = true
		}
	}

	var analyzers []*analysis.Analyzer
	for _, a := range Analyzers(cfg) {
		if selected(a.Name) || a.Name == "contract" && (selected("factory") || selected("apiversion") || selected("capabilities")) {
			analyzers = append(analyzers, a)
		}
	}

	isRoot := map[*packages.Package]bool{}
	for _, p := range l.Roots {
		isRoot[p] = true
	}
	if len(analyzers) > 0 && len(l.Source) > 0 {
		graph, err := checker.Analyze(analyzers, l.Source, &checker.Options{})
		if err != nil {
			return nil, err
		}
		for _, act := range graph.Roots {
			if !isRoot[act.Package] {
				continue
			}
			if act.Err != nil && !act.Package.IllTyped {
				res.Errors = append(res.Errors, fmt.Sprintf("%s: %s: %v", act.Package.PkgPath, act.Analyzer.Name, act.Err))
				continue
			}
			var ir *initio.Result
			if r, ok := act.Result.(*initio.Result); ok {
				ir = r
			}
			for _, d := range act.Diagnostics {
				if ir != nil && !keepInitFinding(ir, d, hostDeps, len(res.Hosts) > 0) {
					continue
				}
				if f := finding(l.Fset, o.Dir, act.Analyzer.Name, act.Package.PkgPath, d); selected(string(f.Code)) {
					res.Findings = append(res.Findings, f)
				}
			}
		}
	}
	if selected("apicopy") {
		res.Findings = append(res.Findings, apicopy(ctx, &o, l, res)...)
	}

	sort.SliceStable(res.Findings, func(i, j int) bool {
		a, b := &res.Findings[i], &res.Findings[j]
		af, al, ac := diag.SplitPos(a.Pos)
		bf, bl, bc := diag.SplitPos(b.Pos)
		if c := cmp.Or(strings.Compare(af, bf), cmp.Compare(al, bl), cmp.Compare(ac, bc)); c != 0 {
			return c < 0
		}
		if a.Code != b.Code {
			return slices.Index(Checks, string(a.Code)) < slices.Index(Checks, string(b.Code))
		}
		return a.Message < b.Message
	})
	res.Summary.Packages = len(res.Packages)
	for _, f := range res.Findings {
		if f.Severity == diag.Warning {
			res.Summary.Warnings++
		} else {
			res.Summary.Errors++
		}
	}
	sort.Strings(res.Errors)
	if res.Findings == nil {
		res.Findings = []Finding{} // JSON: [] rather than null
	}
	return res, nil
}

// keepInitFinding drops the initio findings the host makes moot: an
// imported package's initialization that the host links anyway (it ran
// in the host, not in plugin.Open), and a registration with a package no
// host links (a registry private to the plugin).
func keepInitFinding(r *initio.Result, d analysis.Diagnostic, hostDeps map[string]bool, haveHosts bool) bool {
	for _, f := range r.Findings {
		if f.Pos != d.Pos || f.Message != d.Message {
			continue
		}
		if f.Init != "" && hostDeps[f.Init] {
			return false
		}
		if f.Init == "" && f.Target != "" && haveHosts && !hostDeps[f.Target] {
			return false
		}
	}
	return true
}

// finding converts a diagnostic. Its code is the analyzer's name, or
// what the category says before a slash (the contract analyzer's
// "apiversion/stale").
func finding(fset *token.FileSet, dir, analyzer, pkg string, d analysis.Diagnostic) Finding {
	pos := fset.Position(d.Pos)
	if code, cat, ok := strings.Cut(d.Category, "/"); ok {
		analyzer, d.Category = code, cat
	}
	f := Finding{
		Problem: diag.Problem{
			Code:     diag.Code(analyzer),
			Severity: diag.Error,
			Message:  d.Message,
			Check:    diag.Vet,
		},
		Package:  pkg,
		Category: d.Category,
	}
	f.Pos = fmt.Sprintf("%s:%d:%d", relPath(dir, pos.Filename), pos.Line, pos.Column)
	if common.IsWarning(analyzer, d.Category) {
		f.Severity = diag.Warning
	}
	for _, r := range d.Related {
		if fix, ok := strings.CutPrefix(r.Message, common.FixPrefix); ok {
			f.Fix = fix
			continue
		}
		rp := fset.Position(r.Pos)
		f.Detail = append(f.Detail, fmt.Sprintf("%s:%d:%d: %s", relPath(dir, rp.Filename), rp.Line, rp.Column, r.Message))
	}
	if len(d.SuggestedFixes) > 0 {
		sf := d.SuggestedFixes[0]
		f.Fix = sf.Message
		for _, e := range sf.TextEdits {
			tf := fset.File(e.Pos)
			if tf == nil {
				continue
			}
			end := e.End
			if !end.IsValid() {
				end = e.Pos
			}
			f.Edits = append(f.Edits, Edit{File: relPath(dir, tf.Name()), Start: tf.Offset(e.Pos), End: tf.Offset(end), New: string(e.NewText)})
		}
	}
	return f
}

// moduleFinding makes an apicopy finding at file:line.
func moduleFinding(dir, category string, file string, line int, msg, fix string, detail ...string) Finding {
	f := Finding{
		Problem: diag.Problem{
			Code:     "apicopy",
			Severity: diag.Error,
			Message:  msg,
			Detail:   detail,
			Check:    diag.Vet,
			Fix:      fix,
			Pos:      relPath(dir, file),
		},
		Category: category,
	}
	if line > 0 {
		f.Pos += fmt.Sprintf(":%d:1", line)
	}
	if common.IsWarning("apicopy", category) {
		f.Severity = diag.Warning
	}
	return f
}

func relPath(dir, file string) string {
	if file == "" {
		return ""
	}
	if rel, err := filepath.Rel(dir, file); err == nil && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return filepath.ToSlash(rel)
	}
	return file
}

func plural(n int, s string) string {
	if n == 1 {
		return s
	}
	return s + "s"
}

package verifier

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pluginctl/pluginctl/internal/artifact"
	"github.com/pluginctl/pluginctl/internal/contract"
	"github.com/pluginctl/pluginctl/internal/diag"
	"github.com/pluginctl/pluginctl/pluginapi"
	"github.com/pluginctl/pluginctl/verifier/internal/probe"
)

// The dynamic check opens every artifact in a separate, sandboxed process
// that has exactly the host's package set, toolchain and build flags (the
// probe, see package verifier/internal/probe), asserts the symbols of the
// host's contract the way the host does (and, for the pluginapi
// convention, goes on like a careful host: New, Name, Init), and turns
// what happened into Problems. It
// trusts nothing the child prints unless the child's authenticated report
// proves that every stage completed. After the per-artifact runs, one more
// child opens the artifacts that passed, in order, to find conflicts
// between them.

// DynamicResult is what the dynamic check found about one artifact.
type DynamicResult struct {
	// Path is the artifact as given.
	Path string
	// Problems are the dynamic problems, all with Check == Dynamic.
	Problems []diag.Problem
	// Loaded: the probe proved that it opened the artifact and went
	// through every step a careful host takes (problems or not).
	Loaded bool
	// Name is what the plugin's Plugin.Name() returned.
	Name string
	// APIVersion is the value of the plugin's APIVersion variable.
	APIVersion string
	// Capabilities is what Capabilities() returned.
	Capabilities []string
	// Symbols maps each looked-up symbol to its dynamic type (%T), ""
	// when the plugin does not export it.
	Symbols map[string]string
	// Convention: the pluginapi convention was checked (and its
	// functions called) on this artifact.
	Convention bool
	// Duration is the wall time of the artifact's probe run.
	Duration time.Duration
	// Checked: the dynamic check of this artifact completed (false only
	// in the partial report of an interrupted check).
	Checked bool
	// Writes are the paths its code wrote in the probe's throwaway layer.
	Writes []diag.Write
}

// DynamicReport is the outcome of CheckDynamic.
type DynamicReport struct {
	// Results are per artifact, in the order given.
	Results []DynamicResult
	// Toolchain is the GOTOOLCHAIN the probe was built with, "" for the
	// local go command.
	Toolchain string
	// APIPackage is the API package when the host links it, else "".
	APIPackage string
	// Runs counts the probe processes started; SetSkipped: the first
	// run opened every passing artifact cleanly, before any other, so it
	// was the set check too.
	Runs       int
	SetSkipped bool
	// Contract is the contract the artifacts were checked against (nil:
	// only plugin.Open).
	Contract *contract.Contract
	// Notes are what the check could not do, such as the contract's types
	// this host cannot assert.
	Notes []string
	// Unreproduced are the host's packages a probe built from the host's
	// build info does not have with the host's fingerprints.
	Unreproduced map[string]bool
}

// CheckDynamic opens every artifact in a probe process that mirrors the
// host o.Host, then opens the ones that passed together, in order. For
// each artifact, the probe looks up every entry of o.Contract that
// applies to it (Entry.Applies) and asserts the entry's types with the
// comma-ok type assertions the host writes; a type the host cannot assert
// (it names a package the host does not link, the host's package main,
// an unexported or internal name) is reported, never asserted. nil means
// the pluginapi convention when the host links the API package, and
// nothing but plugin.Open when it does not; when the host links it and
// an artifact's entries include the convention's New, the convention is
// checked as package pluginapi/loader does (APIVersion's value, then
// Capabilities, New, Name and Init are called).
//
// The error is an *EnvError (or the context's error) when nothing could
// be verified: the host was not built from this checkout, no toolchain,
// no probe. When the context ends during the runs, the report is
// returned with the context's error: what completed has
// DynamicResult.Checked.
func CheckDynamic(ctx context.Context, o Options, artifacts []string) (*DynamicReport, error) {
	o.defaults()
	if len(artifacts) == 0 {
		return &DynamicReport{}, nil
	}
	// The contract in force. The convention's types are compiled into the
	// probe even when the host turns out not to link the API package:
	// they then go unused.
	con := o.Contract
	if con == nil {
		con = contract.Default(o.APIPackage)
	}
	var types []string
	for _, e := range con.Entries {
		types = append(types, e.Types...)
	}
	p, err := buildProbe(ctx, probe.Config{Host: o.Host, SrcDir: o.Dir, Go: o.Go, APIPackage: o.APIPackage, CacheDir: o.CacheDir, Types: types}, o.HostSrc)
	if err != nil {
		var sf *StaticFallbackError
		if errors.As(err, &sf) {
			return nil, sf
		}
		return nil, envError(ctx, err)
	}
	if assumed(o.Contract, o.APIPackage) && p.APIPackage == "" {
		con = nil // the convention of a host that does not use it: only plugin.Open
	}
	rep := &DynamicReport{Toolchain: p.Toolchain, APIPackage: p.APIPackage, Contract: con}
	c := &prober{opts: o, probe: p, hostGo: p.HostInfo.GoVersion, contract: con}
	rep.Notes = append(releasedNotes(p), c.notes()...)
	if p.Released != nil {
		rep.Unreproduced = p.Released.UnreproducedPackages()
	}
	if len(o.RequireCapabilities) > 0 && p.APIPackage == "" {
		rep.Notes = append(rep.Notes, "required capabilities were not checked: the host does not link "+o.APIPackage+", whose convention they belong to")
	}

	rep.Results = make([]DynamicResult, len(artifacts))
	for i, a := range artifacts {
		rep.Results[i].Path = a
	}
	setChecked, err := c.runAll(ctx, artifacts, rep.Results)
	rep.SetSkipped = setChecked
	defer func() {
		rep.Runs = int(c.runs.Load())
		rep.Notes = append(rep.Notes, c.sandboxNotes()...)
		c.warnUnboxed(rep.Results)
	}()
	if ctx.Err() != nil {
		return rep, ctx.Err() // what was done: the report is partial
	}
	if err != nil {
		return nil, envError(ctx, err)
	}

	// The set, in the order given: what the host's process opens. The
	// artifacts that failed alone are opened too (their packages and C
	// symbols stay in the process and may break later ones), unless they
	// end the process; only the artifacts that passed alone get the
	// set's problems.
	var set []int
	var budget time.Duration
	passed := map[int]bool{}
	for i := range rep.Results {
		if endsProcess(rep.Results[i].Problems) {
			continue
		}
		set = append(set, i)
		budget += rep.Results[i].Duration
		if !diag.HasError(rep.Results[i].Problems) {
			passed[i] = true
		}
	}
	if len(passed) > 0 && len(set) > 1 && !setChecked {
		if err := c.checkSet(ctx, artifacts, set, passed, o.Timeout+2*budget, rep.Results); err != nil {
			if ctx.Err() != nil {
				// The set was not checked: neither were its members,
				// completely.
				for _, i := range set {
					rep.Results[i].Checked = false
				}
				return rep, ctx.Err()
			}
			return nil, envError(ctx, err)
		}
	}
	return rep, nil
}

// ran records the sandbox of a probe run, for the report's notes.
func (c *prober) ran(r *probe.Result) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sandbox == nil {
		c.sandbox = map[string]bool{}
	}
	if !r.Namespaces && r.Isolation != "" {
		c.sandbox["the probe ran without its own namespaces: "+r.Isolation+
			"; a plugin could see other processes and the network (see pluginctl help security)"] = true
		c.unboxed = r.Isolation
	}
	for _, n := range r.Notes {
		c.sandbox["the probe's sandbox: "+n] = true
	}
	if r.Forged > 0 {
		c.sandbox["lines on the probe supervisor's status pipe failed authentication: written by a plugin, ignored"] = true
	}
}

// warnUnboxed gives every artifact a warning when a probe ran without
// namespaces: a problem, so that every report format shows it.
func (c *prober) warnUnboxed(results []DynamicResult) {
	c.mu.Lock()
	why := c.unboxed
	c.mu.Unlock()
	if why == "" {
		return
	}
	for i := range results {
		results[i].Problems = append(results[i].Problems, diag.Problem{
			Code: SandboxFailure, Severity: diag.Warning, Check: diag.Dynamic,
			Message: "checked without the probe's sandbox: " + why,
			Detail: []string{"its init ran as you, able to see other processes, reach the network and change your files; " +
				"pluginctl's own environment and terminal were out of its reach"},
			Fix: "enable unprivileged user namespaces (pluginctl help security); --sandbox require refuses to run without them",
		})
	}
}

// sandboxNotes are the notes ran recorded, sorted.
func (c *prober) sandboxNotes() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for n := range c.sandbox {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// envError turns a failure of the check itself into an *EnvError.
func envError(ctx context.Context, err error) error {
	if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		return err
	}
	var ee *diag.EnvError
	if errors.As(err, &ee) {
		return ee
	}
	var se *probe.SandboxError
	if errors.As(err, &se) {
		return &diag.EnvError{Msg: "dynamic check: " + se.Error() + ", and --sandbox require forbids running it without",
			Fix: "enable unprivileged user namespaces (README.md, The probe's sandbox), or use --sandbox auto to run unboxed with a warning, or `pluginctl verify --static`"}
	}
	var pe *probe.EnvError
	if errors.As(err, &pe) {
		return &diag.EnvError{Msg: "dynamic check: " + pe.Msg, Fix: pe.Fix}
	}
	return &diag.EnvError{Msg: "dynamic check: " + err.Error(), Fix: "use `pluginctl verify --static` to check without running anything"}
}

type prober struct {
	opts     Options
	probe    *probe.Probe
	hostGo   string
	contract *contract.Contract // nil: only plugin.Open

	mu       sync.Mutex
	files    map[string]*artifact.File // artifacts read back, for details
	fileErrs map[string]error          // why an artifact could not be read
	runs     atomic.Int32              // probe processes started
	// sandbox collects what the runs' sandboxes lacked, once each;
	// unboxed is the sandbox of a run without namespaces.
	sandbox map[string]bool
	unboxed string
}

// file reads an artifact statically (once), for details the runtime does
// not give; nil if unreadable.
func (c *prober) file(path string) *artifact.File {
	c.mu.Lock()
	defer c.mu.Unlock()
	if f, ok := c.files[path]; ok {
		return f
	}
	if c.files == nil {
		c.files = map[string]*artifact.File{}
	}
	cache := c.opts.files()
	f, err := cache.Read(path)
	if err != nil {
		f = nil
		if c.fileErrs == nil {
			c.fileErrs = map[string]error{}
		}
		c.fileErrs[path] = err
	} else {
		cache.Save(f)
		f.Release() // only what Read found is used: keep memory bounded
	}
	c.files[path] = f
	return f
}

// notPluginReason returns why the artifact at path is not a Go plugin,
// as a static reading tells it, or "" when it is one (or unknown).
func (c *prober) notPluginReason(path string) string {
	f := c.file(path)
	var err error
	if f != nil {
		err = f.CheckPlugin()
	} else {
		c.mu.Lock()
		err = c.fileErrs[path]
		c.mu.Unlock()
	}
	var np *artifact.NotPluginError
	if errors.As(err, &np) {
		return np.Reason
	}
	return ""
}

// checkPlan is what the probe checks on one artifact: Checks asserts the
// contract's entries, in order (the convention's symbols are not among
// them when Convention: the probe checks those itself, and calls its
// functions).
type checkPlan struct {
	probe.Plan
	entries []contract.Entry
}

// plan decides what the probe checks on the artifact at path: every
// contract entry that applies to it, and the pluginapi convention when
// the host links the API package and the entries include its New.
func (c *prober) plan(path string) checkPlan {
	var pl checkPlan
	entries := c.contract.For(path)
	// conv: the convention's entry of e, when the probe's convention code
	// (that of pluginapi) checks it.
	var defaults []contract.Entry
	if api := c.probe.APIPackage; api == pluginapi.ImportPath {
		defaults = contract.Default(api).Entries
	}
	conv := func(e contract.Entry) (contract.Entry, bool) {
		i := slices.IndexFunc(defaults, func(d contract.Entry) bool { return d.Symbol == e.Symbol })
		if i < 0 || !e.IsConvention(pluginapi.ImportPath) {
			return contract.Entry{}, false
		}
		return defaults[i], true
	}
	for _, e := range entries {
		if _, ok := conv(e); ok && e.Symbol == pluginapi.SymbolNew {
			pl.Convention = true
		}
	}
	for _, e := range entries {
		if d, ok := conv(e); ok && pl.Convention {
			// The probe's convention code checks it, like
			// pluginapi/loader; a contract that requires one of its
			// optional symbols gets that checked on top (its type is
			// the convention code's business).
			if e.Required && !d.Required {
				pl.entries = append(pl.entries, e)
				pl.Checks = append(pl.Checks, probe.Check{Symbol: e.Symbol, Required: true})
			}
			continue
		}
		pl.entries = append(pl.entries, e)
		pl.Checks = append(pl.Checks, probe.Check{Symbol: e.Symbol, Required: e.Required, Types: e.Types})
	}
	return pl
}

// notes lists the contract's types this host cannot assert.
func (c *prober) notes() []string {
	if c.contract == nil {
		return nil
	}
	var out []string
	for _, tc := range c.probe.Types {
		if tc.Reason == "" {
			continue
		}
		var syms []string
		for _, e := range c.contract.Entries {
			if slices.Contains(e.Types, tc.Type) {
				syms = append(syms, e.Symbol)
			}
		}
		if len(syms) > 0 {
			out = append(out, fmt.Sprintf("the contract's type %s (of %s) cannot be asserted by this host: %s",
				tc.Type, strings.Join(slices.Compact(syms), ", "), tc.Reason))
		}
	}
	return out
}

// single classifies the run of one artifact.
func (c *prober) single(path string, plan checkPlan, r *probe.Result) (DynamicResult, error) {
	res := DynamicResult{Path: path, Duration: r.Duration, Convention: plan.Convention}
	for _, w := range r.WritesOf(0) {
		res.Writes = append(res.Writes, diag.Write{Path: w.Path, Removed: w.Removed})
	}
	if len(r.Events) == 0 && r.TimedOut {
		return res, &diag.EnvError{
			Msg: fmt.Sprintf("dynamic check: the probe did not even start within --timeout %v, before opening %s", c.opts.Timeout, path),
			Fix: "give it more time (--timeout 10s is the default; a loaded machine needs more), or use `pluginctl verify --static`",
		}
	}
	if len(r.Events) == 0 {
		return res, c.failedEarly(r, path)
	}
	add := func(p diag.Problem) {
		p.Check = diag.Dynamic
		if p.Severity != diag.Warning {
			p.Severity = diag.Error
		}
		res.Problems = append(res.Problems, p)
	}
	if !r.Completed() {
		add(c.failure(path, r, 0))
		return res, nil
	}
	res.Loaded = true
	for _, e := range r.Events {
		switch e.Stage {
		case probe.StageOpenError:
			res.Loaded = false
			add(c.openError(path, e.Error))
		case probe.StageLookedUp:
			if res.Symbols == nil {
				res.Symbols = map[string]string{}
			}
			c.contractChecks(&res, plan, e, add)
			if plan.Convention {
				c.lookups(&res, e, add)
			}
		case probe.StagePanicked:
			add(panicProblem(e))
		case probe.StageReturned:
			switch e.Func {
			case pluginapi.SymbolCapabilities:
				res.Capabilities = e.List
			case "Name":
				res.Name = e.Value
			case pluginapi.SymbolNew:
				if e.Nil {
					// A run-time failure of the factory, like a panic: no
					// file inspection can see it.
					add(diag.Problem{
						Code:    InitPanic,
						Message: "New returned a nil Plugin: a careful host refuses it",
						Fix:     "return a non-nil value from New; report failures from Init as an error",
					})
				}
			case pluginapi.SymbolInit:
				if e.Error != "" {
					add(diag.Problem{
						Code:    InitPanic,
						Message: "Init returned an error: the host skips the plugin",
						Detail:  []string{"Init: " + oneLine(e.Error)},
						Fix:     "make Init succeed in the host's environment (check the configuration and resources it needs)",
					})
				}
			}
		}
	}
	if plan.Convention && res.Loaded {
		c.capabilities(&res, add)
	}
	return res, nil
}

// failedEarly is the error of a probe run r that died (or hung) before
// opening what: no plugin code ran, so it is not the artifacts' doing.
func (c *prober) failedEarly(r *probe.Result, what string) error {
	sig := ""
	if r.Signal != "" {
		sig = ", " + r.Signal
	}
	return &diag.EnvError{
		Msg: fmt.Sprintf("dynamic check: the probe %s failed before opening %s (exit status %d%s): %s",
			c.probe.Path, what, r.ExitCode, sig, tail(r.Stderr, 3)),
		Fix: "use `pluginctl verify --static`, and report this as a bug in pluginctl",
	}
}

// endsProcess reports whether an artifact's problems say that loading it
// ends (or hangs) the host's process: it cannot be opened with others.
func endsProcess(ps []diag.Problem) bool {
	for _, p := range ps {
		switch p.Code {
		case Crash, Timeout, InitExit, InitPanic, GoVersionMismatch:
			return true
		}
	}
	return false
}

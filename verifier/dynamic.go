package verifier

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/pluginctl/pluginctl/internal/artifact"
	"github.com/pluginctl/pluginctl/internal/contract"
	"github.com/pluginctl/pluginctl/internal/gocmd"
	"github.com/pluginctl/pluginctl/pluginapi"
	"github.com/pluginctl/pluginctl/pluginapi/meta"
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

// DynamicOptions configure CheckDynamic.
type DynamicOptions struct {
	// Host is the host binary the artifacts are meant for.
	Host string
	// SrcDir is the source checkout the host was built from (default:
	// Go.Dir, else the current directory): the probe is built there.
	SrcDir string
	// Go runs the go command (nil: go from PATH).
	Go *gocmd.Go
	// APIPackage is the shared API package (default DefaultAPIPackage).
	APIPackage string
	// Contract is the host's plugin contract (package contract). For each
	// artifact, the probe looks up every entry that applies to it
	// (Entry.Applies: the file name without .so, or its path) and asserts
	// the entry's types with the comma-ok type assertions the host writes
	// (a first one, else the next...). A type the host cannot assert (it
	// names a package the host does not link, the host's package main,
	// an unexported or internal name) is reported, never asserted.
	//
	// nil means the pluginapi convention, contract.Default(APIPackage),
	// when the host links the API package, and nothing but plugin.Open
	// when it does not. When the host links the API package and the
	// entries of an artifact include the convention's New (func()
	// <APIPackage>.Plugin), the convention's symbols are checked as
	// package pluginapi/loader does: APIVersion's value, then
	// Capabilities, New, Name and Init are called.
	Contract *contract.Contract
	// Symbols are further symbols every artifact must export, of any
	// type: shorthand for required entries merged over Contract.
	Symbols []string
	// Timeout bounds the check of one artifact (default 10s).
	Timeout time.Duration
	// Jobs is how many artifacts are checked at once (default: GOMAXPROCS).
	Jobs int
	// RequireCapabilities must all be in each plugin's Capabilities()
	// (for the pluginapi convention).
	RequireCapabilities []string
	// CacheDir keeps the probe binaries (default: the user cache dir).
	CacheDir string
	// HostSrc is the host's source checkout, when the host is a released
	// binary whose own packages the plugins import: the probe is then
	// built from the host's build info with it as a workspace module.
	// "" builds from SrcDir, else (when the source is not there) from
	// the build info alone.
	HostSrc string
}

// DynamicResult is what the dynamic check found about one artifact.
type DynamicResult struct {
	// Path is the artifact as given.
	Path string
	// Problems are the dynamic problems, all with Check == Dynamic.
	Problems []Problem
	// Loaded: the probe proved that it opened the artifact and went
	// through every step a careful host takes (problems or not).
	Loaded bool
	// Name is what the plugin's Plugin.Name() returned.
	Name string
	// APIVersion is the value of the plugin's APIVersion variable.
	APIVersion string
	// Capabilities is what Capabilities() returned.
	Capabilities []string
	// Metadata is the build metadata read through plugin.Lookup, nil if
	// absent or invalid.
	Metadata *meta.Metadata
	// Symbols maps each looked-up symbol to its dynamic type (%T), ""
	// when the plugin does not export it.
	Symbols map[string]string
	// Convention: the pluginapi convention was checked (and its
	// functions called) on this artifact.
	Convention bool
	// Duration is the wall time of the artifact's probe run.
	Duration time.Duration
}

// DynamicReport is the outcome of CheckDynamic.
type DynamicReport struct {
	// Results are per artifact, in the order given.
	Results []DynamicResult
	// Probe is the probe binary; ProbeBuild how long `go build` took
	// (a few hundred ms when the cached probe is up to date).
	Probe      string
	ProbeBuild time.Duration
	// Toolchain is the GOTOOLCHAIN the probe was built with, "" for the
	// local go command.
	Toolchain string
	// APIPackage is the API package when the host links it, else "".
	APIPackage string
	// SetDuration is the wall time of the set check (0 when skipped).
	SetDuration time.Duration
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

// Problems returns the problems per artifact, in order.
func (r *DynamicReport) Problems() [][]Problem {
	out := make([][]Problem, len(r.Results))
	for i := range r.Results {
		out[i] = r.Results[i].Problems
	}
	return out
}

// CheckDynamic opens every artifact in a probe process that mirrors the
// host, then opens the ones that passed together, in order. The error is
// an *EnvError (or the context's error) when nothing could be verified:
// the host was not built from this checkout, no toolchain, no probe.
func CheckDynamic(ctx context.Context, o DynamicOptions, artifacts []string) (*DynamicReport, error) {
	if o.Timeout <= 0 {
		o.Timeout = probe.DefaultTimeout
	}
	if o.Jobs <= 0 {
		o.Jobs = runtime.GOMAXPROCS(0)
	}
	if o.APIPackage == "" {
		o.APIPackage = DefaultAPIPackage
	}
	if len(artifacts) == 0 {
		return &DynamicReport{}, nil
	}
	// The contract in force. The convention's types are compiled into the
	// probe even when the host turns out not to link the API package:
	// they then go unused.
	var symbols []contract.Entry
	for _, name := range o.Symbols {
		symbols = append(symbols, contract.Entry{Symbol: name, Required: true,
			Sources: []contract.Source{{Kind: contract.SourceExpect, Pos: "DynamicOptions.Symbols"}}})
	}
	con := o.Contract
	if con == nil {
		con = contract.Default(o.APIPackage)
	}
	if len(symbols) > 0 {
		con = contract.Merge(con, symbols...)
	}
	var types []string
	for _, e := range con.Entries {
		types = append(types, e.Types...)
	}
	p, err := buildProbe(ctx, probe.Config{Host: o.Host, SrcDir: o.SrcDir, Go: o.Go, APIPackage: o.APIPackage, CacheDir: o.CacheDir, Types: types}, o.HostSrc)
	if err != nil {
		var sf *StaticFallbackError
		if errors.As(err, &sf) {
			return nil, sf
		}
		return nil, dynEnvError(ctx, err)
	}
	if (o.Contract == nil || dynIsConvention(o.Contract)) && p.APIPackage == "" {
		// The convention of a host that does not use it: only plugin.Open.
		con = nil
		if len(symbols) > 0 {
			con = contract.Merge(nil, symbols...)
		}
	}
	rep := &DynamicReport{Probe: p.Path, ProbeBuild: p.BuildTime, Toolchain: p.Toolchain, APIPackage: p.APIPackage, Contract: con}
	c := &dynChecker{opts: o, probe: p, hostGo: p.HostInfo.GoVersion, contract: con}
	rep.Notes = append(releasedNotes(p), c.notes()...)
	if p.Released != nil {
		rep.Unreproduced = p.Released.UnreproducedPackages()
	}
	if len(o.RequireCapabilities) > 0 && p.APIPackage == "" {
		rep.Notes = append(rep.Notes, "required capabilities were not checked: the host does not link "+o.APIPackage+", whose convention they belong to")
	}

	rep.Results = make([]DynamicResult, len(artifacts))
	errs := make([]error, len(artifacts))
	sem := make(chan struct{}, o.Jobs)
	var wg sync.WaitGroup
	for i, a := range artifacts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				errs[i] = ctx.Err()
				return
			}
			defer func() { <-sem }()
			plan := c.plan(a)
			r, err := p.Run(ctx, probe.RunOptions{
				Artifacts: []string{a}, Require: o.RequireCapabilities, Timeout: o.Timeout,
				Checks: plan.checks, Convention: plan.convention,
			})
			if err != nil {
				errs[i] = err
				return
			}
			if r.Canceled {
				errs[i] = ctx.Err()
				return
			}
			rep.Results[i], errs[i] = c.single(a, plan, r)
		}()
	}
	wg.Wait()
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	for _, err := range errs {
		if err != nil {
			return nil, dynEnvError(ctx, err)
		}
	}

	// The set: the artifacts that passed alone, in the order given.
	var set []int
	var budget time.Duration
	for i := range rep.Results {
		if !dynHasError(rep.Results[i].Problems) {
			set = append(set, i)
			budget += rep.Results[i].Duration
		}
	}
	if len(set) > 1 {
		start := time.Now()
		if err := c.checkSet(ctx, artifacts, set, o.Timeout+2*budget, rep.Results); err != nil {
			return nil, dynEnvError(ctx, err)
		}
		rep.SetDuration = time.Since(start)
	}
	return rep, nil
}

// dynEnvError turns a failure of the check itself into an *EnvError.
func dynEnvError(ctx context.Context, err error) error {
	if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		return err
	}
	var ee *EnvError
	if errors.As(err, &ee) {
		return ee
	}
	var pe *probe.EnvError
	if errors.As(err, &pe) {
		return &EnvError{Msg: "dynamic check: " + pe.Msg, Fix: pe.Fix}
	}
	return &EnvError{Msg: "dynamic check: " + err.Error(), Fix: "use `pluginctl verify --static` to check without running anything"}
}

type dynChecker struct {
	opts     DynamicOptions
	probe    *probe.Probe
	hostGo   string
	contract *contract.Contract // nil: only plugin.Open

	mu    sync.Mutex
	files map[string]*artifact.File // artifacts read back, for details
}

// file reads an artifact statically (once), for details the runtime does
// not give; nil if unreadable.
func (c *dynChecker) file(path string) *artifact.File {
	c.mu.Lock()
	defer c.mu.Unlock()
	if f, ok := c.files[path]; ok {
		return f
	}
	if c.files == nil {
		c.files = map[string]*artifact.File{}
	}
	f, err := artifact.Read(path)
	if err != nil {
		f = nil
	}
	c.files[path] = f
	return f
}

func (c *dynChecker) apiPkg() string { return c.probe.APIPackage }

// dynIsConvention reports whether every entry of c comes from the
// pluginapi convention (contract.Default), not from a host or a
// declaration.
func dynIsConvention(c *contract.Contract) bool {
	for _, e := range c.Entries {
		for _, s := range e.Sources {
			if s.Kind != contract.SourceConvention {
				return false
			}
		}
	}
	return true
}

// dynPlan is what the probe checks on one artifact.
type dynPlan struct {
	// entries are the contract's entries asserted by the probe's checks,
	// in the order of checks.
	entries []contract.Entry
	checks  []probe.Check
	// convention: the probe checks the convention's symbols itself (and
	// calls its functions); they are not in entries.
	convention bool
}

// plan decides what the probe checks on the artifact at path: every
// contract entry that applies to it, and the pluginapi convention when
// the host links the API package and the entries include its New.
func (c *dynChecker) plan(path string) dynPlan {
	var pl dynPlan
	entries := c.contract.For(path)
	conv := map[string]string{} // the convention's symbols and types
	convRequired := map[string]bool{}
	if api := c.apiPkg(); api != "" {
		for _, e := range contract.Default(api).Entries {
			conv[e.Symbol] = e.Types[0]
			convRequired[e.Symbol] = e.Required
		}
		for _, e := range entries {
			if e.Symbol == pluginapi.SymbolNew && slices.Contains(e.Types, conv[e.Symbol]) {
				pl.convention = true
			}
		}
	}
	for _, e := range entries {
		if pl.convention && conv[e.Symbol] != "" && slices.Contains(e.Types, conv[e.Symbol]) {
			// The probe's convention code checks it, like
			// pluginapi/loader; a contract that requires one of its
			// optional symbols gets that checked on top (its type is
			// the convention code's business).
			if e.Required && !convRequired[e.Symbol] {
				pl.entries = append(pl.entries, e)
				pl.checks = append(pl.checks, probe.Check{Symbol: e.Symbol, Required: true})
			}
			continue
		}
		pl.entries = append(pl.entries, e)
		pl.checks = append(pl.checks, probe.Check{Symbol: e.Symbol, Required: e.Required, Types: e.Types})
	}
	return pl
}

// notes lists the contract's types this host cannot assert.
func (c *dynChecker) notes() []string {
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
func (c *dynChecker) single(path string, plan dynPlan, r *probe.Result) (DynamicResult, error) {
	res := DynamicResult{Path: path, Duration: r.Duration, Convention: plan.convention}
	if len(r.Events) == 0 {
		// The probe died (or hung) before it opened anything: no plugin
		// code ran, so this is not the artifact's doing.
		return res, &EnvError{
			Msg: fmt.Sprintf("dynamic check: the probe %s failed before opening %s (exit status %d%s): %s",
				c.probe.Path, path, r.ExitCode, dynSignalSuffix(r.Signal), dynTail(r.Stderr, 3)),
			Fix: "use `pluginctl verify --static`, and report this as a bug in pluginctl",
		}
	}
	add := func(p Problem) {
		p.Check, p.Severity = Dynamic, Error
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
			c.contractChecks(&res, plan, e, add)
			if plan.convention {
				c.lookups(&res, e, add)
			}
		case probe.StagePanicked:
			add(dynPanicProblem(e))
		case probe.StageReturned:
			switch e.Func {
			case "Capabilities":
				res.Capabilities = e.List
			case "Name":
				res.Name = e.Value
			case "New":
				if e.Nil {
					// A run-time failure of the factory, like a panic: no
					// file inspection can see it.
					add(Problem{
						Code:    InitPanic,
						Message: "New returned a nil Plugin: a careful host refuses it",
						Fix:     "return a non-nil value from New; report failures from Init as an error",
					})
				}
			case "Init":
				if e.Error != "" {
					add(Problem{
						Code:    InitPanic,
						Message: "Init returned an error: the host skips the plugin",
						Detail:  []string{"Init: " + dynLine(e.Error)},
						Fix:     "make Init succeed in the host's environment (check the configuration and resources it needs)",
					})
				}
			}
		}
	}
	if plan.convention && res.Loaded {
		c.capabilities(&res, r, add)
	}
	return res, nil
}

// contractChecks turns the probe's checks of the contract's entries into
// problems: a required symbol missing, a symbol of none of the entry's
// types (optional ones too: the host's assertion fails and it refuses
// the plugin). missing-new and bad-new-signature for New, missing-symbol
// and bad-symbol-type for every other symbol.
func (c *dynChecker) contractChecks(res *DynamicResult, plan dynPlan, e probe.Event, add func(Problem)) {
	if res.Symbols == nil {
		res.Symbols = map[string]string{}
	}
	for k, ent := range plan.entries {
		r, ok := e.Check(k)
		if !ok {
			continue
		}
		if r.Found || res.Symbols[ent.Symbol] == "" {
			res.Symbols[ent.Symbol] = r.Type
		}
		missing, bad := MissingSymbol, BadSymbolType
		if ent.Symbol == pluginapi.SymbolNew {
			missing, bad = MissingNew, BadNewSignature
		}
		want := dynWant(ent)
		switch {
		case !r.Found:
			if !ent.Required {
				continue
			}
			add(Problem{
				Code:    missing,
				Message: fmt.Sprintf("exports no %s: the host's Lookup(%q) fails", ent.Symbol, ent.Symbol),
				Detail:  []string{dynLine(r.Error), "expected " + want},
				Fix:     fmt.Sprintf("declare %s in the plugin's package main", dynDecl(ent)),
			})
		case len(plan.checks[k].Types) == 0 || r.Match >= 0:
			// The host's assertion succeeds.
		default:
			found := dynLine(r.Type)
			p := Problem{
				Code:    bad,
				Message: fmt.Sprintf("%s is %s, not %s: the host's type assertion fails", ent.Symbol, found, want),
				Detail:  []string{"found    " + found, "expected " + want},
				Fix:     fmt.Sprintf("declare %s", dynDecl(ent)),
			}
			unassertable := 0
			for j, idx := range r.Unassertable {
				typ, reason := "", ""
				if n, err := strconv.Atoi(idx); err == nil && n >= 0 && n < len(c.probe.Types) {
					typ, reason = c.probe.Types[n].Type, c.probe.Types[n].Reason
				}
				if j < len(r.Reasons) {
					reason = r.Reasons[j]
				}
				if typ == "" {
					continue
				}
				unassertable++
				line := fmt.Sprintf("the host cannot assert %s: %s", typ, reason)
				if (contract.Entry{Types: []string{typ}}).Matches(r.Type) {
					line = fmt.Sprintf("the plugin's %s prints like %s, which the host cannot assert: %s", ent.Symbol, typ, reason)
				}
				p.Detail = append(p.Detail, dynLine(line))
			}
			if unassertable == len(ent.Types) {
				p.Message = fmt.Sprintf("%s is %s; the contract expects %s, which this host cannot assert: the contract is not the host's", ent.Symbol, found, want)
				p.Fix = fmt.Sprintf("correct the contract's type of %s (pluginctl.toml or --expect) to the one the host asserts", ent.Symbol)
			}
			add(p)
		}
	}
}

// dynWant is the types an entry accepts, for a message.
func dynWant(e contract.Entry) string {
	if len(e.Types) == 0 {
		return "any type"
	}
	return strings.Join(e.Types, " or ")
}

// dynDecl is a declaration that satisfies the entry.
func dynDecl(e contract.Entry) string {
	if len(e.Types) == 0 {
		return "an exported " + e.Symbol
	}
	t := e.Types[0]
	if rest, ok := strings.CutPrefix(t, "*"); ok {
		return fmt.Sprintf("`var %s %s`", e.Symbol, rest)
	}
	if rest, ok := strings.CutPrefix(t, "func("); ok {
		return fmt.Sprintf("`func %s(%s`", e.Symbol, rest)
	}
	return fmt.Sprintf("%s of type %s", e.Symbol, t)
}

// lookups turns the convention's looked-up symbols into problems, as
// package pluginapi/loader would refuse the plugin.
func (c *dynChecker) lookups(res *DynamicResult, e probe.Event, add func(Problem)) {
	if res.Symbols == nil {
		res.Symbols = map[string]string{}
	}
	for name, s := range e.Symbols {
		res.Symbols[name] = s.Type
	}
	api := c.apiPkg()
	short := dynPkgName(api)
	ver := e.Symbols["APIVersion"]
	switch {
	case !ver.Found:
		add(Problem{
			Code:    APIVersionMismatch,
			Message: "exports no APIVersion: a careful host refuses it",
			Detail:  []string{"the host wants " + e.WantAPIVersion},
			Fix:     fmt.Sprintf("declare `var APIVersion = %s.APIVersion` in the plugin's package main", short),
		})
	case !ver.OK:
		add(Problem{
			Code:    APIVersionMismatch,
			Message: fmt.Sprintf("APIVersion is %s, not a string variable: the host's assertion to *string fails", ver.Type),
			Detail:  []string{"found    " + ver.Type, "expected *string"},
			Fix:     fmt.Sprintf("declare `var APIVersion = %s.APIVersion` (a variable, not a constant or function)", short),
		})
	default:
		res.APIVersion = ver.Value
		if ver.Value != e.WantAPIVersion {
			add(Problem{
				Code:    APIVersionMismatch,
				Message: fmt.Sprintf("APIVersion is %q, the host wants %q", ver.Value, e.WantAPIVersion),
				Detail:  []string{"plugin " + ver.Value, "host   " + e.WantAPIVersion},
				Fix:     fmt.Sprintf("declare `var APIVersion = %s.APIVersion` instead of a copied literal, and rebuild with `pluginctl build`", short),
			})
		}
	}
	wantNew := "func() " + short + ".Plugin"
	switch s := e.Symbols["New"]; {
	case !s.Found:
		var others []string
		for name, x := range e.Symbols {
			if x.Found && name != "New" {
				others = append(others, name)
			}
		}
		sort.Strings(others)
		add(Problem{
			Code:    MissingNew,
			Message: "exports no New: the host's Lookup(\"New\") fails",
			Detail:  []string{dynLine(s.Error), "exported API symbols: " + dynOrNone(others)},
			Fix:     fmt.Sprintf("declare `func New() %s.Plugin` in the plugin's package main", short),
		})
	case !s.OK:
		add(Problem{
			Code:    BadNewSignature,
			Message: fmt.Sprintf("New is %s, not %s: the host's comma-ok assertion fails", s.Type, wantNew),
			Detail:  []string{"found    " + s.Type, "expected " + wantNew},
			Fix:     fmt.Sprintf("declare New as `func New() %s.Plugin`", short),
		})
	}
	for _, opt := range []struct{ name, want string }{
		{"Capabilities", "func() []string"},
		{"Init", "func(" + short + ".Host) error"},
		{"PluginctlMetadata", "*string"},
	} {
		s := e.Symbols[opt.name]
		if s.Found && !s.OK {
			add(Problem{
				Code:    BadSymbolType,
				Message: fmt.Sprintf("%s is %s, not %s: the host's comma-ok assertion fails and it skips the plugin", opt.name, s.Type, opt.want),
				Detail:  []string{"found    " + s.Type, "expected " + opt.want},
				Fix:     fmt.Sprintf("declare %s with the type %s, or remove it", opt.name, opt.want),
			})
		}
	}
	if s := e.Symbols["PluginctlMetadata"]; s.Found && s.OK {
		md, err := meta.Parse([]byte(s.Value))
		if err != nil {
			add(Problem{
				Code:    BadNewSignature,
				Message: "PluginctlMetadata is not valid pluginctl build metadata: a careful host skips the plugin",
				Detail:  []string{dynLine(err.Error())},
				Fix:     "do not declare PluginctlMetadata yourself: `pluginctl build` writes it",
			})
		} else {
			res.Metadata = md
		}
	}
}

// capabilities checks the required capabilities, after a complete run.
func (c *dynChecker) capabilities(res *DynamicResult, r *probe.Result, add func(Problem)) {
	if len(c.opts.RequireCapabilities) == 0 || dynHasError(res.Problems) {
		return
	}
	if res.Symbols["Capabilities"] == "" {
		add(Problem{
			Code:    MissingCapability,
			Message: fmt.Sprintf("exports no Capabilities: the host requires %s", strings.Join(c.opts.RequireCapabilities, ", ")),
			Fix:     fmt.Sprintf("declare `func Capabilities() []string` returning %q", c.opts.RequireCapabilities),
		})
		return
	}
	var missing []string
	for _, want := range c.opts.RequireCapabilities {
		if !slices.Contains(res.Capabilities, want) {
			missing = append(missing, want)
		}
	}
	if len(missing) > 0 {
		add(Problem{
			Code:    MissingCapability,
			Message: fmt.Sprintf("lacks the required capability %s: the host skips it", strings.Join(missing, ", ")),
			Detail:  []string{fmt.Sprintf("Capabilities() = %q", res.Capabilities), fmt.Sprintf("required: %q", c.opts.RequireCapabilities)},
			Fix:     "implement the capability and add it to Capabilities(), or do not require it of this plugin",
		})
	}
}

// openError classifies plugin.Open's error.
func (c *dynChecker) openError(path, msg string) Problem {
	reason := msg
	if strings.HasPrefix(msg, `plugin.Open("`) {
		if i := strings.Index(msg, `"): `); i >= 0 {
			reason = msg[i+len(`"): `):]
		}
	}
	detail := []string{dynLine(msg)}
	const differentPkg = "plugin was built with a different version of package "
	switch {
	case strings.HasPrefix(reason, differentPkg):
		pkg := strings.TrimSpace(strings.TrimSuffix(reason[len(differentPkg):], " (previous failure)"))
		p := Problem{
			Code:    PackageMismatch,
			Message: "the host refuses it: built with a different version of package " + pkg,
			Detail:  append(detail, "package "+pkg),
			Fix:     "rebuild the plugin from the host's checkout, with the host's toolchain and flags: `pluginctl build`",
		}
		c.explainMismatch(&p, path, pkg)
		return p
	case reason == "plugin already loaded":
		return Problem{
			Code:    DuplicatePlugin,
			Message: "the host refuses it: a plugin with the same plugin path is already loaded",
			Detail:  detail,
			Fix:     "deploy one of the two files; a renamed copy is still the same plugin",
		}
	case strings.Contains(reason, "cannot open shared object file") && !strings.HasPrefix(reason, path) && !strings.HasPrefix(reason, dynAbs(path)):
		return Problem{
			Code:    NotAPlugin,
			Message: "dlopen fails: a shared library it needs is missing",
			Detail:  detail,
			Fix:     "install the missing library on the host's machine (or set LD_LIBRARY_PATH), or build the plugin without it",
		}
	default:
		why := reason
		if i := strings.LastIndex(reason, ": "); i >= 0 && (strings.HasPrefix(reason, path) || strings.HasPrefix(reason, dynAbs(path))) {
			why = reason[i+2:]
		}
		p := Problem{
			Code:    NotAPlugin,
			Message: "not a loadable Go plugin: " + dynLine(why),
			Detail:  detail,
			Fix:     "build it with `pluginctl build` (go build -buildmode=plugin)",
		}
		if f := c.file(path); f != nil && f.Kind != artifact.KindPlugin {
			if err := f.CheckPlugin(); err != nil {
				p.Detail = append(p.Detail, err.Error())
			}
		}
		return p
	}
}

// explainMismatch adds what the build info says about a package mismatch.
func (c *dynChecker) explainMismatch(p *Problem, path, pkg string) {
	f, h := c.file(path), c.file(c.probe.Host)
	if f == nil || h == nil || f.BuildInfo == nil || h.BuildInfo == nil {
		return
	}
	fb, hb := f.BuildInfo, h.BuildInfo
	if fb.GoVersion != hb.GoVersion {
		p.Detail = append(p.Detail, fmt.Sprintf("Go version: plugin %s, host %s", fb.GoVersion, hb.GoVersion))
		p.Fix = "rebuild the plugin with the host's toolchain: GOTOOLCHAIN=" + strings.Fields(hb.GoVersion)[0] + " pluginctl build"
		return
	}
	fs, hs := map[string]string{}, map[string]string{}
	for _, s := range fb.Settings {
		fs[s.Key] = s.Value
	}
	for _, s := range hb.Settings {
		hs[s.Key] = s.Value
	}
	var settings []string
	for _, k := range []string{"-race", "-msan", "-asan", "-trimpath", "-gcflags", "-asmflags", "-tags", "-pgo", "GOEXPERIMENT", "GOAMD64", "GOARM64", "CGO_CFLAGS"} {
		if fs[k] != hs[k] {
			settings = append(settings, fmt.Sprintf("%s: plugin %q, host %q", k, fs[k], hs[k]))
		}
	}
	if len(settings) > 0 {
		p.Detail = append(p.Detail, settings...)
		p.Fix = "build the host and its plugins with one set of flags: `pluginctl build`"
		return
	}
	pm, pv := moduleOf(pkg, f.BuildInfo)
	hm, hv := moduleOf(pkg, h.BuildInfo)
	switch {
	case pm != "" && pm == hm && pv != hv:
		p.Detail = append(p.Detail, fmt.Sprintf("module %s: plugin %s, host %s", pm, pv, hv))
		p.Fix = fmt.Sprintf("build the plugin against %s %s, the host's version (go get %s@%s), then rebuild with `pluginctl build`", pm, hv, pm, hv)
	case pm != "" && pm == hm:
		p.Detail = append(p.Detail, fmt.Sprintf("module %s %s on both sides, different source: another copy of it or an edited checkout (the type identity trap)", pm, pv))
		p.Fix = "build the host and the plugin from one checkout with `pluginctl build`"
	}
}

// failure classifies a run that did not complete: the artifact killed,
// ended or blocked the process.
func (c *dynChecker) failure(path string, r *probe.Result, index int) Problem {
	where, stage := dynPhase(r.Last(index))
	crash := dynParseStderr(r.Stderr)
	detail := []string{"last stage the probe reported: " + stage}
	if r.Unauthenticated > 0 {
		detail = append(detail, fmt.Sprintf("%d line(s) on the probe's report pipe failed authentication: written by the plugin, ignored", r.Unauthenticated))
	}
	switch {
	case r.TimedOut:
		detail = append(detail, dynOutput(r)...)
		fix := "do no blocking work (network, locks, waiting for input) in the plugin's package init; do it in Init, with a deadline"
		if stage != probe.StageOpening {
			fix = "make the plugin's exported functions return promptly; do slow work in the background, with a deadline"
		}
		return Problem{
			Code:    Timeout,
			Message: fmt.Sprintf("did not finish within %v: blocked %s", c.opts.Timeout, where),
			Detail:  detail,
			Fix:     fix,
		}
	case crash.kind == "panic":
		return Problem{
			Code:    InitPanic,
			Message: fmt.Sprintf("panics %s: %s", where, dynLine(crash.value)),
			Detail:  append(append(detail, "panic: "+dynLine(crash.value)), crash.frames...),
			Fix:     "fix the panic; a plugin's package init must not fail: move fallible setup into Init, which returns an error",
		}
	case crash.kind == "fatal" && strings.Contains(crash.value, "no plugin module data"):
		f := c.file(path)
		if f != nil && f.Kind != artifact.KindPlugin {
			reason := string(f.Kind)
			if err := f.CheckPlugin(); err != nil {
				var np *artifact.NotPluginError
				if errors.As(err, &np) {
					reason = np.Reason
				}
			}
			return Problem{
				Code:    NotAPlugin,
				Message: "not a Go plugin (" + reason + "): opening it kills the host with \"fatal error: runtime: no plugin module data\"",
				Detail:  append(detail, "fatal error: "+crash.value),
				Fix:     "build it with `pluginctl build` (go build -buildmode=plugin)",
			}
		}
		fix := "rebuild the plugin with the host's toolchain (" + c.hostGo + ") using `pluginctl build`"
		if f != nil && f.BuildInfo != nil {
			detail = append(detail, fmt.Sprintf("Go version: plugin %s, host %s", f.BuildInfo.GoVersion, c.hostGo))
			if f.BuildInfo.GoVersion != c.hostGo {
				fix = "rebuild the plugin with the host's toolchain: GOTOOLCHAIN=" + strings.Fields(c.hostGo)[0] + " pluginctl build"
			}
		}
		return Problem{
			Code:    Crash,
			Message: "kills the host " + where + ": fatal error: " + dynLine(crash.value) + " (a plugin from another Go toolchain)",
			Detail:  append(append(detail, "fatal error: "+crash.value), crash.frames...),
			Fix:     fix,
		}
	case crash.kind == "fatal":
		return Problem{
			Code:    Crash,
			Message: "kills the host " + where + ": fatal error: " + dynLine(crash.value),
			Detail:  append(append(detail, "fatal error: "+crash.value), crash.frames...),
			Fix:     "fix the fatal error; run the host with the plugin under GOTRACEBACK=all to see every goroutine",
		}
	case crash.kind == "signal":
		msg := fmt.Sprintf("crashes the host %s: %s", where, dynLine(crash.value))
		fix := "fix the crash; run the host with the plugin under a debugger to find where it happens"
		if crash.cgo {
			msg += ", in C code"
			fix = "fix the C code the plugin calls"
			if crash.signal == "SIGABRT" {
				fix += ": it called abort() (a failed assert?)"
			}
		}
		return Problem{
			Code:    Crash,
			Message: msg,
			Detail:  append(append(detail, crash.lines...), crash.frames...),
			Fix:     fix,
		}
	case r.Signal != "":
		msg := fmt.Sprintf("crashes the host %s: killed by %s", where, r.Signal)
		switch r.Signal {
		case "SIGKILL":
			msg += " (not pluginctl's timeout: the plugin itself, the CPU time limit or the out-of-memory killer)"
		case "SIGXCPU":
			msg += " (the CPU time limit)"
		}
		return Problem{
			Code:    Crash,
			Message: msg,
			Detail:  append(detail, dynOutput(r)...),
			Fix:     "fix the crash; run the host with the plugin under a debugger to find where it happens",
		}
	default:
		detail = append(detail, dynOutput(r)...)
		msg := fmt.Sprintf("ends the host's process with exit status %d %s", r.ExitCode, where)
		if r.ExitCode == 0 {
			msg = fmt.Sprintf("ends the host's process with exit status 0 %s, before the probe could confirm the load", where)
		}
		return Problem{
			Code:    InitExit,
			Message: msg,
			Detail:  detail,
			Fix:     "never call os.Exit or log.Fatal in a plugin: return an error from Init and let the host decide",
		}
	}
}

// dynPhase describes where a run stopped, from its last event.
func dynPhase(e *probe.Event) (where, stage string) {
	if e == nil {
		return "before plugin.Open", "none"
	}
	switch e.Stage {
	case probe.StageStarted:
		return "before plugin.Open", e.Stage
	case probe.StageOpening:
		return "during plugin.Open (in its package initialization)", e.Stage
	case probe.StageOpened, probe.StageOpenError:
		return "after plugin.Open, while looking up its symbols", e.Stage
	case probe.StageLookedUp:
		return "after its symbols were looked up", e.Stage
	case probe.StageCall:
		return "in " + e.Func, e.Stage + " " + e.Func
	case probe.StageReturned, probe.StagePanicked:
		return "after " + e.Func + " returned", e.Stage + " " + e.Func
	default:
		return "after the last check", e.Stage
	}
}

// dynPanicProblem is a panic the probe recovered in a plugin function.
func dynPanicProblem(e probe.Event) Problem {
	detail := []string{"panic: " + dynLine(e.Value)}
	if e.Type != "" && e.Type != "string" {
		detail[0] += " (" + e.Type + ")"
	}
	detail = append(detail, dynFrames(strings.Split(e.Stack, "\n"), true)...)
	return Problem{
		Code:    InitPanic,
		Message: fmt.Sprintf("%s panics: %s", e.Func, dynLine(e.Value)),
		Detail:  detail,
		Fix:     fmt.Sprintf("make %s return normally; report failures from Init as an error", e.Func),
	}
}

// dynCrash is what the Go runtime printed when the process died.
type dynCrash struct {
	kind   string // "panic", "fatal", "signal" or ""
	value  string // the panic value, the fatal error, the signal line
	signal string // SIGABRT, ... for kind "signal"
	cgo    bool   // "signal arrived during cgo execution"
	lines  []string
	frames []string
}

// dynParseStderr finds the Go runtime's last report of a panic, fatal
// error or signal in a child's stderr: the header line closest before the
// last goroutine trace. Anything else, garbage included, is ignored.
func dynParseStderr(stderr []byte) dynCrash {
	lines := strings.Split(strings.ToValidUTF8(string(stderr), "\uFFFD"), "\n")
	var c dynCrash
	trace := -1
	for i := len(lines) - 1; i >= 0; i-- {
		if strings.HasPrefix(lines[i], "goroutine ") && strings.HasSuffix(lines[i], "]:") {
			trace = i
			if dynHeader(lines, i) >= 0 {
				break
			}
		}
	}
	if trace < 0 {
		return c
	}
	h := dynHeader(lines, trace)
	if h < 0 {
		return c
	}
	line := lines[h]
	switch {
	case strings.HasPrefix(line, "panic: "):
		c.kind, c.value = "panic", strings.TrimSuffix(strings.TrimPrefix(line, "panic: "), " [recovered]")
		// A multi-line panic value runs up to the blank line.
		for j := h + 1; j < trace && lines[j] != "" && !strings.HasPrefix(lines[j], "[signal ") && !strings.HasPrefix(lines[j], "\t"); j++ {
			c.value += " " + lines[j]
		}
	case strings.HasPrefix(line, "fatal error: "):
		c.kind, c.value = "fatal", strings.TrimPrefix(line, "fatal error: ")
	default:
		c.kind, c.value = "signal", line
		c.signal, _, _ = strings.Cut(line, ":")
	}
	for j := h + 1; j < trace; j++ {
		switch {
		case strings.Contains(lines[j], "signal arrived during cgo execution"):
			c.cgo = true
			c.lines = append(c.lines, dynLine(lines[j]))
		case strings.HasPrefix(lines[j], "[signal "):
			c.lines = append(c.lines, dynLine(lines[j]))
			if c.kind == "fatal" {
				c.value += " " + lines[j]
			}
		}
	}
	c.value = dynLine(c.value)
	if c.kind == "signal" {
		c.lines = append([]string{dynLine(line)}, c.lines...)
	}
	c.frames = dynFrames(lines[trace+1:], false)
	return c
}

// dynHeader returns the index of the runtime's header line (panic:,
// fatal error:, SIGxxx:) that belongs to the trace starting at line i, or
// -1. Output the plugin wrote without a final newline may precede the
// header on its line: the returned line is cut to start at the header.
func dynHeader(lines []string, i int) int {
	for j := i - 1; j >= 0 && j >= i-40; j-- {
		l := lines[j]
		if strings.HasPrefix(l, "goroutine ") && strings.HasSuffix(l, "]:") {
			return -1
		}
		if strings.HasPrefix(l, "[signal ") {
			continue // detail of the header above it
		}
		if k := dynHeaderStart(l); k >= 0 {
			lines[j] = l[k:]
			return j
		}
	}
	return -1
}

// dynHeaderRE matches the start of a runtime crash header.
var dynHeaderRE = regexp.MustCompile(`(panic: |fatal error: |SIG[A-Z0-9]+: )`)

func dynHeaderStart(l string) int {
	if loc := dynHeaderRE.FindStringIndex(l); loc != nil {
		return loc[0]
	}
	return -1
}

// dynFrames returns the top of a Go stack trace as "function (file:line)",
// up to three frames. After a recovered panic (recovered), the frames from
// the last panic( call on; runtime frames and the probe's own (package
// main) are skipped.
func dynFrames(lines []string, recovered bool) []string {
	if recovered {
		for i := len(lines) - 1; i >= 0; i-- {
			if strings.HasPrefix(lines[i], "panic(") {
				lines = lines[i+1:]
				break
			}
		}
	}
	var out []string
	for i := 0; i < len(lines) && len(out) < 3; i++ {
		fn := lines[i]
		if fn == "" {
			if len(out) > 0 {
				break
			}
			continue
		}
		if strings.HasPrefix(fn, "\t") || strings.HasPrefix(fn, "goroutine ") {
			continue
		}
		loc := ""
		if i+1 < len(lines) && strings.HasPrefix(lines[i+1], "\t") {
			loc = strings.TrimSpace(lines[i+1])
			if j := strings.Index(loc, " "); j >= 0 {
				loc = loc[:j]
			}
			i++
		}
		name := fn
		if j := strings.LastIndex(name, "("); j > 0 {
			name = name[:j]
		}
		if strings.HasPrefix(name, "runtime.") || strings.HasPrefix(name, "panic") || strings.HasPrefix(name, "main.") ||
			strings.HasPrefix(name, "created by ") {
			continue
		}
		frame := "at " + name
		if loc != "" {
			frame += " (" + loc + ")"
		}
		out = append(out, dynLine(frame))
	}
	return out
}

// checkSet opens the artifacts of set (indexes into paths) in one
// process, in order, and adds the conflicts to results. A child that dies
// is run again without the artifact it died on.
func (c *dynChecker) checkSet(ctx context.Context, paths []string, set []int, timeout time.Duration, results []DynamicResult) error {
	reported := map[int]bool{} // artifacts (indexes into paths) with a set problem
	for len(set) > 1 {
		files := make([]string, len(set))
		for k, i := range set {
			files[k] = paths[i]
		}
		r, err := c.probe.Run(ctx, probe.RunOptions{Set: true, Artifacts: files, Timeout: timeout})
		if err != nil {
			return err
		}
		if r.Canceled {
			return ctx.Err()
		}
		if len(r.Events) == 0 {
			return &EnvError{
				Msg: fmt.Sprintf("dynamic check: the probe %s failed before opening any plugin (exit status %d%s): %s",
					c.probe.Path, r.ExitCode, dynSignalSuffix(r.Signal), dynTail(r.Stderr, 3)),
				Fix: "use `pluginctl verify --static`, and report this as a bug in pluginctl",
			}
		}
		add := func(k int, p Problem) {
			if reported[set[k]] {
				return // the same outcome, again, in a rerun
			}
			reported[set[k]] = true
			p.Check, p.Severity = Dynamic, Error
			res := &results[set[k]]
			res.Problems = append(res.Problems, p)
		}
		for _, e := range r.Events {
			k := e.Index
			if k < 0 || k >= len(set) {
				continue
			}
			switch e.Stage {
			case probe.StageOpenError:
				add(k, c.setOpenError(paths, set, k, e.Error))
			case probe.StageOpened:
				if e.SameAs != nil && *e.SameAs >= 0 && *e.SameAs < k {
					add(k, Problem{
						Code:    DuplicatePlugin,
						Message: "the same file as " + paths[set[*e.SameAs]] + ": plugin.Open returns the plugin already opened, and a careful host skips it",
						Fix:     "list each plugin file once (a symbolic link to a plugin is the same plugin)",
					})
				}
			}
		}
		if r.Completed() {
			return nil
		}
		// The child died (or hung) while opening one artifact after the
		// ones before it: that one conflicts with them.
		last := r.Last(-1)
		switch {
		case last.Stage == probe.StageDone:
			return nil // every artifact opened; it died on the way out
		case last.Stage == probe.StageStarted || last.Index < 0 || last.Index >= len(set):
			return &EnvError{
				Msg: fmt.Sprintf("dynamic check: the probe %s failed before opening any plugin of the set (exit status %d%s): %s",
					c.probe.Path, r.ExitCode, dynSignalSuffix(r.Signal), dynTail(r.Stderr, 3)),
				Fix: "use `pluginctl verify --static`, and report this as a bug in pluginctl",
			}
		}
		k := last.Index
		p := c.failure(paths[set[k]], r, k)
		var before []string
		for _, i := range set[:k] {
			before = append(before, paths[i])
		}
		p.Code = PluginConflict
		p.Message = "loaded after the plugins before it: " + p.Message
		p.Detail = append(p.Detail, "loaded before it: "+strings.Join(before, ", "))
		add(k, p)
		set = slices.Delete(set, k, k+1)
	}
	return nil
}

// setOpenError classifies an open error in the set check: the artifact
// opened alone, so the plugins before it are the reason.
func (c *dynChecker) setOpenError(paths []string, set []int, k int, msg string) Problem {
	path := paths[set[k]]
	p := c.openError(path, msg)
	switch p.Code {
	case DuplicatePlugin:
		p.Message = "the host refuses it with \"plugin already loaded\": another artifact has the same plugin path"
		if f := c.file(path); f != nil && f.PluginPath != "" {
			for _, i := range set[:k] {
				if g := c.file(paths[i]); g != nil && g.PluginPath == f.PluginPath {
					p.Message = fmt.Sprintf("same plugin as %s (plugin path %s): the host refuses the second with \"plugin already loaded\"", paths[i], f.PluginPath)
					break
				}
			}
		}
	case PackageMismatch:
		pkg := ""
		for _, d := range p.Detail {
			if strings.HasPrefix(d, "package ") {
				pkg = strings.TrimPrefix(d, "package ")
			}
		}
		detail := []string{dynLine(msg)}
		var others []string
		if f := c.file(path); f != nil && pkg != "" {
			for _, i := range set[:k] {
				if g := c.file(paths[i]); g != nil {
					if fp, ok := g.Fingerprints[pkg]; ok && fp != f.Fingerprints[pkg] {
						others = append(others, paths[i])
					}
				}
			}
		}
		msg := fmt.Sprintf("links another version of package %s than a plugin loaded before it: the host refuses this one", pkg)
		if len(others) > 0 {
			msg = fmt.Sprintf("links another version of package %s than %s, loaded before it: the host refuses this one", pkg, others[0])
			detail = append(detail, fmt.Sprintf("%s: differs from %s", pkg, strings.Join(others, ", ")))
		}
		return Problem{
			Code:    PluginConflict,
			Message: msg,
			Detail:  detail,
			Fix:     "build all plugins from one module graph with `pluginctl build`, so that they share one version of every package",
		}
	default:
		p.Code = PluginConflict
		p.Message = "fails to open after the plugins before it: " + p.Message
	}
	return p
}

func dynHasError(ps []Problem) bool {
	for _, p := range ps {
		if p.Severity == Error {
			return true
		}
	}
	return false
}

func dynOrNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}

func dynPkgName(importPath string) string {
	return importPath[strings.LastIndex(importPath, "/")+1:]
}

func dynAbs(path string) string {
	if abs, err := filepath.Abs(path); err == nil {
		return abs
	}
	return path
}

func dynSignalSuffix(sig string) string {
	if sig == "" {
		return ""
	}
	return ", " + sig
}

// dynLine makes untrusted text safe for a one-line message: valid UTF-8,
// no control characters, at most 300 bytes.
func dynLine(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	s = strings.TrimSpace(s)
	if len(s) > 300 {
		s = strings.ToValidUTF8(s[:300], "") + "…"
	}
	return s
}

// dynTail returns the last n non-empty lines of out, made safe; a line
// that is mostly not text shows as its size.
func dynTail(out []byte, n int) string {
	lines := strings.Split(string(out), "\n")
	var keep []string
	for i := len(lines) - 1; i >= 0 && len(keep) < n; i-- {
		l := dynLine(lines[i])
		if l == "" {
			continue
		}
		if bad := dynBinary(lines[i]); bad {
			l = fmt.Sprintf("(%d bytes of binary data)", len(lines[i]))
		}
		keep = append([]string{l}, keep...)
	}
	if len(keep) == 0 {
		return "no output"
	}
	return strings.Join(keep, " | ")
}

// dynBinary tells a line that is mostly not printable text.
func dynBinary(s string) bool {
	bad := 0
	for _, r := range s {
		if r == utf8.RuneError || r < 0x20 && r != '\t' || r == 0x7f {
			bad++
		}
	}
	return bad*10 > len(s)
}

// dynOutput is the child's output for a Detail, if any.
func dynOutput(r *probe.Result) []string {
	var d []string
	if len(r.Stderr) > 0 {
		d = append(d, "stderr: "+dynTail(r.Stderr, 3))
	}
	if len(r.Stdout) > 0 {
		d = append(d, "stdout: "+dynTail(r.Stdout, 3))
	}
	return d
}

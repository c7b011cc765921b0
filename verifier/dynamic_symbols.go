package verifier

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/pluginctl/pluginctl/internal/artifact"
	"github.com/pluginctl/pluginctl/internal/contract"
	"github.com/pluginctl/pluginctl/internal/diag"
	"github.com/pluginctl/pluginctl/internal/released"
	"github.com/pluginctl/pluginctl/pluginapi"
	"github.com/pluginctl/pluginctl/pluginapi/meta"
	"github.com/pluginctl/pluginctl/verifier/internal/probe"
)

// contractChecks turns the probe's checks of the contract's entries into
// problems: a required symbol missing, a symbol of none of the entry's
// types (optional ones too: the host's assertion fails and it refuses
// the plugin). missing-new and bad-new-signature for New, missing-symbol
// and bad-symbol-type for every other symbol.
func (c *prober) contractChecks(res *DynamicResult, plan checkPlan, e probe.Event, add func(diag.Problem)) {
	judged := entryProblems{c: c.contract, path: res.Path}
	for k, ent := range plan.entries {
		r, ok := e.Check(k)
		if !ok {
			continue
		}
		add := func(p diag.Problem) { judged.add(ent, p, contract.SymbolBadType) }
		if r.Found || res.Symbols[ent.Symbol] == "" {
			res.Symbols[ent.Symbol] = r.Type
		}
		_, bad := entryCodes(ent)
		want := ent.Want(nil)
		switch {
		case !r.Found:
			if ent.Required {
				judged.add(ent, missingProblem(ent, oneLine(r.Error), "expected "+want), contract.SymbolMissing)
			}
		case len(plan.Checks[k].Types) == 0 || r.Match >= 0:
			// The host's assertion succeeds; then its comparison.
			// A *string by its type, or by the type it matched: a host
			// that links neither fmt nor reflect has no %T to report.
			isString := strings.HasPrefix(r.Type, "*string") || r.Value != "" ||
				r.Match >= 0 && r.Match < len(c.probe.Types) && c.probe.Types[r.Match].Type == "*string"
			if len(ent.Values) > 0 && isString {
				if p, bad := valueProblem(ent, r.Value, c.opts.APIPackage); bad {
					add(p)
				}
			}
		default:
			found := oneLine(r.Type)
			p := diag.Problem{
				Code:    bad,
				Message: fmt.Sprintf("%s is %s, not %s: the host's type assertion fails", ent.Symbol, found, want),
				Detail:  []string{"found    " + found, "expected " + want},
				Fix:     fmt.Sprintf("declare %s", declFor(ent)),
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
				p.Detail = append(p.Detail, oneLine(line))
			}
			if unassertable == len(ent.Types) {
				p.Message = fmt.Sprintf("%s is %s; the contract expects %s, which this host cannot assert: the contract is not the host's", ent.Symbol, found, want)
				p.Fix = fmt.Sprintf("correct the contract's type of %s (pluginctl.toml or --expect) to the one the host asserts", ent.Symbol)
			}
			add(p)
		}
	}
	for _, p := range judged.problems() {
		add(p)
	}
}

// lookups turns the convention's looked-up symbols into problems, as
// package pluginapi/loader would refuse the plugin.
func (c *prober) lookups(res *DynamicResult, e probe.Event, add func(diag.Problem)) {
	for name, s := range e.Symbols {
		res.Symbols[name] = s.Type
	}
	api := c.probe.APIPackage
	short := pkgName(api)
	ver := e.Symbols[pluginapi.SymbolAPIVersion]
	switch {
	case !ver.Found:
		add(diag.Problem{
			Code:    APIVersionMismatch,
			Message: "exports no APIVersion: a careful host refuses it",
			Detail:  []string{"the host wants " + e.WantAPIVersion},
			Fix:     fmt.Sprintf("declare `var APIVersion = %s.APIVersion` in the plugin's package main", short),
		})
	case !ver.OK:
		add(diag.Problem{
			Code:    APIVersionMismatch,
			Message: fmt.Sprintf("APIVersion is %s, not a string variable: the host's assertion to *string fails", ver.Type),
			Detail:  []string{"found    " + ver.Type, "expected *string"},
			Fix:     fmt.Sprintf("declare `var APIVersion = %s.APIVersion` (a variable, not a constant or function)", short),
		})
	default:
		res.APIVersion = ver.Value
		if ver.Value != e.WantAPIVersion {
			add(apiVersionMismatch(ver.Value, e.WantAPIVersion, api))
		}
	}
	wantNew := "func() " + short + ".Plugin"
	switch s := e.Symbols[pluginapi.SymbolNew]; {
	case !s.Found:
		var others []string
		for name, x := range e.Symbols {
			if x.Found && name != pluginapi.SymbolNew {
				others = append(others, name)
			}
		}
		sort.Strings(others)
		add(diag.Problem{
			Code:    MissingNew,
			Message: "exports no New: the host's Lookup(\"New\") fails",
			Detail:  []string{oneLine(s.Error), "exported API symbols: " + orNone(others)},
			Fix:     fmt.Sprintf("declare `func New() %s.Plugin` in the plugin's package main", short),
		})
	case !s.OK:
		add(diag.Problem{
			Code:    BadNewSignature,
			Message: fmt.Sprintf("New is %s, not %s: the host's comma-ok assertion fails", s.Type, wantNew),
			Detail:  []string{"found    " + s.Type, "expected " + wantNew},
			Fix:     fmt.Sprintf("declare New as `func New() %s.Plugin`", short),
		})
	}
	for _, opt := range []struct{ name, want string }{
		{pluginapi.SymbolCapabilities, "func() []string"},
		{pluginapi.SymbolInit, "func(" + short + ".Host) error"},
		{pluginapi.SymbolMetadata, "*string"},
	} {
		s := e.Symbols[opt.name]
		if s.Found && !s.OK {
			add(diag.Problem{
				Code:    BadSymbolType,
				Message: fmt.Sprintf("%s is %s, not %s: the host's comma-ok assertion fails and it skips the plugin", opt.name, s.Type, opt.want),
				Detail:  []string{"found    " + s.Type, "expected " + opt.want},
				Fix:     fmt.Sprintf("declare %s with the type %s, or remove it", opt.name, opt.want),
			})
		}
	}
	if s := e.Symbols[pluginapi.SymbolMetadata]; s.Found && s.OK {
		if _, err := meta.Parse([]byte(s.Value)); err != nil {
			add(diag.Problem{
				Code:    BadMetadata,
				Message: "PluginctlMetadata is not valid pluginctl build metadata: a careful host skips the plugin",
				Detail:  []string{oneLine(err.Error())},
				Fix:     "do not declare PluginctlMetadata yourself: `pluginctl build` writes it",
			})
		}
	}
}

// capabilities checks the required capabilities, after a complete run.
func (c *prober) capabilities(res *DynamicResult, add func(diag.Problem)) {
	if len(c.opts.RequireCapabilities) == 0 || diag.HasError(res.Problems) {
		return
	}
	if res.Symbols["Capabilities"] == "" {
		add(diag.Problem{
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
		add(diag.Problem{
			Code:    MissingCapability,
			Message: fmt.Sprintf("lacks the required capability %s: the host skips it", strings.Join(missing, ", ")),
			Detail:  []string{fmt.Sprintf("Capabilities() = %q", res.Capabilities), fmt.Sprintf("required: %q", c.opts.RequireCapabilities)},
			Fix:     "implement the capability and add it to Capabilities(), or do not require it of this plugin",
		})
	}
}

// openError classifies plugin.Open's error.
func (c *prober) openError(path, msg string) diag.Problem {
	reason := msg
	if strings.HasPrefix(msg, `plugin.Open("`) {
		if i := strings.Index(msg, `"): `); i >= 0 {
			reason = msg[i+len(`"): `):]
		}
	}
	detail := []string{oneLine(msg)}
	const differentPkg = "plugin was built with a different version of package "
	switch {
	case strings.HasPrefix(reason, differentPkg):
		pkg := strings.TrimSpace(strings.TrimSuffix(reason[len(differentPkg):], " (previous failure)"))
		p := diag.Problem{
			Code:    PackageMismatch,
			Message: "the host refuses it: built with a different version of package " + pkg,
			Detail:  append(detail, "package "+pkg),
			Fix:     "rebuild the plugin from the host's checkout, with the host's toolchain and flags: `pluginctl build`",
		}
		c.explainMismatch(&p, path, pkg)
		if h := c.file(c.probe.Host); h != nil && h.Metadata == nil && p.Fix != "" {
			// A host pluginctl did not build: first, a build for it.
			p.Fix = fmt.Sprintf("build the plugin for this host: pluginctl build --for %s (its toolchain, settings and module versions); or %s", diag.QuotePath(c.probe.Host), p.Fix)
		}
		return p
	case reason == "plugin already loaded":
		return diag.Problem{
			Code:    DuplicatePlugin,
			Message: "the host refuses it: a plugin with the same plugin path is already loaded",
			Detail:  detail,
			Fix:     "deploy one of the two files; a renamed copy is still the same plugin",
		}
	case envLoadFailure(reason, path):
		return envLoadProblem(reason, detail)
	default:
		why := reason
		if i := strings.LastIndex(reason, ": "); i >= 0 && (strings.HasPrefix(reason, path) || strings.HasPrefix(reason, absPath(path))) {
			why = reason[i+2:]
		}
		p := diag.Problem{
			Code:    NotAPlugin,
			Message: "not a loadable Go plugin: " + oneLine(why),
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
func (c *prober) explainMismatch(p *diag.Problem, path, pkg string) {
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
	fs, hs := settingsMap(fb), settingsMap(hb)
	var settings []string
	for _, k := range []string{"-race", "-msan", "-asan", "-trimpath", "-gcflags", "-asmflags", "-tags", "-pgo", "GOEXPERIMENT", "GOAMD64", "GOARM64", "CGO_CFLAGS"} {
		if fs[k] == hs[k] {
			continue
		}
		if slices.Contains(perPackage, k) {
			fp, hp := released.ParsePackageFlag(fs[k]), released.ParsePackageFlag(hs[k])
			if fp.For(pkg, fb.Main.Path, false) == hp.For(pkg, hb.Main.Path, false) {
				continue // applies to pkg alike on both sides
			}
		}
		settings = append(settings, fmt.Sprintf("%s: plugin %q, host %q", k, fs[k], hs[k]))
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

// envLoadFailure reports whether a dlopen error is about the machine's C
// side rather than the plugin file at path: a shared library it needs
// that is not found, a libc symbol version the machine lacks, an
// undefined C symbol.
func envLoadFailure(reason, path string) bool {
	self := strings.HasPrefix(reason, path+": ") || strings.HasPrefix(reason, absPath(path)+": ")
	switch {
	case strings.Contains(reason, "cannot open shared object file"):
		return !self || strings.Count(reason, ": ") > 2
	case strings.Contains(reason, "version `") && strings.Contains(reason, "' not found"):
		return true
	case strings.Contains(reason, "undefined symbol: "):
		return true
	}
	return false
}

// envLoadProblem classifies a dlopen failure of the environment.
func envLoadProblem(reason string, detail []string) diag.Problem {
	switch {
	case strings.Contains(reason, "cannot open shared object file"):
		lib := reason
		if i := strings.Index(reason, ": cannot open shared object file"); i >= 0 {
			lib = reason[:i]
			if j := strings.LastIndex(lib, ": "); j >= 0 {
				lib = lib[j+2:]
			}
		}
		return diag.Problem{
			Code:    MissingLibrary,
			Message: fmt.Sprintf("dlopen fails: the shared library %s it needs is not found on this machine", lib),
			Detail:  detail,
			Fix:     fmt.Sprintf("install %s where the host runs (or add its folder to LD_LIBRARY_PATH), or build the plugin without it", lib),
		}
	case strings.Contains(reason, "version `"):
		return diag.Problem{
			Code:    LibcMismatch,
			Message: "dlopen fails: it needs a C library symbol version this machine does not have",
			Detail:  detail,
			Fix:     "build the plugin on a system with the host's C library (the host's build image), with `pluginctl build --for HOST`",
		}
	}
	return diag.Problem{
		Code:    LoaderEnvironment,
		Message: "dlopen fails: a C symbol it needs is defined by no library loaded before it",
		Detail:  detail,
		Fix:     "link the library that defines it into the plugin (#cgo LDFLAGS), or make the host load it first",
	}
}

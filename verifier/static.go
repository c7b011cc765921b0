package verifier

import (
	"debug/buildinfo"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"slices"
	"sort"
	"strings"
	"syscall"

	"github.com/pluginctl/pluginctl/internal/artifact"
	"github.com/pluginctl/pluginctl/internal/contract"
	"github.com/pluginctl/pluginctl/internal/diag"
	"github.com/pluginctl/pluginctl/internal/manifest"
)

// The static check reads files and executes nothing. It reproduces what
// plugin.Open compares (the package fingerprints go:link.pkghashbytes.*),
// finds every mismatching package where the runtime stops at the first,
// and explains the mismatches by their root cause from the build info.

// ignoredSettings are the build settings that never matter to
// plugin.Open (with vcs.*): a difference in any other changes package
// fingerprints or the runtime's view of a package, and breaks loading.
var ignoredSettings = map[string]bool{"-buildmode": true, "-ldflags": true, "DefaultGODEBUG": true}

// staticInput is what the static check knows about one artifact.
type staticInput struct {
	path  string
	file  *artifact.File // nil when unreadable
	err   error          // why it is not a plugin
	entry *manifest.Artifact
	// sum returns the file's SHA-256 (computed only for the manifest check).
	sum func() string
	// note receives what the check could not tell (for the report's
	// notes).
	note func(string)
}

// readProblem says why an artifact could not be read as a plugin, with the
// fix for that reason: a named pipe or a device is no file to build, an
// unreadable file needs its permissions fixed, not a rebuild.
func readProblem(path string, err error) diag.Problem {
	var np *artifact.NotPluginError
	switch {
	case errors.As(err, &np) && np.Mode != 0:
		return diag.Problem{
			Code:    NotAPlugin,
			Message: "not a Go plugin: " + np.Reason + " (it was not opened: a host would block on it or fail)",
			Fix:     "verify the plugin file itself: give its path, not a pipe, device or socket",
		}
	case errors.As(err, &np):
		p := diag.Problem{Code: NotAPlugin, Message: "not a Go plugin: " + np.Reason, Fix: "build it with `pluginctl build` (go build -buildmode=plugin)"}
		if strings.HasPrefix(np.Reason, "a C shared library") {
			p.Fix = "a C library is loaded by the dynamic linker, not by plugin.Open: deploy the Go plugin built with `pluginctl build` instead"
		}
		return p
	case errors.Is(err, fs.ErrPermission):
		return diag.Problem{
			Code:    Unreadable,
			Message: "cannot be read: permission denied (nothing is known about the plugin; the host could not open it either)",
			Fix:     fmt.Sprintf("make it readable by the user running pluginctl and the host (chmod a+r %s), or run as a user who can read it", diag.QuotePath(path)),
		}
	case errors.Is(err, syscall.ELOOP):
		return diag.Problem{Code: Unreadable, Message: "a symbolic link loop (too many levels of symbolic links)", Fix: "point the link at the plugin file itself"}
	}
	return diag.Problem{Code: Unreadable, Message: "cannot be read: " + err.Error(), Fix: "check the file and the disk it is on"}
}

// apiVersionOf is the host's APIVersion, from its build metadata: "" if
// unknown.
func apiVersionOf(host *artifact.File) string {
	if host == nil || host.Metadata == nil {
		return ""
	}
	return host.Metadata.APIVersion
}

// checkStatic returns the static problems of one artifact. withTypes also
// reads the exported functions' types from DWARF: the costliest part of
// the check, and redundant when the dynamic check asserts the real types.
func checkStatic(in staticInput, host *artifact.File, c *contract.Contract, apiPkg string, withTypes bool) []diag.Problem {
	if in.err != nil {
		p := readProblem(in.path, in.err)
		p.Severity, p.Check = diag.Error, diag.Static
		return []diag.Problem{p}
	}
	var ps []diag.Problem
	f := in.file
	if in.entry != nil && in.entry.SHA256 != in.sum() {
		ps = append(ps, diag.Problem{
			Code: HashMismatch, Severity: diag.Error,
			Message: "the file differs from the one pluginctl build recorded in the manifest",
			Detail:  []string{"manifest sha256 " + in.entry.SHA256, "file     sha256 " + in.sum()},
			Fix:     "rebuild the set with `pluginctl build` and deploy the files it wrote together with their manifest",
		})
	}
	if host != nil {
		ps = append(ps, compareWithHost(f, host)...)
		// The C side: the rest of the static check reports a malformed file.
		if pl, err := f.Libc(); err == nil {
			if hl, err := host.Libc(); err == nil {
				ps = append(ps, compareLibc(pl, hl)...)
			}
		}
	}
	ps = append(ps, checkSymbols(f, host, c, apiPkg, withTypes, in.note)...)
	if withTypes {
		if n := strippedNote(in.path, f, c); n != "" {
			in.note(n)
		}
	}
	for i := range ps {
		ps[i].Check = diag.Static
	}
	return ps
}

// compareWithHost finds why plugin.Open in the host would refuse f.
func compareWithHost(f, h *artifact.File) []diag.Problem {
	if p := compareELF(f, h); p != nil {
		return []diag.Problem{*p}
	}
	if f.BuildTarget != h.BuildTarget && f.BuildTarget.String() != "" && h.BuildTarget.String() != "" {
		return []diag.Problem{{
			Code: NotAPlugin, Severity: diag.Error,
			Message: fmt.Sprintf("built for %s, the host is %s", f.BuildTarget, h.BuildTarget),
			Fix:     fmt.Sprintf("build it for %s (GOOS=%s GOARCH=%s pluginctl build)", h.BuildTarget, h.BuildTarget.GOOS, h.BuildTarget.GOARCH),
		}}
	}
	var ps []diag.Problem
	mismatched := mismatchedPackages(f, h)
	settings := judgeFlags(settingDiffs(f.BuildInfo, h.BuildInfo, "plugin", "host"), f, h)
	pv, hv := f.BuildInfo.GoVersion, h.BuildInfo.GoVersion
	switch {
	case pv != hv:
		detail := []string{"plugin " + pv + ", host " + hv}
		if len(mismatched) > 0 {
			detail = append(detail, packagesLine(mismatched))
		}
		ps = append(ps, diag.Problem{
			Code: GoVersionMismatch, Severity: diag.Error,
			Message: fmt.Sprintf("built with %s, the host with %s: the host's runtime refuses it (or dies with \"fatal error: runtime: no plugin module data\")", pv, hv),
			Detail:  detail,
			Fix:     fmt.Sprintf("rebuild the plugin with the host's toolchain: GOTOOLCHAIN=%s pluginctl build", hv),
		})
	case len(mismatched) > 0 && len(settings) > 0:
		// Versions first: a module at another version is named even
		// when a flag difference changes fingerprints too.
		if v := versionDiffering(mismatched, f, h); len(v) > 0 {
			ps = append(ps, packageMismatch(v, f, h))
		}
		detail := settings
		detail = append(detail, packagesLine(mismatched))
		ps = append(ps, diag.Problem{
			Code: BuildSettingMismatch, Severity: diag.Error,
			Message: fmt.Sprintf("built with other settings than the host (%s), which changes %d package fingerprint(s)", settingNames(settings), len(mismatched)),
			Detail:  detail,
			Fix:     "build the host and its plugins with one set of flags: `pluginctl build` (add --race, --tags, --gcflags there, for all of them)",
		})
	case len(mismatched) > 0:
		ps = append(ps, packageMismatch(mismatched, f, h))
	case len(settings) > 0:
		ps = append(ps, diag.Problem{
			Code: BuildSettingMismatch, Severity: diag.Warning,
			Message: fmt.Sprintf("built with other settings than the host (%s); no shared package differs, so it loads", settingNames(settings)),
			Detail:  settings,
			Fix:     "build the host and its plugins with one set of flags (`pluginctl build`) to keep it that way",
		})
	}
	if h.Metadata == nil {
		// A host pluginctl did not build (a released binary): the first
		// fix is a build for it, with its toolchain, settings and versions.
		for i := range ps {
			switch ps[i].Code {
			case PackageMismatch, GoVersionMismatch, BuildSettingMismatch:
				if ps[i].Severity == diag.Error {
					ps[i].Fix = fmt.Sprintf("build the plugin for this host: pluginctl build --for %s (its toolchain, settings and module versions); or %s", diag.QuotePath(h.Path), ps[i].Fix)
				}
			}
		}
	}
	if pm, hm := f.Metadata, h.Metadata; pm != nil && hm != nil && pm.BuildSet != hm.BuildSet {
		ps = append(ps, diag.Problem{
			Code: BuildSetMismatch, Severity: diag.Warning,
			Message: "not built in the same `pluginctl build` run as the host",
			Detail:  []string{"plugin build set " + pm.BuildSet, "host   build set " + hm.BuildSet},
			Fix:     "build the host and its plugins together with `pluginctl build`",
		})
	}
	return ps
}

// mismatchedPackages lists the packages both files link whose fingerprints
// differ: exactly what plugin.Open checks, all of them.
//
// They are in dependency order when the plugin's symbol table tells it
// (artifact.File.LinkOrder, the order plugin.Open compares in): the first
// is the cause, and a later one may differ only because it imports an
// earlier one. Otherwise, and for packages the order does not name, by
// import path.
func mismatchedPackages(f, h *artifact.File) []string {
	out, _ := f.FingerprintDiff(h)
	pos := make(map[string]int, len(f.LinkOrder))
	for i, p := range f.LinkOrder {
		pos[p] = i
	}
	sort.SliceStable(out, func(i, j int) bool {
		pi, iok := pos[out[i]]
		pj, jok := pos[out[j]]
		return iok && (!jok || pi < pj)
	})
	return out
}

// settingDiffs describes the build settings that differ and can matter,
// naming the sides pl and hl.
func settingDiffs(p, h *buildinfo.BuildInfo, pl, hl string) []string {
	pm, hm := settingsMap(p), settingsMap(h)
	keys := maps.Clone(pm)
	maps.Copy(keys, hm)
	var out []string
	for k := range keys {
		if ignoredSettings[k] || strings.HasPrefix(k, "vcs") {
			continue
		}
		if pm[k] != hm[k] {
			out = append(out, fmt.Sprintf("%s: %s %s, %s %s", k, pl, settingValue(pm[k]), hl, settingValue(hm[k])))
		}
	}
	sort.Strings(out)
	return out
}

func settingsMap(bi *buildinfo.BuildInfo) map[string]string {
	m := map[string]string{}
	for _, s := range bi.Settings {
		m[s.Key] = s.Value
	}
	// Absent boolean flags mean false.
	for _, k := range []string{"-race", "-trimpath", "-msan", "-asan"} {
		if m[k] == "false" {
			delete(m, k)
		}
	}
	return m
}

func settingValue(v string) string {
	if v == "" {
		return "(unset)"
	}
	return fmt.Sprintf("%q", v)
}

// settingNames lists the names of diffs ("name: ..." lines).
func settingNames(diffs []string) string {
	var names []string
	for _, d := range diffs {
		n, _, _ := strings.Cut(d, ":")
		names = append(names, n)
	}
	return strings.Join(names, ", ")
}

func packagesLine(pkgs []string) string {
	return fmt.Sprintf("%d package(s) differ: %s", len(pkgs), firstN(pkgs, 12))
}

// packageMismatch explains packages that differ while toolchain and
// settings agree: another version of a module, or another copy of the
// source (the type identity trap).
func packageMismatch(pkgs []string, f, h *artifact.File) diag.Problem {
	var detail []string
	var fixes []string
	sameSource := false
	ordered := len(f.LinkOrder) > 0
	var consequences []string
	for i, pkg := range pkgs {
		pm, pver := moduleOf(pkg, f.BuildInfo)
		hm, hver := moduleOf(pkg, h.BuildInfo)
		switch {
		case pm == hm && pver != hver && pm != "":
			detail = append(detail, fmt.Sprintf("%s (module %s): plugin %s, host %s", pkg, pm, pver, hver))
			if fix := fmt.Sprintf("pin %s to %s in the plugin's go.mod (go get %s@%s)", pm, hver, pm, hver); !slices.Contains(fixes, fix) {
				fixes = append(fixes, fix)
			}
		case ordered && i > 0:
			// Same version (or the standard library): it may differ only
			// because a package it imports, compared before it, differs.
			consequences = append(consequences, pkg)
		case pm == "" && hm == "":
			detail = append(detail, pkg+": standard library package compiled differently")
		default:
			sameSource = true
			mod := pm
			if mod == "" {
				mod = hm
			}
			detail = append(detail, fmt.Sprintf("%s (module %s %s): same version on both sides, different source: another copy or an edited checkout", pkg, mod, pver))
		}
	}
	if len(consequences) > 0 {
		detail = append(detail, fmt.Sprintf("%d more package(s) at the same version on both sides differ after %s, in dependency order (they import what differs): %s", len(consequences), pkgs[0], firstN(consequences, 8)))
	}
	msg := fmt.Sprintf("built with a different version of %d package(s) than the host: %s", len(pkgs), pkgs[0])
	if ordered && len(pkgs) > 1 {
		msg = fmt.Sprintf("built with a different version of %d package(s) than the host, caused by %s (the first in dependency order)", len(pkgs), pkgs[0])
	}
	fix := "rebuild the host and the plugin from one checkout with `pluginctl build`"
	if len(fixes) > 0 {
		fix = strings.Join(fixes, "; ") + "; then rebuild with `pluginctl build`"
	}
	if sameSource && len(fixes) == 0 {
		msg = fmt.Sprintf("compiled from another copy of %s than the host (the type identity trap)", pkgs[0])
		if len(pkgs) > 1 {
			msg = fmt.Sprintf("compiled from other copies of %d package(s) than the host, %s first (the type identity trap)", len(pkgs), pkgs[0])
		}
	}
	return diag.Problem{Code: PackageMismatch, Severity: diag.Error, Message: msg, Detail: detail, Fix: fix}
}

// moduleOf returns the module providing pkg and its version (with the
// replacement, if any), or "" for the standard library.
func moduleOf(pkg string, bi *buildinfo.BuildInfo) (string, string) {
	best, ver := "", ""
	consider := func(path, version string) {
		if (pkg == path || strings.HasPrefix(pkg, path+"/")) && len(path) > len(best) {
			best, ver = path, version
		}
	}
	consider(bi.Main.Path, bi.Main.Version)
	for _, d := range bi.Deps {
		v := d.Version
		if d.Replace != nil {
			v = fmt.Sprintf("%s => %s %s", d.Version, d.Replace.Path, d.Replace.Version)
		}
		consider(d.Path, v)
	}
	return best, ver
}

const (
	implNo = iota
	implYes
	implUnknown
)

// checkSet models the host's process loading the artifacts in order
// (files[i] is nil for an unreadable artifact; alone[i] are its problems
// on its own). The global scope holds the host's symbols, then those of
// every plugin dlopen loaded so far, including the plugins whose Open
// then failed: their packages and C symbols stay. Found: a plugin path
// already loaded by an Open that succeeded ("plugin already loaded"); a
// package whose first definition in the scope, an earlier plugin's,
// has another fingerprint; a C symbol an earlier plugin or the host
// defines first, which this plugin's code then calls. Each problem names
// the earlier file that causes it.
func checkSet(paths []string, files []*artifact.File, alone [][]diag.Problem, host *artifact.File) [][]diag.Problem {
	out := make([][]diag.Problem, len(files))
	type def struct {
		fp artifact.Hash
		at int // -1: the host
	}
	scope := map[string]def{}
	csyms := map[string]def{}
	if host != nil {
		for pkg, fp := range host.Fingerprints {
			scope[pkg] = def{fp, -1}
		}
		for s, h := range host.CSymbols {
			csyms[s] = def{h, -1}
		}
	}
	loaded := map[string]int{} // plugin path -> the artifact whose Open succeeded
	failed := make([]bool, len(files))
	for i, f := range files {
		if f == nil || f.Kind != artifact.KindPlugin || hasCode(alone[i], NotAPlugin) {
			continue // dlopen refuses it: nothing enters the scope
		}
		failed[i] = opensBadly(alone[i])
		earlier := func(j int) string {
			if failed[j] {
				return paths[j] + " (whose Open failed, but whose packages and C symbols stay in the process)"
			}
			return paths[j]
		}
		if j, ok := loaded[f.PluginPath]; ok {
			out[i] = append(out[i], diag.Problem{
				Code: DuplicatePlugin, Severity: diag.Error, Check: diag.Static,
				Message: fmt.Sprintf("same plugin as %s (plugin path %s): the host refuses the second with \"plugin already loaded\"", paths[j], f.PluginPath),
				Fix:     "deploy one of the two files; a renamed copy is still the same plugin",
			})
			failed[i] = true
		} else if !failed[i] {
			var conflicts []string
			first, firstPkg := -1, ""
			for _, pkg := range slices.Sorted(maps.Keys(f.Fingerprints)) {
				d, ok := scope[pkg]
				// The plugin's own package main is its own (the runtime
				// does not compare it).
				if !ok || d.at < 0 || d.fp == f.Fingerprints[pkg] || pkg == f.PluginPath {
					continue
				}
				conflicts = append(conflicts, fmt.Sprintf("%s: differs from %s", pkg, paths[d.at]))
				if first < 0 || d.at < first {
					first, firstPkg = d.at, pkg
				}
			}
			if len(conflicts) > 0 {
				msg := fmt.Sprintf("links another version of package %s than %s, loaded before it: the host refuses this one", firstPkg, earlier(first))
				if !diag.HasError(alone[i]) {
					msg += "; it loads alone"
				}
				out[i] = append(out[i], diag.Problem{
					Code: PluginConflict, Severity: diag.Error, Check: diag.Static,
					Message: msg,
					Detail:  conflicts,
					Fix:     fmt.Sprintf("build all plugins from one module graph with `pluginctl build`, so that they share one version of every package, or remove %s from the folder", paths[first]),
				})
				failed[i] = true
			}
		}
		if !failed[i] {
			loaded[f.PluginPath] = i
			// C functions defined first elsewhere: this plugin's code
			// calls those (RTLD_GLOBAL).
			var clash []string
			first := -2
			for _, s := range slices.Sorted(maps.Keys(f.CSymbols)) {
				if d, ok := csyms[s]; ok && d.fp != f.CSymbols[s] {
					clash = append(clash, s)
					if first == -2 {
						first = d.at
					}
				}
			}
			if len(clash) > 0 {
				who := "the host"
				if first >= 0 {
					who = earlier(first)
				}
				out[i] = append(out[i], diag.Problem{
					Code: CSymbolConflict, Severity: diag.Error, Check: diag.Static,
					Message: fmt.Sprintf("defines the C symbol %s, which %s defines first: plugins are opened RTLD_GLOBAL, so this plugin's code calls the other's %s", clash[0], who, clash[0]),
					Detail:  []string{"C symbols defined by both: " + strings.Join(clash, ", ")},
					Fix:     "give the C functions of each plugin their own names (a prefix), or make them static",
				})
			}
		}
		// dlopen loaded it: its symbols stay, whatever Open did next.
		for pkg, fp := range f.Fingerprints {
			if _, ok := scope[pkg]; !ok {
				scope[pkg] = def{fp, i}
			}
		}
		for s, h := range f.CSymbols {
			if _, ok := csyms[s]; !ok {
				csyms[s] = def{h, i}
			}
		}
	}
	return out
}

// openFailures are the problems that make plugin.Open itself fail (the
// plugin path is not registered); the others come after a successful Open.
var openFailures = map[diag.Code]bool{
	GoVersionMismatch: true, BuildSettingMismatch: true, PackageMismatch: true, DuplicatePlugin: true,
	PluginConflict: true, Unreadable: true, NotAPlugin: true, LibcMismatch: true, MissingLibrary: true, LoaderEnvironment: true,
}

func opensBadly(ps []diag.Problem) bool {
	for _, p := range ps {
		if p.Severity == diag.Error && openFailures[p.Code] {
			return true
		}
	}
	return false
}

func hasCode(ps []diag.Problem, c diag.Code) bool {
	for _, p := range ps {
		if p.Code == c && p.Severity == diag.Error {
			return true
		}
	}
	return false
}

// versionDiffering are the packages of pkgs whose module has another
// version (or replacement) in f than in h.
func versionDiffering(pkgs []string, f, h *artifact.File) []string {
	var out []string
	for _, pkg := range pkgs {
		pm, pv := moduleOf(pkg, f.BuildInfo)
		hm, hv := moduleOf(pkg, h.BuildInfo)
		if pm != "" && pm == hm && pv != hv {
			out = append(out, pkg)
		}
	}
	return out
}

// strippedNote says which checks a stripped plugin (-ldflags -w or -s)
// kept the static check from running: the types of the contract's
// symbols it exports are read from DWARF. "" when nothing was missed.
func strippedNote(path string, f *artifact.File, c *contract.Contract) string {
	if f.HasDWARF || f.Kind != artifact.KindPlugin || c == nil {
		return ""
	}
	var syms []string
	for _, e := range c.For(f.Path) {
		if _, ok := f.Exported[e.Symbol]; ok && len(e.Types) > 0 && !slices.Contains(syms, e.Symbol) {
			syms = append(syms, e.Symbol)
		}
	}
	if len(syms) == 0 {
		return ""
	}
	how := "-ldflags=-w"
	if !f.HasSymtab {
		how = "-ldflags=-s"
	}
	return fmt.Sprintf("%s: stripped (built with %s, no DWARF): the static check could not check the types of %s; only their presence was checked (the dynamic check asserts the types; rebuild without -s/-w to check them statically)",
		diag.QuotePath(path), how, strings.Join(syms, ", "))
}

package verifier

import (
	"debug/buildinfo"
	"debug/elf"
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"

	"github.com/pluginctl/pluginctl/internal/artifact"
	"github.com/pluginctl/pluginctl/internal/contract"
	"github.com/pluginctl/pluginctl/internal/manifest"
	"github.com/pluginctl/pluginctl/pluginapi"
)

// The static check reads files and executes nothing. It reproduces what
// plugin.Open compares (the package fingerprints go:link.pkghashbytes.*),
// finds every mismatching package where the runtime stops at the first,
// and explains the mismatches by their root cause from the build info.

// fingerprintSettings are the build settings that change package
// fingerprints or the runtime's view of a package, so that a difference
// in them breaks loading. Settings not listed (-buildmode, -ldflags, vcs.*)
// never matter to plugin.Open.
var ignoredSettings = map[string]bool{
	"-buildmode": true, "-ldflags": true, "DefaultGODEBUG": true,
	"vcs": true, "vcs.revision": true, "vcs.time": true, "vcs.modified": true,
}

// staticInput is what the static check knows about one artifact.
type staticInput struct {
	path  string
	file  *artifact.File // nil when unreadable
	err   error          // why it is not a plugin
	entry *manifest.Artifact
	// sum returns the file's SHA-256 (computed only for the manifest check).
	sum func() string
	// note, when set, receives what the check could not tell (for the
	// report's notes).
	note func(string)
}

// readProblem says why an artifact could not be read as a plugin, with the
// fix for that reason: a named pipe or a device is no file to build, an
// unreadable file needs its permissions fixed, not a rebuild.
func readProblem(path string, err error) Problem {
	var np *artifact.NotPluginError
	switch {
	case errors.As(err, &np) && np.Mode != 0:
		return Problem{
			Code:    NotAPlugin,
			Message: "not a Go plugin: " + np.Reason + " (it was not opened: a host would block on it or fail)",
			Fix:     "verify the plugin file itself: give its path, not a pipe, device or socket",
		}
	case errors.As(err, &np):
		p := Problem{Code: NotAPlugin, Message: "not a Go plugin: " + np.Reason, Fix: "build it with `pluginctl build` (go build -buildmode=plugin)"}
		if strings.HasPrefix(np.Reason, "a C shared library") {
			p.Fix = "a C library is loaded by the dynamic linker, not by plugin.Open: deploy the Go plugin built with `pluginctl build` instead"
		}
		return p
	case errors.Is(err, fs.ErrPermission):
		return Problem{
			Code:    Unreadable,
			Message: "cannot be read: permission denied (nothing is known about the plugin; the host could not open it either)",
			Fix:     fmt.Sprintf("make it readable by the user running pluginctl and the host (chmod a+r %s), or run as a user who can read it", quotePath(path)),
		}
	case errors.Is(err, syscall.ELOOP):
		return Problem{Code: Unreadable, Message: "a symbolic link loop (too many levels of symbolic links)", Fix: "point the link at the plugin file itself"}
	}
	return Problem{Code: Unreadable, Message: "cannot be read: " + err.Error(), Fix: "check the file and the disk it is on"}
}

// staticHost is the host side of the comparison.
type staticHost struct {
	file       *artifact.File
	apiVersion string // the host's APIVersion, "" if unknown
}

// checkStatic returns the static problems of one artifact. withTypes also
// reads the exported functions' types from DWARF: the costliest part of
// the check, and redundant when the dynamic check asserts the real types.
func checkStatic(in staticInput, host *staticHost, c *contract.Contract, apiPkg string, withTypes bool) []Problem {
	var ps []Problem
	add := func(p Problem) {
		p.Check = Static
		if p.Severity == "" {
			p.Severity = Error
		}
		ps = append(ps, p)
	}
	if in.entry != nil && in.file != nil && in.entry.SHA256 != in.sum() {
		add(Problem{
			Code:    HashMismatch,
			Message: "the file differs from the one pluginctl build recorded in the manifest",
			Detail:  []string{"manifest sha256 " + in.entry.SHA256, "file     sha256 " + in.sum()},
			Fix:     "rebuild the set with `pluginctl build` and deploy the files it wrote together with their manifest",
		})
	}
	if in.err != nil {
		add(readProblem(in.path, in.err))
		return ps
	}
	f := in.file
	if host != nil {
		ps = append(ps, compareWithHost(f, host)...)
		ps = append(ps, checkLibc(f, host.file)...)
	}
	note := in.note
	if note == nil {
		note = func(string) {}
	}
	ps = append(ps, checkSymbols(f, host, c, apiPkg, withTypes, note)...)
	for i := range ps {
		ps[i].Check = Static
	}
	return ps
}

// compareWithHost finds why plugin.Open in the host would refuse f.
func compareWithHost(f *artifact.File, host *staticHost) []Problem {
	h := host.file
	if p := compareELF(f, h); p != nil {
		return []Problem{*p}
	}
	if f.BuildTarget != h.BuildTarget && f.BuildTarget.String() != "" && h.BuildTarget.String() != "" {
		return []Problem{{
			Code: NotAPlugin, Severity: Error,
			Message: fmt.Sprintf("built for %s, the host is %s", f.BuildTarget, h.BuildTarget),
			Fix:     fmt.Sprintf("build it for %s (GOOS=%s GOARCH=%s pluginctl build)", h.BuildTarget, h.BuildTarget.GOOS, h.BuildTarget.GOARCH),
		}}
	}
	var ps []Problem
	mismatched := mismatchedPackages(f, h)
	settings := settingDiffs(f.BuildInfo, h.BuildInfo, "plugin", "host")
	pv, hv := f.BuildInfo.GoVersion, h.BuildInfo.GoVersion
	switch {
	case pv != hv:
		detail := []string{"plugin " + pv + ", host " + hv}
		if len(mismatched) > 0 {
			detail = append(detail, packagesLine(mismatched))
		}
		ps = append(ps, Problem{
			Code: GoVersionMismatch, Severity: Error,
			Message: fmt.Sprintf("built with %s, the host with %s: the host's runtime refuses it (or dies with \"fatal error: runtime: no plugin module data\")", pv, hv),
			Detail:  detail,
			Fix:     fmt.Sprintf("rebuild the plugin with the host's toolchain: GOTOOLCHAIN=%s pluginctl build", hv),
		})
	case len(mismatched) > 0 && len(settings) > 0:
		detail := settings
		detail = append(detail, packagesLine(mismatched))
		ps = append(ps, Problem{
			Code: BuildSettingMismatch, Severity: Error,
			Message: fmt.Sprintf("built with other settings than the host (%s), which changes %d package fingerprint(s)", settingNames(settings), len(mismatched)),
			Detail:  detail,
			Fix:     "build the host and its plugins with one set of flags: `pluginctl build` (add --race, --tags, --gcflags there, for all of them)",
		})
	case len(mismatched) > 0:
		ps = append(ps, packageMismatch(mismatched, f, h))
	case len(settings) > 0:
		ps = append(ps, Problem{
			Code: BuildSettingMismatch, Severity: Warning,
			Message: fmt.Sprintf("built with other settings than the host (%s); no shared package differs, so it loads", settingNames(settings)),
			Detail:  settings,
			Fix:     "build the host and its plugins with one set of flags (`pluginctl build`) to keep it that way",
		})
	}
	if pm, hm := f.Metadata, h.Metadata; pm != nil && hm != nil && pm.BuildSet != hm.BuildSet {
		ps = append(ps, Problem{
			Code: BuildSetMismatch, Severity: Warning,
			Message: "not built in the same `pluginctl build` run as the host",
			Detail:  []string{"plugin build set " + pm.BuildSet, "host   build set " + hm.BuildSet},
			Fix:     "build the host and its plugins together with `pluginctl build`",
		})
	}
	return ps
}

// compareELF compares the ELF identity the dynamic loader checks
// (machine, class, byte order, OS ABI) with the host's: a file whose header
// says aarch64 or FreeBSD is refused by dlopen on an x86-64 Linux host,
// whatever its build info claims.
func compareELF(f, h *artifact.File) *Problem {
	osabi := func(a elf.OSABI) elf.OSABI {
		if a == elf.ELFOSABI_LINUX { // "GNU": the same system as NONE (System V)
			return elf.ELFOSABI_NONE
		}
		return a
	}
	var diffs []string
	if f.Machine != h.Machine {
		diffs = append(diffs, fmt.Sprintf("machine: plugin %s, host %s", elfName(f.Machine.String()), elfName(h.Machine.String())))
	}
	if f.Class != h.Class {
		diffs = append(diffs, fmt.Sprintf("class: plugin %s, host %s", className(f.Class), className(h.Class)))
	}
	if f.ByteOrder != h.ByteOrder {
		diffs = append(diffs, fmt.Sprintf("byte order: plugin %s, host %s", orderName(f.ByteOrder), orderName(h.ByteOrder)))
	}
	if osabi(f.OSABI) != osabi(h.OSABI) {
		diffs = append(diffs, fmt.Sprintf("OS ABI: plugin %s, host %s", abiName(osabi(f.OSABI)), abiName(osabi(h.OSABI))))
	}
	if len(diffs) == 0 {
		return nil
	}
	what := []string{}
	for _, d := range diffs {
		n, _, _ := strings.Cut(d, ":")
		what = append(what, n)
	}
	fix := "build the plugin for the host's platform with `pluginctl build`"
	if t := h.BuildTarget; t.String() != "" {
		fix = fmt.Sprintf("build the plugin for %s, the host's platform (GOOS=%s GOARCH=%s pluginctl build); a file with an edited header is not the file that was built", t, t.GOOS, t.GOARCH)
	}
	return &Problem{
		Code: NotAPlugin, Severity: Error,
		Message: fmt.Sprintf("its ELF header is for another platform than the host's (%s): the host's dynamic loader refuses it", strings.Join(what, ", ")),
		Detail:  diffs,
		Fix:     fix,
	}
}

// elfName shortens debug/elf's constant names: EM_AARCH64 -> AARCH64.
func elfName(s string) string {
	if _, rest, ok := strings.Cut(s, "_"); ok {
		return rest
	}
	return s
}

func className(c elf.Class) string {
	switch c {
	case elf.ELFCLASS32:
		return "32-bit"
	case elf.ELFCLASS64:
		return "64-bit"
	}
	return c.String()
}

func orderName(d elf.Data) string {
	switch d {
	case elf.ELFDATA2LSB:
		return "little-endian"
	case elf.ELFDATA2MSB:
		return "big-endian"
	}
	return d.String()
}

func abiName(a elf.OSABI) string {
	if a == elf.ELFOSABI_NONE {
		return "System V (Linux)"
	}
	return strings.TrimPrefix(a.String(), "ELFOSABI_")
}

// mismatchedPackages lists the packages both files link whose fingerprints
// differ: exactly what plugin.Open checks, all of them.
func mismatchedPackages(f, h *artifact.File) []string {
	var out []string
	for pkg, fp := range f.Fingerprints {
		if hp, ok := h.Fingerprints[pkg]; ok && hp != fp {
			out = append(out, pkg)
		}
	}
	sort.Strings(out)
	return out
}

// settingDiffs describes the build settings that differ and can matter,
// naming the sides pl and hl.
func settingDiffs(p, h *buildinfo.BuildInfo, pl, hl string) []string {
	pm, hm := settingsMap(p), settingsMap(h)
	keys := map[string]bool{}
	for k := range pm {
		keys[k] = true
	}
	for k := range hm {
		keys[k] = true
	}
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

func settingNames(diffs []string) string {
	var names []string
	for _, d := range diffs {
		n, _, _ := strings.Cut(d, ":")
		names = append(names, n)
	}
	return strings.Join(names, ", ")
}

func packagesLine(pkgs []string) string {
	const max = 12
	s := fmt.Sprintf("%d package(s) differ: ", len(pkgs))
	if len(pkgs) > max {
		return s + strings.Join(pkgs[:max], ", ") + fmt.Sprintf(", and %d more", len(pkgs)-max)
	}
	return s + strings.Join(pkgs, ", ")
}

// packageMismatch explains packages that differ while toolchain and
// settings agree: another version of a module, or another copy of the
// source (the type identity trap).
func packageMismatch(pkgs []string, f, h *artifact.File) Problem {
	var detail []string
	var fixes []string
	sameSource := false
	for _, pkg := range pkgs {
		pm, pver := moduleOf(pkg, f.BuildInfo)
		hm, hver := moduleOf(pkg, h.BuildInfo)
		switch {
		case pm == "" && hm == "":
			detail = append(detail, pkg+": standard library package compiled differently")
		case pm == hm && pver != hver:
			detail = append(detail, fmt.Sprintf("%s (module %s): plugin %s, host %s", pkg, pm, pver, hver))
			fixes = append(fixes, fmt.Sprintf("pin %s to %s in the plugin's go.mod (go get %s@%s)", pm, hver, pm, hver))
		default:
			sameSource = true
			mod := pm
			if mod == "" {
				mod = hm
			}
			detail = append(detail, fmt.Sprintf("%s (module %s %s): same version on both sides, different source: another copy or an edited checkout", pkg, mod, pver))
		}
	}
	msg := fmt.Sprintf("built with a different version of %d package(s) than the host: %s", len(pkgs), pkgs[0])
	fix := "rebuild the host and the plugin from one checkout with `pluginctl build`"
	if len(fixes) > 0 {
		fix = strings.Join(dedupe(fixes), "; ") + "; then rebuild with `pluginctl build`"
	}
	if sameSource && len(fixes) == 0 {
		msg = fmt.Sprintf("compiled from another copy of %s than the host (the type identity trap)", pkgs[0])
		if len(pkgs) > 1 {
			msg = fmt.Sprintf("compiled from other copies of %d package(s) than the host, %s first (the type identity trap)", len(pkgs), pkgs[0])
		}
	}
	return Problem{Code: PackageMismatch, Severity: Error, Message: msg, Detail: detail, Fix: fix}
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

func dedupe(s []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range s {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// checkSymbols checks the exported symbols against the contract: each
// entry that applies to the plugin present when required, of the right
// kind, and (withTypes) of one of the right types as DWARF records it;
// for the pluginapi convention, also APIVersion's value against the
// host's.
func checkSymbols(f *artifact.File, host *staticHost, c *contract.Contract, apiPkg string, withTypes bool, note func(string)) []Problem {
	if isConvention(c) {
		linksAPI := func(a *artifact.File) bool {
			_, ok := a.Fingerprints[apiPkg]
			return ok || (a.Metadata != nil && a.Metadata.APIPackage == apiPkg)
		}
		if host != nil && !linksAPI(host.file) || host == nil && !linksAPI(f) {
			return nil // neither side uses the pluginapi convention
		}
	}
	var ps []Problem
	exports := f.SortedExports()
	// The problems of a kind's symbols are held until the kinds are
	// judged (see contract.Contract.KindVerdict).
	held := map[string][]Problem{}
	state := map[string]int{}
	for _, e := range c.For(f.Path) {
		p, st := checkEntry(f, e, exports, c, withTypes, note)
		if p == nil {
			continue
		}
		if !c.InKind(e.Symbol) {
			ps = append(ps, *p)
			continue
		}
		held[e.Symbol] = append(held[e.Symbol], *p)
		state[e.Symbol] = max(state[e.Symbol], st)
	}
	ps = append(ps, kindProblems(c, held, func(s string) int { return state[s] })...)
	valued := false
	for _, e := range c.For(f.Path) {
		if len(e.Values) == 0 || f.Exported[e.Symbol] != artifact.ExportVar {
			continue
		}
		valued = valued || e.Symbol == pluginapi.SymbolAPIVersion
		got, err := f.StringVar(e.Symbol)
		if err != nil {
			continue // not a readable string: the dynamic check reads it
		}
		if p, bad := valueProblem(e, got, apiPkg); bad {
			p.Check = Static
			ps = append(ps, p)
		}
	}
	if !valued && isConvention(c) && host != nil && host.apiVersion != "" && f.Exported[pluginapi.SymbolAPIVersion] == artifact.ExportVar {
		if got, err := f.StringVar(pluginapi.SymbolAPIVersion); err == nil && got != host.apiVersion {
			ps = append(ps, Problem{
				Code: APIVersionMismatch, Severity: Error,
				Message: fmt.Sprintf("APIVersion is %q, the host wants %q", got, host.apiVersion),
				Detail:  []string{"plugin " + got, "host   " + host.apiVersion},
				Fix:     fmt.Sprintf("declare `var APIVersion = %s.APIVersion` instead of a copied literal, and rebuild with `pluginctl build`", pkgName(apiPkg)),
			})
		}
	}
	return ps
}

// valueProblem checks a string symbol's value against the values the host
// compares it with: api-version-mismatch for APIVersion, bad-symbol-value
// for any other symbol, naming both values and the host's line.
func valueProblem(e contract.Entry, got, apiPkg string) (Problem, bool) {
	if e.Accepts(got) {
		return Problem{}, false
	}
	want := e.ValueList()
	var quoted []string
	for _, w := range want {
		quoted = append(quoted, strconv.Quote(w))
	}
	var where []string
	for _, v := range e.Values {
		if v.Pos != "" {
			where = append(where, v.Pos)
		}
	}
	p := Problem{
		Code: BadSymbolValue, Severity: Error,
		Message: fmt.Sprintf("%s is %q, the host wants %s", e.Symbol, got, strings.Join(quoted, " or ")),
		Detail:  []string{"plugin " + strconv.Quote(got), "host   " + strings.Join(quoted, " or ") + " (" + strings.Join(where, ", ") + ")"},
		Fix:     fmt.Sprintf("set %s to %s and rebuild the plugin", e.Symbol, strings.Join(quoted, " or ")),
	}
	if e.Symbol == pluginapi.SymbolAPIVersion {
		p.Code = APIVersionMismatch
		if apiPkg != "" {
			p.Fix = fmt.Sprintf("declare `var APIVersion = %s.APIVersion` instead of a copied literal, and rebuild with `pluginctl build`", pkgName(apiPkg))
		}
	}
	return p, true
}

// checkEntry checks one entry against the plugin's exports: nil when it
// passes (or the static check cannot tell), else the problem and
// contract.SymbolMissing or contract.SymbolBadType.
func checkEntry(f *artifact.File, e contract.Entry, exports []string, c *contract.Contract, withTypes bool, note func(string)) (*Problem, int) {
	kind, ok := f.Exported[e.Symbol]
	missingCode, badCode := MissingSymbol, BadSymbolType
	if e.Symbol == pluginapi.SymbolNew {
		missingCode, badCode = MissingNew, BadNewSignature
	}
	want := strings.Join(e.Types, " or ")
	if !ok {
		if !e.Required {
			return nil, contract.SymbolOK
		}
		p := Problem{
			Code: missingCode, Severity: Error,
			Message: fmt.Sprintf("exports no %s: the host's Lookup(%q) fails", e.Symbol, e.Symbol),
			Detail:  []string{"exported symbols: " + orNone(exports)},
			Fix:     fmt.Sprintf("declare %s in the plugin's package main", declFor(e)),
		}
		if e.Symbol == pluginapi.SymbolAPIVersion && isConvention(c) {
			p.Code, p.Message = APIVersionMismatch, "exports no APIVersion: a careful host refuses it"
		}
		return &p, contract.SymbolMissing
	}
	if e.Kind != "" && string(kind) != e.Kind {
		return &Problem{
			Code: badCode, Severity: Error,
			Message: fmt.Sprintf("%s is a %s, the host expects a %s: its assertion fails", e.Symbol, kindWord(string(kind)), kindWord(e.Kind)),
			Detail:  []string{"expected " + want},
			Fix:     fmt.Sprintf("declare %s", declFor(e)),
		}, contract.SymbolBadType
	}
	if !withTypes || len(e.Types) == 0 {
		return nil, contract.SymbolOK
	}
	got, err := f.SymbolType(e.Symbol)
	if err != nil {
		return nil, contract.SymbolOK // no DWARF: the dynamic check asserts the type
	}
	if kind == artifact.ExportVar {
		got = "*" + got // what Lookup returns
	}
	if e.Matches(got) {
		return nil, contract.SymbolOK
	}
	// Interface alternatives: implemented, not implemented, or not
	// decidable from the file (then the dynamic check decides).
	var why []string
	for _, alt := range e.Types {
		if !e.IsInterface(alt) {
			continue
		}
		v, reason := implementsStatic(f, e, alt, kind, got)
		switch v {
		case implYes:
			return nil, contract.SymbolOK
		case implUnknown:
			note(fmt.Sprintf("%s: whether %s (%s) implements %s cannot be told from the file: the dynamic check asserts it as the host does",
				f.Path, e.Symbol, got, alt))
			return nil, contract.SymbolOK
		}
		why = append(why, reason)
	}
	p := Problem{
		Code: badCode, Severity: Error,
		Message: fmt.Sprintf("%s has the wrong type: the host's assertion fails", e.Symbol),
		Detail:  []string{"found    " + got, "expected " + want},
		Fix:     fmt.Sprintf("declare %s", declFor(e)),
	}
	if len(why) > 0 {
		p.Message = fmt.Sprintf("%s does not implement %s: the host's assertion fails", e.Symbol, want)
		p.Detail = append(p.Detail, why...)
		p.Fix = fmt.Sprintf("give %s a type with the interface's methods (Lookup returns a pointer to a variable: value and pointer receivers both count)", e.Symbol)
		if strings.HasPrefix(got, "**") {
			p.Fix = fmt.Sprintf("export the value, not a pointer to it (var %s = value): Lookup already returns a pointer", e.Symbol)
		}
	}
	return &p, contract.SymbolBadType
}

// kindProblems judges the plugin against the contract's kinds, given the
// problems held for the kinds' symbols: none when it satisfies a kind,
// else the problems of the nearest kind, saying which kinds there are.
func kindProblems(c *contract.Contract, held map[string][]Problem, state func(string) int) []Problem {
	ok, nearest, failed := c.KindVerdict(state)
	if ok {
		return nil
	}
	var out []Problem
	for _, s := range failed {
		for _, p := range held[s] {
			if p.Code == MissingSymbol || p.Code == MissingNew {
				p.Message = "plugin " + c.KindsMessage(nearest, failed) + ": " + p.Message
			} else {
				p.Detail = append(p.Detail, "the plugin is none of the host's kinds: "+c.DescribeKinds())
			}
			out = append(out, p)
		}
	}
	return out
}

const (
	implNo = iota
	implYes
	implUnknown
)

// implementsStatic tells from the file whether a symbol of kind and
// type got (what Lookup returns, from DWARF) implements the interface
// alternative alt of e, with the reason when it does not. It says no
// only when the file shows it: a function (its type has no methods), a
// pointer to a pointer or to a type without methods, or a variable of a
// defined type whose method set, read from DWARF, lacks one of the
// methods or has it with another signature. Anything else is unknown.
func implementsStatic(f *artifact.File, e contract.Entry, alt string, kind artifact.ExportKind, got string) (int, string) {
	methods, ok := e.InterfaceMethods(alt)
	if !ok {
		return implUnknown, ""
	}
	if len(methods) == 0 {
		return implYes, ""
	}
	names := make([]string, 0, len(methods))
	for n := range methods {
		names = append(names, n)
	}
	slices.Sort(names)
	if kind == artifact.ExportFunc {
		return implNo, fmt.Sprintf("a function has no methods: %s needs %s", alt, names[0])
	}
	elem := strings.TrimPrefix(got, "*")
	switch {
	case strings.HasPrefix(elem, "*"):
		return implNo, fmt.Sprintf("%s is a pointer to a pointer, which has no methods (%s needs %s)", got, alt, names[0])
	case strings.HasPrefix(elem, "struct") || strings.HasPrefix(elem, "interface") && !strings.HasPrefix(elem, "interface {}"):
		return implUnknown, "" // embedded fields may promote methods
	case !definedTypeRE.MatchString(elem):
		return implNo, fmt.Sprintf("%s has no methods (%s needs %s)", got, alt, names[0])
	}
	dot := strings.LastIndex(elem, ".")
	pkg, name := elem[:dot], elem[dot+1:]
	for _, m := range names {
		var sig string
		found := false
		for _, full := range []string{pkg + ".(*" + name + ")." + m, pkg + "." + name + "." + m} {
			t, err := f.SymbolType(full)
			if err == nil {
				sig, found = t, true
				break
			}
			if !strings.Contains(err.Error(), "no DWARF entry") {
				return implUnknown, "" // no DWARF: cannot tell
			}
		}
		if !found {
			return implNo, fmt.Sprintf("%s has no method %s (%s needs %s%s)", got, m, alt, m, methods[m])
		}
		have, ok := dropReceiver(sig)
		if !ok || strings.Contains(methods[m], "...") {
			return implUnknown, "" // DWARF shows variadics as slices
		}
		h, err1 := contract.CanonicalType("func" + have)
		w, err2 := contract.CanonicalType("func" + methods[m])
		if err1 != nil || err2 != nil {
			return implUnknown, ""
		}
		if h != w {
			return implNo, fmt.Sprintf("its method %s has type %s, want %s (%s)", m, h, w, alt)
		}
	}
	return implYes, ""
}

// definedTypeRE matches the DWARF name of a defined (named) type:
// "int", "example.com/p.T"; not "[]T", "map[...]", "func(...)", "T[int]".
var definedTypeRE = regexp.MustCompile(`^([\w.\-~/]+\.)?[\pL_][\pL\pN_]*$`)

// dropReceiver turns a method's DWARF type "func(RECV, A, B) R" into its
// signature without the receiver, "(A, B) R".
func dropReceiver(sig string) (string, bool) {
	rest, ok := strings.CutPrefix(sig, "func(")
	if !ok {
		return "", false
	}
	depth := 0
	for i, r := range rest {
		switch r {
		case '(', '[', '{':
			depth++
		case ')', ']', '}':
			if depth == 0 { // the receiver was the only parameter
				return "()" + rest[i+1:], true
			}
			depth--
		case ',':
			if depth == 0 {
				return "(" + strings.TrimPrefix(rest[i+1:], " "), true
			}
		}
	}
	return "", false
}

// isConvention reports whether the contract is the pluginapi convention,
// not one inferred from a host or declared.
func isConvention(c *contract.Contract) bool {
	for _, e := range c.Entries {
		for _, s := range e.Sources {
			if s.Kind != contract.SourceConvention {
				return false
			}
		}
	}
	return true
}

func kindWord(k string) string {
	if k == contract.KindVar {
		return "variable"
	}
	return "function"
}

// declFor renders a declaration that satisfies the entry.
func declFor(e contract.Entry) string {
	if len(e.Types) == 0 {
		return "an exported " + e.Symbol
	}
	t := e.Types[0]
	if e.IsInterface(t) {
		return fmt.Sprintf("%s, a variable of a type implementing %s", e.Symbol, t)
	}
	if strings.HasPrefix(t, "*") {
		return fmt.Sprintf("`var %s %s`", e.Symbol, t[1:])
	}
	if rest, ok := strings.CutPrefix(t, "func"); ok {
		return fmt.Sprintf("`func %s%s`", e.Symbol, rest)
	}
	return fmt.Sprintf("%s of type %s", e.Symbol, t)
}

func pkgName(importPath string) string {
	return importPath[strings.LastIndex(importPath, "/")+1:]
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}

// checkSet finds problems between artifacts, in load order: a second file
// with the same plugin path ("plugin already loaded"), and two plugins
// that link different versions of a package the host does not link (the
// second one is refused). files[i] is nil for an unreadable artifact;
// skip[i] marks artifacts that failed on their own.
func checkSet(paths []string, files []*artifact.File, skip []bool, host *artifact.File) [][]Problem {
	out := make([][]Problem, len(files))
	byPath := map[string]int{}
	firstFP := map[string]int{} // package -> index of first plugin linking it
	for i, f := range files {
		if f == nil || f.Kind != artifact.KindPlugin {
			continue
		}
		if j, ok := byPath[f.PluginPath]; ok {
			out[i] = append(out[i], Problem{
				Code: DuplicatePlugin, Severity: Error, Check: Static,
				Message: fmt.Sprintf("same plugin as %s (plugin path %s): the host refuses the second with \"plugin already loaded\"", paths[j], f.PluginPath),
				Fix:     "deploy one of the two files; a renamed copy is still the same plugin",
			})
			continue
		}
		byPath[f.PluginPath] = i
		if skip[i] {
			continue
		}
		var conflicts []string
		for pkg, fp := range f.Fingerprints {
			if host != nil {
				if _, ok := host.Fingerprints[pkg]; ok {
					continue
				}
			}
			j, ok := firstFP[pkg]
			if !ok {
				continue
			}
			if files[j].Fingerprints[pkg] != fp {
				conflicts = append(conflicts, fmt.Sprintf("%s: differs from %s", pkg, paths[j]))
			}
		}
		if len(conflicts) > 0 {
			sort.Strings(conflicts)
			out[i] = append(out[i], Problem{
				Code: PluginConflict, Severity: Error, Check: Static,
				Message: "links another version of a package than a plugin loaded before it: the host refuses this one",
				Detail:  conflicts,
				Fix:     "build all plugins from one module graph with `pluginctl build`, so that they share one version of every package",
			})
			continue
		}
		for pkg := range f.Fingerprints {
			if _, ok := firstFP[pkg]; !ok {
				firstFP[pkg] = i
			}
		}
	}
	return out
}

// Static checks of the exported symbols against the host's contract:
// presence, kind, type (from DWARF), interface method sets, kinds of
// plugin, and the values a host compares string symbols with.

package verifier

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/pluginctl/pluginctl/internal/artifact"
	"github.com/pluginctl/pluginctl/internal/contract"
	"github.com/pluginctl/pluginctl/internal/diag"
	"github.com/pluginctl/pluginctl/pluginapi"
)

// checkSymbols checks the exported symbols against the contract: each
// entry that applies to the plugin present when required, of the right
// kind, and (withTypes) of one of the right types as DWARF records it;
// for the pluginapi convention, also APIVersion's value against the
// host's.
func checkSymbols(f *artifact.File, host *artifact.File, c *contract.Contract, apiPkg string, withTypes bool, note func(string)) []diag.Problem {
	convention := c.IsConvention(apiPkg)
	if assumed(c, apiPkg) {
		linksAPI := func(a *artifact.File) bool {
			_, ok := a.Fingerprints[apiPkg]
			return ok || (a.Metadata != nil && a.Metadata.APIPackage == apiPkg)
		}
		if host != nil && !linksAPI(host) || host == nil && !linksAPI(f) {
			return nil // neither side uses the pluginapi convention
		}
	}
	exports := f.SortedExports()
	judged := entryProblems{c: c, path: f.Path}
	for _, e := range c.For(f.Path) {
		if p, st := checkEntry(f, e, exports, convention, withTypes, note); p != nil {
			judged.add(e, *p, st)
		}
	}
	ps := append(judged.problems(), unresolvedProblems(c, f.Path)...)
	if p, ok := notOpened(c, f.Path); ok {
		ps = append(ps, p)
	}
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
			p.Check = diag.Static
			ps = append(ps, p)
		}
	}
	if want := apiVersionOf(host); !valued && convention && want != "" && f.Exported[pluginapi.SymbolAPIVersion] == artifact.ExportVar {
		if got, err := f.StringVar(pluginapi.SymbolAPIVersion); err == nil && got != want {
			ps = append(ps, apiVersionMismatch(got, want, apiPkg))
		}
	}
	return ps
}

// valueProblem checks a string symbol's value against the values the host
// compares it with: api-version-mismatch for APIVersion, bad-symbol-value
// for any other symbol, naming both values and the host's line.
func valueProblem(e contract.Entry, got, apiPkg string) (diag.Problem, bool) {
	if e.Accepts(got) {
		return diag.Problem{}, false
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
	p := diag.Problem{
		Code: BadSymbolValue, Severity: diag.Error,
		Message: fmt.Sprintf("%s is %q, the host wants %s", e.Symbol, got, strings.Join(quoted, " or ")),
		Detail:  []string{"plugin " + strconv.Quote(got), "host   " + strings.Join(quoted, " or ") + " (" + strings.Join(where, ", ") + ")"},
		Fix:     fmt.Sprintf("set %s to %s and rebuild the plugin", e.Symbol, strings.Join(quoted, " or ")),
	}
	if e.Symbol == pluginapi.SymbolAPIVersion {
		p.Code = APIVersionMismatch
		if apiPkg != "" {
			p.Fix = apiVersionMismatch(got, "", apiPkg).Fix
		}
	}
	return p, true
}

// assumed reports whether nobody asked for c: it is nil, or the
// pluginapi convention (contract.IsConvention) that came from nowhere
// but the convention itself (contract.Default), neither a host's lookup
// nor a declaration. A host that does not link apiPkg is then checked
// for plugin.Open alone; what a host or a user asked for is checked on
// every host.
func assumed(c *contract.Contract, apiPkg string) bool {
	if c == nil {
		return true
	}
	for _, e := range c.Entries {
		for _, s := range e.Sources {
			if s.Kind != contract.SourceConvention {
				return false
			}
		}
	}
	return c.IsConvention(apiPkg)
}

// apiVersionMismatch is the problem of a plugin whose APIVersion is got
// where the host, following the convention of apiPkg, wants want.
func apiVersionMismatch(got, want, apiPkg string) diag.Problem {
	return diag.Problem{
		Code: APIVersionMismatch, Severity: diag.Error,
		Message: fmt.Sprintf("APIVersion is %q, the host wants %q", got, want),
		Detail:  []string{"plugin " + got, "host   " + want},
		Fix:     fmt.Sprintf("declare `var APIVersion = %s.APIVersion` instead of a copied literal, and rebuild with `pluginctl build`", pkgName(apiPkg)),
	}
}

// checkEntry checks one entry against the plugin's exports: nil when it
// passes (or the static check cannot tell), else the problem and
// contract.SymbolMissing or contract.SymbolBadType.
func checkEntry(f *artifact.File, e contract.Entry, exports []string, convention, withTypes bool, note func(string)) (*diag.Problem, int) {
	kind, ok := f.Exported[e.Symbol]
	_, badCode := entryCodes(e)
	want := e.Want(nil)
	if !ok {
		if !e.Required {
			return nil, contract.SymbolOK
		}
		p := missingProblem(e, "exported symbols: "+orNone(exports))
		if e.Symbol == pluginapi.SymbolAPIVersion && convention {
			p.Code, p.Message = APIVersionMismatch, "exports no APIVersion: a careful host refuses it"
		}
		return &p, contract.SymbolMissing
	}
	if e.Kind != "" && string(kind) != e.Kind {
		return &diag.Problem{
			Code: badCode, Severity: diag.Error,
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
		if e.MaybeInterface(alt) {
			note(fmt.Sprintf("%s: the contract does not say what %s is (declared, not inferred): whether %s (%s) implements it is left to the dynamic check",
				f.Path, alt, e.Symbol, got))
			return nil, contract.SymbolOK
		}
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
	p := diag.Problem{
		Code: badCode, Severity: diag.Error,
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

// entryCodes are the codes of e's symbol missing and of the wrong type:
// missing-new and bad-new-signature for New, missing-symbol and
// bad-symbol-type for every other symbol.
func entryCodes(e contract.Entry) (missing, bad diag.Code) {
	if e.Symbol == pluginapi.SymbolNew {
		return MissingNew, BadNewSignature
	}
	return MissingSymbol, BadSymbolType
}

// missingProblem is the problem of a plugin that does not export e's
// symbol, which the host requires.
func missingProblem(e contract.Entry, detail ...string) diag.Problem {
	code, _ := entryCodes(e)
	return diag.Problem{
		Code: code, Severity: diag.Error,
		Message: fmt.Sprintf("exports no %s: the host's Lookup(%q) fails", e.Symbol, e.Symbol),
		Detail:  detail,
		Fix:     fmt.Sprintf("declare %s in the plugin's package main", declFor(e)),
	}
}

// entryProblems collects the problems of the contract's entries on the
// plugin at path, for both checks: those of a kind's symbols are held
// until the kinds are judged (contract.Contract.KindVerdict).
type entryProblems struct {
	c     *contract.Contract
	path  string
	out   []diag.Problem
	held  map[string][]diag.Problem
	state map[string]int // contract.SymbolMissing or SymbolBadType
}

// add records the problem p of entry e, of state st.
func (j *entryProblems) add(e contract.Entry, p diag.Problem, st int) {
	if !j.c.InKind(e.Symbol) {
		j.out = append(j.out, scoped(j.c, j.path, e, p))
		return
	}
	if j.held == nil {
		j.held, j.state = map[string][]diag.Problem{}, map[string]int{}
	}
	j.held[e.Symbol] = append(j.held[e.Symbol], p)
	j.state[e.Symbol] = max(j.state[e.Symbol], st)
}

// problems returns the problems added, then those of the kinds: none when
// the plugin satisfies a kind, else the problems of the nearest kind,
// saying which kinds there are.
func (j *entryProblems) problems() []diag.Problem {
	c, out := j.c, j.out
	ok, nearest, failed := c.KindVerdict(func(s string) int { return j.state[s] })
	if ok {
		return out
	}
	for _, s := range failed {
		for _, p := range j.held[s] {
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
	case unnamedNoMethods(elem):
		return implNo, fmt.Sprintf("%s has no methods (%s needs %s)", got, alt, names[0])
	case !contract.IsDefinedTypeName(elem):
		// A struct may promote methods of embedded fields, an instance of
		// a generic type has its methods under another name: unknown.
		return implUnknown, ""
	}
	dot := strings.LastIndex(elem, ".")
	if dot < 0 { // a predeclared type: int, string, ...
		return implNo, fmt.Sprintf("%s has no methods (%s needs %s)", got, alt, names[0])
	}
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

// unnamedNoMethods reports whether the DWARF type name t is an unnamed
// type that has no methods: a slice, array, map, function, channel or
// empty interface type.
func unnamedNoMethods(t string) bool {
	for _, p := range []string{"[", "map[", "func(", "chan ", "<-chan ", "interface {}"} {
		if strings.HasPrefix(t, p) {
			return true
		}
	}
	return false
}

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
	if e.IsInterface(t) || e.MaybeInterface(t) {
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

// scoped says which plugin a contract problem concerns: one the host
// opens by name ("as metrics, opened at host/main.go:31"), or one it
// opens from a path pluginctl cannot tell: then the problem is a
// warning, with the declaration that makes it exact.
func scoped(c *contract.Contract, path string, e contract.Entry, p diag.Problem) diag.Problem {
	switch {
	case e.Uncertain != "":
		p.Severity = diag.Warning
		p.Message = fmt.Sprintf("if the host opens it at %s: %s", e.Uncertain, p.Message)
		p.Detail = append(p.Detail, fmt.Sprintf("the host looks %s up on a plugin it opens at %s from a path pluginctl cannot tell; it opens other plugins by name", e.Symbol, e.Uncertain))
		typ := strings.Join(e.Types, "|")
		if typ == "" {
			typ = "TYPE"
		}
		p.Fix = fmt.Sprintf("declare which plugins it concerns: [[symbol]] name = %q plugins = \"NAME\" in pluginctl.toml, or --expect 'NAME:%s=%s'", e.Symbol, e.Symbol, typ)
	case e.Plugins != "":
		if k, ok := c.KindOf(path); ok && k.Plugins == e.Plugins {
			var at []string
			for _, s := range k.Sources {
				if s.Pos != "" && !slices.Contains(at, s.Pos) {
					at = append(at, s.Pos)
				}
			}
			p.Message = fmt.Sprintf("as %s (the host opens it by name at %s, and needs %s of it): %s", k.Name, strings.Join(at, ", "), strings.Join(k.Symbols, ", "), p.Message)
		}
	}
	return p
}

// UnresolvedLookup warns that the host looks up a symbol whose name
// pluginctl cannot tell (read from configuration): it was not checked.
const UnresolvedLookup diag.Code = "unresolved-lookup"

// unresolvedProblems warns, on each plugin it may concern, of every
// lookup of the contract whose symbol name is not known and that no
// declaration answers.
func unresolvedProblems(c *contract.Contract, path string) []diag.Problem {
	var ps []diag.Problem
	for _, u := range c.Unresolved {
		if u.Plugins != "" && !(contract.Entry{Plugins: u.Plugins}).Applies(path) || c.Answers(u) {
			continue
		}
		typ := strings.Join(u.Types, "|")
		msg := fmt.Sprintf("the host looks up a symbol whose name pluginctl cannot tell at %s (%s)", u.Pos, u.Reason)
		if typ != "" {
			msg += ", asserting " + strings.Join(u.Types, " or ")
		} else {
			typ = "TYPE"
		}
		ps = append(ps, diag.Problem{
			Code: UnresolvedLookup, Severity: diag.Warning, Check: diag.Static,
			Message: msg + ": not checked",
			Fix:     fmt.Sprintf("declare it: [[symbol]] name = \"NAME\" type = %q in pluginctl.toml, or --expect 'NAME=%s'", strings.Join(u.Types, " | "), typ),
		})
	}
	return ps
}

// NotOpened warns that the host opens its plugins by name and none of
// those names is this file's: nothing of its contract applies to it.
const NotOpened diag.Code = "not-opened"

// notOpened reports a file that no plugin the host opens by name is,
// when the host looks nothing up on any other plugin.
func notOpened(c *contract.Contract, path string) (diag.Problem, bool) {
	var names []string
	for _, k := range c.Kinds {
		if k.Plugins != "" {
			names = append(names, k.Name)
		}
	}
	if len(names) == 0 {
		return diag.Problem{}, false
	}
	if _, ok := c.KindOf(path); ok {
		return diag.Problem{}, false
	}
	for _, e := range c.Entries {
		if e.Plugins == "" {
			return diag.Problem{}, false // looked up on other plugins too
		}
	}
	return diag.Problem{
		Code: NotOpened, Severity: diag.Warning, Check: diag.Static,
		Message: fmt.Sprintf("the host opens its plugins by name (%s), and none is this file: nothing of its contract was checked", strings.Join(names, ", ")),
		Fix:     "name the file as the host opens it, or declare what it must export ([[symbol]] with plugins = in pluginctl.toml)",
	}, true
}

package builder

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/pluginctl/pluginctl/internal/contract"
	"github.com/pluginctl/pluginctl/internal/project"
	"github.com/pluginctl/pluginctl/internal/released"
)

// The contract of a build for a released host is the host's
// (project.InForce with Known.Released): read from its source, never the
// build module's own hosts': a plugin-only module has no host, and its
// own programs are not the host the plugins are for.

// contractNotes says where the released host's contract was read from,
// or that it is unknown, and why.
func (fh *forHost) contractNotes(r *project.Resolved) {
	switch r.From {
	case project.FromReleased:
		fh.notes = append(fh.notes, "the host's contract was read from "+r.Source)
	case project.FromUnknown:
		fh.notes = append(fh.notes, released.UnknownWarning)
		fh.notes = append(fh.notes, r.Notes...)
	}
}

// forClassify is the rule of a build for a released host: nothing is
// built as a host, and every package main is a plugin when it declares a
// symbol of the host's contract, has no func main, or when nothing is
// known of the contract.
func forClassify(pkg *project.Package, c func() *contract.Contract) project.Kind {
	switch {
	case pkg.Name != "main" || pkg.Forced == project.Host:
		return project.Other
	case pkg.Forced == project.Plugin || !pkg.HasMain:
		return project.Plugin
	}
	var ct *contract.Contract
	if c != nil {
		ct = c()
	}
	syms := contractSymbols(ct)
	if len(syms) == 0 || slices.ContainsFunc(syms, func(s string) bool { return pkg.Declared[s] }) {
		return project.Plugin
	}
	return project.Other
}

// contractSymbols are the symbols of the contract's entries and kinds,
// sorted.
func contractSymbols(c *contract.Contract) []string {
	if c == nil {
		return nil
	}
	seen := map[string]bool{}
	for _, e := range c.Entries {
		seen[e.Symbol] = true
	}
	for _, k := range c.Kinds {
		for _, s := range k.Symbols {
			seen[s] = true
		}
	}
	return slices.Sorted(maps.Keys(seen))
}

// noPlugins is the diagnosis of a build for a host that found no plugin:
// it names the contract it looked for.
func (fh *forHost) noPlugins(patterns []string, r *project.Resolved) error {
	from := "unknown"
	var syms []string
	if r != nil {
		syms = contractSymbols(r.Contract)
		from = r.From
		if r.Source != "" {
			from = r.Source
		}
	}
	msg := fmt.Sprintf("no plugins for host %s in %s: no package main there declares a symbol the host looks up (%s; contract from %s) or lacks func main",
		fh.o.Host, strings.Join(patterns, " "), strings.Join(syms, ", "), from)
	return &EnvError{Msg: msg, Fix: "name the plugins' packages (pluginctl build --for HOST ./plugins/...), or build them with --plugins PATTERN"}
}

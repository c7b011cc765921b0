package verifier

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/pluginctl/pluginctl/internal/diag"
	"github.com/pluginctl/pluginctl/verifier/internal/probe"
)

// checkSet opens the artifacts of set (indexes into paths) in one
// process, in order, and adds the conflicts to results. A child that dies
// is run again without the artifact it died on.
func (c *prober) checkSet(ctx context.Context, paths []string, set []int, passed map[int]bool, timeout time.Duration, results []DynamicResult) error {
	reported := map[int]bool{} // artifacts (indexes into paths) with a set problem
	for len(set) > 1 {
		files := make([]string, len(set))
		for k, i := range set {
			files[k] = paths[i]
		}
		c.runs.Add(1)
		r, err := c.probe.Run(ctx, probe.RunOptions{Set: true, Artifacts: files, Timeout: timeout, Sandbox: c.opts.Sandbox})
		if err != nil {
			return err
		}
		c.ran(r)
		if r.Canceled {
			return ctx.Err()
		}
		if len(r.Events) == 0 {
			return c.failedEarly(r, "any plugin")
		}
		add := func(k int, p diag.Problem) {
			if reported[set[k]] || !passed[set[k]] {
				return // the same outcome, again, in a rerun
			}
			reported[set[k]] = true
			p.Check, p.Severity = diag.Dynamic, diag.Error
			p.Message += "; it loads alone"
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
				add(k, c.setOpenError(paths, set, passed, k, e.Error))
			case probe.StageOpened:
				if e.SameAs != nil && *e.SameAs >= 0 && *e.SameAs < k {
					add(k, diag.Problem{
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
			return c.failedEarly(r, "any plugin of the set")
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
func (c *prober) setOpenError(paths []string, set []int, passed map[int]bool, k int, msg string) diag.Problem {
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
		detail := []string{oneLine(msg)}
		var others []string
		if f := c.file(path); f != nil && pkg != "" {
			for _, i := range set[:k] {
				if g := c.file(paths[i]); g != nil {
					if fp, ok := g.Fingerprints[pkg]; ok && fp != f.Fingerprints[pkg] {
						o := paths[i]
						if !passed[i] {
							o += " (whose Open failed, but whose packages and C symbols stay in the process)"
						}
						others = append(others, o)
					}
				}
			}
		}
		msg := fmt.Sprintf("links another version of package %s than a plugin loaded before it: the host refuses this one", pkg)
		if len(others) > 0 {
			msg = fmt.Sprintf("links another version of package %s than %s, loaded before it: the host refuses this one", pkg, others[0])
			detail = append(detail, fmt.Sprintf("%s: differs from %s", pkg, strings.Join(others, ", ")))
		}
		return diag.Problem{
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

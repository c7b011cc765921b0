package verifier

import (
	"context"
	"time"

	"github.com/pluginctl/pluginctl/internal/diag"
	"github.com/pluginctl/pluginctl/verifier/internal/probe"
)

// The runs of the dynamic check. One probe process opens the artifacts in
// sequence, checking each as its host would, and reports on each: as
// fast as one host loading them all. Its verdict on an artifact is the
// artifact's own when the artifact loaded cleanly, or when nothing was
// opened before it in that process; any other artifact with a problem
// (which an earlier one may have caused) is checked again alone, in a
// process of its own. An artifact that kills, ends or blocks the process
// ends its batch: the next batch starts after it, and it is run alone
// unless it was the first of its batch. When one batch opened, cleanly
// and first, every artifact that passed alone, it was their set check
// too: the set is not opened again.

// runAll checks every artifact and fills results; it reports whether the
// set check is done already.
func (c *prober) runAll(ctx context.Context, artifacts []string, results []DynamicResult) (setChecked bool, err error) {
	n := len(artifacts)
	plans := make([]checkPlan, n)
	for i, a := range artifacts {
		plans[i] = c.plan(a)
	}
	clean := make([]bool, n) // loaded without any problem in its batch
	var alone []int          // to check again alone
	batches := 0
	for start := 0; start < n; {
		idx := artifacts[start:]
		probePlans := make([]probe.Plan, len(idx))
		for k := range idx {
			probePlans[k] = plans[start+k].Plan
		}
		c.runs.Add(1)
		r, err := c.probe.Run(ctx, probe.RunOptions{
			Artifacts: idx, Plans: probePlans, Require: c.opts.RequireCapabilities, Timeout: c.opts.Timeout,
			Sandbox: c.opts.Sandbox,
		})
		if err != nil {
			return false, err
		}
		c.ran(r)
		if r.Canceled {
			// Interrupted: the artifacts the process finished before the
			// one it was opening keep their verdict (a clean load in
			// order), the others stay not checked.
			if len(r.Events) > 0 {
				if last := r.Last(-1); last.Stage != probe.StageStarted && last.Stage != probe.StageDone {
					for k := 0; k < last.Index && k < len(idx); k++ {
						if res, err := c.single(idx[k], plans[start+k], batchPart(r, k, true)); err == nil && len(res.Problems) == 0 && batchOpened(r, k) {
							res.Checked = true
							results[start+k] = res
						}
					}
				}
			}
			return false, ctx.Err()
		}
		batches++
		if len(r.Events) == 0 {
			// Died before it opened anything: no plugin code ran.
			_, err := c.single(idx[0], plans[start], r)
			return false, err
		}
		// Where the process stopped: every artifact before culprit is
		// complete; none after it ran.
		culprit := len(idx)
		if !r.Completed() {
			last := r.Last(-1)
			switch {
			case last.Stage == probe.StageDone:
				// It ended badly after reporting every artifact: which
				// one did it cannot be told here.
				for k := range idx {
					alone = append(alone, start+k)
				}
				start = n
				continue
			case last.Stage == probe.StageStarted:
				culprit = 0
			default:
				culprit = last.Index
			}
		}
		per := r.Duration / time.Duration(min(culprit+1, len(idx)))
		for k := 0; k < len(idx) && k <= culprit; k++ {
			i := start + k
			if k == culprit {
				if k == 0 {
					res, err := c.single(idx[0], plans[i], batchPart(r, 0, false))
					if err != nil {
						return false, err
					}
					res.Checked, res.Duration = true, r.Duration
					results[i] = res
				} else {
					alone = append(alone, i)
				}
				continue
			}
			res, err := c.single(idx[k], plans[i], batchPart(r, k, true))
			if err != nil {
				return false, err
			}
			res.Checked, res.Duration = true, per
			opened := batchOpened(r, k)
			switch {
			case len(res.Problems) == 0 && opened:
				clean[i] = true
				results[i] = res
			case k == 0 && opened:
				results[i] = res // nothing was opened before it
			default:
				alone = append(alone, i)
			}
		}
		start += culprit + 1
	}

	if err := c.runAlone(ctx, artifacts, plans, alone, results); err != nil {
		return false, err
	}

	// The batch was the set check when it opened the artifacts that
	// passed, cleanly, before any other.
	if batches != 1 {
		return false, nil
	}
	lastPass := -1
	for i := range results {
		if !diag.HasError(results[i].Problems) {
			lastPass = i
		}
	}
	for i := 0; i <= lastPass; i++ {
		if !clean[i] {
			return false, nil
		}
	}
	return true, nil
}

// batchPart is what a batch run r showed about its k-th artifact, as a
// run of that artifact alone: its events (at index 0) and, when complete,
// a run that ended well after them.
func batchPart(r *probe.Result, k int, complete bool) *probe.Result {
	d := *r
	d.Events = nil
	for _, e := range r.Events {
		switch {
		case e.Stage == probe.StageStarted:
			e.Artifacts = 1
			d.Events = append(d.Events, e)
		case e.Stage != probe.StageDone && e.Index == k:
			e.Index, e.SameAs = 0, nil
			d.Events = append(d.Events, e)
		}
	}
	d.Writes = r.WritesOf(k)
	if complete {
		d.Events = append(d.Events, probe.Event{Stage: probe.StageDone, Artifacts: 1})
		d.Done, d.ExitCode, d.Signal, d.TimedOut, d.Canceled = true, 0, "", false, false
	}
	return &d
}

// batchOpened reports whether the batch run r opened its k-th artifact
// as a new plugin: not an error, not one opened before.
func batchOpened(r *probe.Result, k int) bool {
	for _, e := range r.Events {
		if e.Index != k || e.Stage == probe.StageStarted || e.Stage == probe.StageDone {
			continue
		}
		switch e.Stage {
		case probe.StageOpenError:
			return false
		case probe.StageOpened:
			return e.SameAs == nil
		}
	}
	return false
}

// runAlone checks the artifacts of which, each in a process of its own,
// Jobs at a time.
func (c *prober) runAlone(ctx context.Context, artifacts []string, plans []checkPlan, which []int, results []DynamicResult) error {
	errs := make([]error, len(which))
	parallel(len(which), c.opts.Jobs, func(j int) {
		i := which[j]
		if ctx.Err() != nil {
			errs[j] = ctx.Err()
			return
		}
		a, plan := artifacts[i], plans[i]
		c.runs.Add(1)
		r, err := c.probe.Run(ctx, probe.RunOptions{
			Artifacts: []string{a}, Require: c.opts.RequireCapabilities, Timeout: c.opts.Timeout,
			Checks: plan.Checks, Convention: plan.Convention, Sandbox: c.opts.Sandbox,
		})
		if err != nil {
			errs[j] = err
			return
		}
		c.ran(r)
		if r.Canceled {
			errs[j] = ctx.Err()
			return
		}
		res, err := c.single(a, plan, r)
		res.Checked = err == nil
		results[i], errs[j] = res, err
	})
	if ctx.Err() != nil {
		return ctx.Err()
	}
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

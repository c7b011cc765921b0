package verifier

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/pluginctl/pluginctl/internal/artifact"
	"github.com/pluginctl/pluginctl/internal/contract"
	"github.com/pluginctl/pluginctl/internal/diag"
	"github.com/pluginctl/pluginctl/verifier/internal/probe"
)

// Verifying on a deploy machine: when the host's source is not where
// verify runs (a release folder, an unpacked image), the dynamic check
// builds its probe from the host's build info alone (probe.BuildReleased:
// a temporary module at the host's module versions, the host's toolchain
// and settings), checks it package by package against the host, and
// names what it could not reproduce. Only when nothing can be reproduced
// does verify fall back to the static check, saying why.

// StaticFallbackError is returned by CheckDynamic when no probe can stand
// in for the host: Verify then reports the static check alone, with the
// reason as a note; it is no environment error.
type StaticFallbackError struct {
	Reason string
}

func (e *StaticFallbackError) Error() string {
	return e.Reason
}

// buildProbe builds the probe from the host's source, else, when the
// source is not at hand, from its build info.
// A host of another platform gets a probe run under its emulator; without
// one (or without the platform's C compiler) only the static check runs.
func buildProbe(ctx context.Context, cfg probe.Config, hostSrc string) (*probe.Probe, error) {
	var p *probe.Probe
	var err error
	var pe *probe.EnvError
	if hostSrc == "" {
		p, err = probe.Build(ctx, cfg)
	}
	if hostSrc != "" || errors.As(err, &pe) && pe.NoSource {
		p, err = probe.BuildReleased(ctx, cfg, hostSrc)
	}
	if err == nil {
		err = p.Emulate(cfg.Go.Env)
	}
	var ce *probe.CannotRunError
	var ne *probe.NothingReproducedError
	switch {
	case errors.As(err, &ce):
		return nil, &StaticFallbackError{Reason: ce.Error() + "; only the static check ran"}
	case errors.As(err, &ne):
		return nil, &StaticFallbackError{Reason: ne.Error() + "; only the static check ran"}
	}
	return p, err
}

// releasedNotes describes a probe built from the host's build info.
func releasedNotes(p *probe.Probe) []string {
	r := p.Released
	if r == nil {
		return nil
	}
	src := "no source at hand"
	if r.HostSrc != "" {
		src = "with the host's source " + r.HostSrc
	}
	notes := []string{fmt.Sprintf("the dynamic check's probe was built from the host's build info (%s): toolchain %s, the host's module versions and settings; %d of the host's packages reproduced with the host's fingerprints, %d not",
		src, p.Toolchain, r.Reproduced, len(r.Unreproduced))}
	if len(r.Unreproduced) > 0 {
		const max = 20
		u := r.Unreproduced
		more := ""
		if len(u) > max {
			u, more = u[:max], fmt.Sprintf(" (and %d more)", len(r.Unreproduced)-max)
		}
		notes = append(notes, "packages not reproduced (a plugin linking one is judged by the static check for it): "+strings.Join(u, "; ")+more)
	}
	return append(notes, r.Notes...)
}

// linksUnreproduced reports whether f links a package of the host that
// the released probe does not have with the host's fingerprint: for it
// the probe cannot stand in for the host.
func linksUnreproduced(f *artifact.File, unrepro map[string]bool) bool {
	for pkg := range f.Fingerprints {
		if unrepro[pkg] {
			return true
		}
	}
	return false
}

// typeProblems are the DWARF type problems of checkSymbols that the
// static check left to the dynamic one, when that one could not run.
func typeProblems(f *artifact.File, host *artifact.File, c *contract.Contract, apiPkg string, have []diag.Problem) []diag.Problem {
	seen := map[diag.Code]bool{}
	for _, p := range have {
		seen[p.Code] = true
	}
	var out []diag.Problem
	for _, p := range checkSymbols(f, host, c, apiPkg, true, func(string) {}) {
		if (p.Code == BadNewSignature || p.Code == BadSymbolType) && !seen[p.Code] {
			p.Check = diag.Static
			out = append(out, p)
		}
	}
	return out
}

package builder

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/pluginctl/pluginctl/internal/diag"
	"github.com/pluginctl/pluginctl/internal/fsutil"
	"github.com/pluginctl/pluginctl/internal/output"
	"github.com/pluginctl/pluginctl/internal/project"
	"github.com/pluginctl/pluginctl/internal/vet"
)

// runVet is the build's vet gate (Options.Vet): vet of the packages,
// flags and contract, findings written to o.Vet. Packages that do not
// type-check are left to the compiler, whose errors the build shows. A
// run without errors is remembered, with its warnings, by key (the
// build's sources and flags, "" unknown), so that a build with nothing
// changed replays it instead of type-checking everything again (as go vet
// replays its cache). p is nil for a build for a released host (vet reads
// the source with the local toolchain then), whose contract is r.
func (o *Options) runVet(ctx context.Context, patterns []string, key string, p *project.Project, r *project.Resolved) error {
	var passed string
	if dir := p.Cache("vet-passed"); key != "" && dir != "" {
		passed = filepath.Join(dir, key)
		if warnings, err := fsutil.ReadRegular(passed, 16<<20); err == nil {
			_, err := o.Vet.Write(warnings)
			return err
		}
	}
	vo := vet.Options{Dir: o.Dir, Project: p, Patterns: patterns, BuildFlags: o.Flags.Args()}
	if r != nil {
		vo.Contract, vo.APIPackage = r.Contract, r.PrimaryAPI()
	}
	if o.For != nil {
		// Vet reads the source with the local toolchain: a toolchain
		// line of go.mod, which the build for the host ignores, must
		// not switch it either.
		vo.Env, vo.BuildFlags = append(os.Environ(), "GOTOOLCHAIN=local"), nil
	}
	res, err := vet.Run(ctx, vo)
	if err != nil {
		return fmt.Errorf("vetting: %w", err)
	}
	typeErrors := len(res.Errors) > 0
	res.Errors = nil
	var out bytes.Buffer
	if len(res.Findings) > 0 {
		if err := output.Vet(&out, "text", &res.VetReport); err != nil {
			return err
		}
	}
	if _, err := o.Vet.Write(out.Bytes()); err != nil {
		return err
	}
	if res.Summary.Errors > 0 {
		return &VetError{Result: res}
	}
	if passed != "" && !typeErrors && os.MkdirAll(filepath.Dir(passed), 0o755) == nil {
		fsutil.WriteFileAtomic(passed, out.Bytes(), 0o644) // best effort: only a cache
	}
	return nil
}

// VetError is a build stopped by vet errors: it names each plugin (or
// package) with an error and why; the builds it cancelled are not
// failures of their own.
type VetError struct{ Result *vet.Result }

func (e *VetError) Error() string {
	var b strings.Builder
	b.WriteString("vet found errors that predict a failure at load time; the build was stopped:")
	byPkg := e.Result.ByPackage()
	for _, pkg := range slices.Sorted(maps.Keys(byPkg)) {
		for _, f := range byPkg[pkg] {
			if f.Severity != diag.Error {
				continue
			}
			where := pkg
			if where == "" {
				where = "module"
			}
			fmt.Fprintf(&b, "\n\t%s: %s: %s", where, f.Code, f.Message)
		}
	}
	b.WriteString("\n\tfix them (see above), or build anyway with --no-vet")
	return b.String()
}

func (e *VetError) ExitCode() int { return diag.ExitFailure }

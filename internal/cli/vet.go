package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/pluginctl/pluginctl/builder"
	"github.com/pluginctl/pluginctl/internal/diag"
	"github.com/pluginctl/pluginctl/internal/fsutil"
	"github.com/pluginctl/pluginctl/internal/output"
	"github.com/pluginctl/pluginctl/internal/vet"
)

func vetCommand(stdio IO) *ucli.Command {
	return &ucli.Command{
		Name:      "vet",
		Usage:     "find plugin mistakes in the source, before anything is built",
		ArgsUsage: "[packages]",
		Description: `Vet type-checks the packages (default ./...) once and runs pluginctl's analyzers:
factory, apiversion, capabilities, initio, sharedstate, apicopy, hostload (see
pluginctl help vet), and contract: every plugin against the symbols its host looks up
(see pluginctl contract). pluginctl build runs it first (--no-vet skips it). The analyzers
also run under go vet: go vet -vettool=$(which pluginctl-vet) ./...

Exit status: 0 no errors (warnings allowed), 1 errors found, 2 usage or
environment error.

Examples:
   pluginctl vet ./...
   pluginctl vet --format github ./...
   pluginctl vet --format json ./plugins/...`,
		Flags: []ucli.Flag{formatFlag(output.VetFormats...), tagsFlag, apiFlag, expectFlag(), goFlag, verboseFlag, quietFlag},
		Action: func(c *ucli.Context) error {
			format, err := checkFormat(c, output.VetFormats...)
			if err != nil {
				return err
			}
			// Once the flags are valid, a failure in a machine format is
			// a report (the message still goes to standard error).
			fail := func(err error, dir string) error {
				if err != nil && format != "text" && !errors.Is(err, errFailed) {
					w, _ := output.New(format, stdio.Stdout, false)
					w.Report(failureReport(err, dir, "pluginctl vet"))
				}
				return err
			}
			p, err := loadProject(c, stdio)
			if err != nil {
				return fail(err, "")
			}
			o := vet.Options{Dir: p.Dir, Project: p, Patterns: c.Args().Slice(), APIPackage: first(c.StringSlice("api")), Tags: p.Tags}
			return fail(runVet(c.Context, o, stdio.Stdout, format, c.Bool("quiet")), p.Dir)
		},
	}
}

// runVet runs the analyzers and writes the findings; it fails when any
// finding is an error.
func runVet(ctx context.Context, o vet.Options, w io.Writer, format string, quiet bool) error {
	res, err := vet.Run(ctx, o)
	if err != nil {
		return fmt.Errorf("vetting: %w", err)
	}
	if quiet && format == "text" && len(res.Findings) == 0 && len(res.Errors) == 0 {
		return nil // -q: nothing to say
	}
	if err := output.Vet(w, format, &res.VetReport); err != nil {
		return err
	}
	if res.Failed() {
		return errFailed
	}
	return nil
}

// vetGate returns build's gate: vet of the same packages, flags and API
// package, findings on standard error. Packages that do not type-check
// are left to the compiler, whose errors the build shows. A run without
// errors is remembered, with its warnings, by the build's source key, so
// that a build with nothing changed replays it instead of type-checking
// everything again (as go vet replays its cache).
func vetGate(bo builder.Options, stderr io.Writer) func(context.Context, builder.GateInput) error {
	return func(ctx context.Context, in builder.GateInput) error {
		var passed string
		if dir := in.Project.Cache("vet-passed"); in.SourceKey != "" && dir != "" {
			passed = filepath.Join(dir, in.SourceKey)
			if warnings, err := os.ReadFile(passed); err == nil {
				_, err := stderr.Write(warnings)
				return err
			}
		}
		vo := vet.Options{Dir: bo.Dir, Project: in.Project, Patterns: bo.Patterns, BuildFlags: bo.Flags.Args()}
		if in.Contract != nil {
			vo.Contract, vo.APIPackage = in.Contract.Contract, in.Contract.PrimaryAPI()
		}
		if bo.For != nil {
			// Vet reads the source with the local toolchain: a toolchain
			// line of go.mod, which the build for the host ignores, must
			// not switch it either.
			vo.Project, vo.Env, vo.BuildFlags = nil, append(os.Environ(), "GOTOOLCHAIN=local"), nil
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
		if _, err := stderr.Write(out.Bytes()); err != nil {
			return err
		}
		if res.Summary.Errors > 0 {
			return &vetGateError{res: res}
		}
		if passed != "" && !typeErrors && os.MkdirAll(filepath.Dir(passed), 0o755) == nil {
			fsutil.WriteFileAtomic(passed, out.Bytes(), 0o644) // best effort: only a cache
		}
		return nil
	}
}

// vetGateError is a build stopped by vet errors: it names each plugin (or
// package) with an error and why; the builds it cancelled are not
// failures of their own.
type vetGateError struct{ res *vet.Result }

func (e *vetGateError) Error() string {
	var b strings.Builder
	b.WriteString("vet found errors that predict a failure at load time; the build was stopped:")
	byPkg := e.res.ByPackage()
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

func (e *vetGateError) ExitCode() int { return diag.ExitFailure }

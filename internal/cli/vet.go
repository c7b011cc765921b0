package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	ucli "github.com/urfave/cli/v2"

	"github.com/pluginctl/pluginctl/builder"
	"github.com/pluginctl/pluginctl/internal/fsutil"
	"github.com/pluginctl/pluginctl/internal/vet"
)

func vetCommand(stdio IO) *ucli.Command {
	return &ucli.Command{
		Name:      "vet",
		Usage:     "find plugin mistakes in the source, before anything is built",
		ArgsUsage: "[packages]",
		Description: `Vet type-checks the packages (default ./...) once and runs pluginctl's analyzers:
factory, apiversion, capabilities, initio, sharedstate, apicopy, hostload (see
README.md), and contract: every plugin against the symbols its host looks up
(see pluginctl contract). pluginctl build runs it first (--no-vet skips it). The analyzers
also run under go vet: go vet -vettool=$(which pluginctl-vet) ./...

Exit status: 0 no errors (warnings allowed), 1 errors found, 2 usage or
environment error.

Examples:
   pluginctl vet ./...
   pluginctl vet --format github ./...
   pluginctl vet --format json ./plugins/...`,
		Flags: []ucli.Flag{
			formatFlag(vet.Formats...),
			&ucli.StringSliceFlag{Name: "tags", Usage: "build tags (comma-separated or repeated)"},
			&ucli.StringFlag{Name: "api", Value: vet.DefaultAPI, Usage: "import path of the shared API package"},
			expectFlag,
		},
		Action: func(c *ucli.Context) error {
			format, err := checkFormat(c, vet.Formats...)
			if err != nil {
				return err
			}
			o, err := vetOptions(c)
			if err != nil {
				return err
			}
			o.Patterns = c.Args().Slice()
			if expects := c.StringSlice("expect"); len(expects) > 0 {
				// vet resolves the contract itself; with --expect, the
				// declarations are merged here.
				ct, err := resolveContract(c.Context, contractSpec{dir: o.Dir, api: o.APIPackage, expects: expects, infer: true})
				if err != nil {
					return err
				}
				o.Contract = ct
			}
			return runVet(c.Context, o, stdio.Stdout, format)
		},
	}
}

func vetOptions(c *ucli.Context) (vet.Options, error) {
	wd, err := os.Getwd()
	if err != nil {
		return vet.Options{}, err
	}
	return vet.Options{Dir: wd, APIPackage: c.String("api"), Tags: splitTags(c.StringSlice("tags"))}, nil
}

// runVet runs the analyzers and writes the findings; it fails when any
// finding is an error.
func runVet(ctx context.Context, o vet.Options, w io.Writer, format string) error {
	res, err := vet.Run(ctx, o)
	if err != nil {
		return &exitError{ExitUsage, fmt.Errorf("vetting: %w", err)}
	}
	if err := res.Write(w, format); err != nil {
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
		if in.SourceKey != "" && bo.CacheDir != "off" {
			if d, err := os.UserCacheDir(); err == nil {
				passed = filepath.Join(d, "pluginctl", "vet-passed", in.SourceKey)
				if warnings, err := os.ReadFile(passed); err == nil {
					_, err := stderr.Write(warnings)
					return err
				}
			}
		}
		vo := vet.Options{Dir: bo.Dir, Patterns: bo.Patterns, APIPackage: bo.APIPackage, BuildFlags: bo.Flags.Args()}
		if bo.For != nil {
			// Vet reads the source with the local toolchain: a toolchain
			// line of go.mod, which the build for the host ignores, must
			// not switch it either.
			vo.Env, vo.BuildFlags = append(os.Environ(), "GOTOOLCHAIN=local"), nil
		}
		res, err := vet.Run(ctx, vo)
		if err != nil {
			return &exitError{ExitUsage, fmt.Errorf("vetting: %w", err)}
		}
		typeErrors := len(res.Errors) > 0
		res.Errors = nil
		var out bytes.Buffer
		if len(res.Findings) > 0 {
			if err := res.Write(&out, "text"); err != nil {
				return err
			}
		}
		if _, err := stderr.Write(out.Bytes()); err != nil {
			return err
		}
		if res.Summary.Errors > 0 {
			fmt.Fprintln(stderr, "pluginctl: vet found errors; fix them, or build with --no-vet")
			return errFailed
		}
		if passed != "" && !typeErrors && os.MkdirAll(filepath.Dir(passed), 0o755) == nil {
			fsutil.WriteFileAtomic(passed, out.Bytes(), 0o644) // best effort: only a cache
		}
		return nil
	}
}

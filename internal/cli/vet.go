package cli

import (
	"context"
	"fmt"
	"io"

	ucli "github.com/urfave/cli/v2"

	"github.com/pluginctl/pluginctl/internal/diag"
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
			// a report.
			p, err := loadProject(c, stdio)
			if err != nil {
				return reportFailure(stdio.Stdout, format, err, "", "pluginctl vet")
			}
			// The project's flags (projectOptions: -trimpath, as build
			// compiles): export data then comes from the build's cache.
			o := vet.Options{Dir: p.Dir, Project: p, Patterns: c.Args().Slice(), APIPackage: first(c.StringSlice("api")), Tags: p.Tags, BuildFlags: p.BuildFlags}
			return reportFailure(stdio.Stdout, format, runVet(c.Context, o, stdio.Stdout, format, c.Bool("quiet")), p.Dir, "pluginctl vet")
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
		return diag.Failed
	}
	return nil
}

package cli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/pluginctl/pluginctl/builder"
	"github.com/pluginctl/pluginctl/internal/contract"
	"github.com/pluginctl/pluginctl/internal/fsutil"
	"github.com/pluginctl/pluginctl/internal/output"
	"github.com/pluginctl/pluginctl/internal/sumcache"
	"github.com/pluginctl/pluginctl/verifier"
)

func verifyFlags() []ucli.Flag {
	return []ucli.Flag{
		expectFlag,
		&ucli.StringFlag{Name: "host", Usage: "the host binary the plugins are meant for (default: the host named in pluginctl.json)"},
		&ucli.StringFlag{Name: "host-src", Usage: "the source checkout of a released host whose own packages the plugins import (for the dynamic check's probe)"},
		&ucli.StringFlag{Name: "manifest", Usage: "the pluginctl.json to use (default: beside the artifacts or one folder up)"},
		&ucli.BoolFlag{Name: "static", Usage: "execute nothing from the artifacts: read the files only (no Go toolchain, source or C compiler needed)"},
		&ucli.DurationFlag{Name: "timeout", Value: verifierDefaultTimeout, Usage: "time limit for opening one artifact in the dynamic check"},
		&ucli.StringSliceFlag{Name: "require-capability", Usage: "fail plugins whose Capabilities() lacks NAME (repeatable)"},
		&ucli.StringFlag{Name: "output", Usage: "write the report to FILE instead of standard output"},
		formatFlag(output.Formats...),
	}
}

const verifierDefaultTimeout = 10 * time.Second

func verifyCommand(stdio IO) *ucli.Command {
	return &ucli.Command{
		Name:      "verify",
		Usage:     "check that each plugin artifact loads and works in its host, before you deploy it",
		ArgsUsage: "ARTIFACT...",
		Description: `Verify checks plugin files (or directories of *.so files) against the host they are
meant for: the --host binary, else the host named in the pluginctl.json written by
pluginctl build beside them or one folder up.

Two checks feed one report. The static check reads the files and executes nothing:
package fingerprints (what plugin.Open compares), Go version, build settings,
module versions, exported symbols, the manifest's checksums. The dynamic check
opens each artifact in a separate, time-limited process built with the host's own
package set and toolchain, so a plugin that panics, exits, hangs or crashes in its
init cannot take pluginctl down. Every problem has a stable code (see README.md).

Exit status: 0 if every artifact passed, 1 if any failed, 2 on usage or
environment errors.

Examples:
   pluginctl verify bin/plugins/*.so
   pluginctl verify --static --format json bin/plugins
   pluginctl verify --host /usr/local/bin/server --format github plugins/*.so
   pluginctl verify --format junit --output verify.xml bin/plugins`,
		Flags: append(verifyFlags(), &ucli.IntFlag{Name: "jobs", Aliases: []string{"j"}, Usage: "artifacts checked at once (default: number of CPUs)"},
			&ucli.StringFlag{Name: "api", Value: verifier.DefaultAPIPackage, Usage: "import path of the shared API package"}, goFlag),
		Action: func(c *ucli.Context) error {
			o, w, err := verifyOptions(c, stdio)
			if err != nil {
				return err
			}
			if !c.Args().Present() {
				return usageError("verify needs at least one ARTIFACT (a .so file or a directory)")
			}
			return runVerify(c, stdio, o, w, c.Args().Slice())
		},
	}
}

// reportSink is where a report goes: a writer for the format, and the
// function that delivers it (to stdout, or atomically to --output).
type reportSink struct {
	format string
	path   string
	buf    *bytes.Buffer
	w      output.Writer
}

// verifyOptions validates the verify flags in one place.
func verifyOptions(c *ucli.Context, stdio IO) (verifier.Options, *reportSink, error) {
	format, err := checkFormat(c, output.Formats...)
	if err != nil {
		return verifier.Options{}, nil, err
	}
	if c.Duration("timeout") <= 0 {
		return verifier.Options{}, nil, usageError("--timeout must be positive")
	}
	if c.IsSet("jobs") && c.Int("jobs") < 1 {
		return verifier.Options{}, nil, usageError("--jobs must be at least 1")
	}
	if c.Bool("static") && len(c.StringSlice("require-capability")) > 0 {
		return verifier.Options{}, nil, usageError("--require-capability needs the dynamic check: it calls Capabilities(); drop --static")
	}
	sink := &reportSink{format: format, path: c.String("output"), buf: &bytes.Buffer{}}
	color := format == "text" && sink.path == "" && stdio.Getenv("NO_COLOR") == "" && isTerminal(stdio.Stdout, stdio.Getenv)
	sink.w, _ = output.New(format, sink.buf, color)
	o := verifier.Options{
		Host:                c.String("host"),
		Manifest:            c.String("manifest"),
		Static:              c.Bool("static"),
		Timeout:             c.Duration("timeout"),
		Jobs:                c.Int("jobs"),
		RequireCapabilities: c.StringSlice("require-capability"),
		APIPackage:          c.String("api"),
		Go:                  goRunner(c, stdio),
		Sums:                sumcache.Default(),
		HostSrc:             c.String("host-src"),
	}
	expects := c.StringSlice("expect")
	o.ResolveContract = func(ctx context.Context, hostPkg string, linksAPI bool) (*contract.Contract, string) {
		wd, err := os.Getwd()
		if err != nil {
			return nil, ""
		}
		if cfg, _ := contractConfig(wd); linksAPI && cfg.Config == nil && cfg.err == nil && len(expects) == 0 {
			return contract.Default(o.APIPackage), "" // a pluginapi host: the convention
		}
		var hosts []string
		if hostPkg != "" {
			hosts = []string{hostPkg}
		}
		ct, err := resolveContract(ctx, contractSpec{dir: wd, hosts: hosts, api: o.APIPackage, expects: expects, infer: hostPkg != ""})
		if err != nil {
			ct, _ = resolveContract(ctx, contractSpec{dir: wd, api: o.APIPackage, expects: expects})
			return ct, fmt.Sprintf("the host's contract could not be inferred from the source (%v): checked against the declared contract or the pluginapi convention", err)
		}
		return ct, ""
	}
	return o, sink, nil
}

func runVerify(c *ucli.Context, stdio IO, o verifier.Options, sink *reportSink, paths []string) error {
	r, err := verifier.Verify(c.Context, o, paths)
	if err != nil {
		return err
	}
	if err := sink.w.Report(r); err != nil {
		return err
	}
	if sink.path != "" {
		if err := fsutil.WriteFileAtomic(sink.path, sink.buf.Bytes(), 0o644); err != nil {
			return usageError("writing --output: %v", err)
		}
		fmt.Fprintf(stdio.Stderr, "pluginctl verify: %d checked, %d passed, %d failed; report in %s\n",
			r.Summary.Checked, r.Summary.Passed, r.Summary.Failed, sink.path)
	} else if _, err := stdio.Stdout.Write(sink.buf.Bytes()); err != nil {
		return err
	}
	if r.Failed() {
		return errFailed
	}
	return nil
}

func checkCommand(stdio IO) *ucli.Command {
	bc := buildCommand(stdio)
	var flags []ucli.Flag
	for _, f := range bc.Flags {
		if n := f.Names()[0]; n != "for" && n != "host-src" { // build --for only
			flags = append(flags, f)
		}
	}
	for _, f := range verifyFlags() {
		if f.Names()[0] == "format" {
			continue // build's --format is replaced by verify's
		}
		flags = append(flags, f)
	}
	for i, f := range flags {
		if f.Names()[0] == "format" {
			flags[i] = formatFlag(output.Formats...)
		}
	}
	return &ucli.Command{
		Name:      "check",
		Usage:     "build, then verify exactly the plugins just built: the one-step CI gate",
		ArgsUsage: "[packages]",
		Description: `Check runs pluginctl build with the given flags, then pluginctl verify on every
plugin the build wrote, against the host(s) it built. Build progress goes to
standard error, the verification report to standard output (or --output).

Examples:
   pluginctl check ./...
   pluginctl check --format github ./...
   pluginctl check --format junit --output verify.xml ./...`,
		Flags: flags,
		Action: func(c *ucli.Context) error {
			vo, sink, err := verifyOptions(c, stdio)
			if err != nil {
				return err
			}
			bo, err := buildOptionsFor(c, stdio, "text")
			if err != nil {
				return err
			}
			if !c.Bool("no-vet") {
				bo.Gate = vetGate(bo, stdio.Stderr)
			}
			res, err := builder.Build(c.Context, bo)
			if err != nil {
				return err
			}
			var plugins []string
			base := filepath.Dir(res.ManifestPath)
			for _, a := range res.Manifest.Artifacts {
				if a.Kind == string(builder.Plugin) {
					p := filepath.Join(base, filepath.FromSlash(a.Path))
					if rel, err := filepath.Rel(bo.Dir, p); err == nil && filepath.IsLocal(rel) {
						p = rel // report paths as the user would type them
					}
					plugins = append(plugins, p)
				}
			}
			if len(plugins) == 0 {
				return usageError("the build produced no plugins to verify")
			}
			vo.Manifest, _ = filepath.Rel(bo.Dir, res.ManifestPath)
			vo.Dir = bo.Dir
			return runVerify(c, stdio, vo, sink, plugins)
		},
	}
}

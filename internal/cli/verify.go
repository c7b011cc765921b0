package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/pluginctl/pluginctl/builder"
	"github.com/pluginctl/pluginctl/internal/cachedir"
	"github.com/pluginctl/pluginctl/internal/contract"
	"github.com/pluginctl/pluginctl/internal/diag"
	"github.com/pluginctl/pluginctl/internal/fsutil"
	"github.com/pluginctl/pluginctl/internal/manifest"
	"github.com/pluginctl/pluginctl/internal/output"
	"github.com/pluginctl/pluginctl/internal/project"
	"github.com/pluginctl/pluginctl/internal/sumcache"
	"github.com/pluginctl/pluginctl/verifier"
)

func verifyFlags() []ucli.Flag {
	return []ucli.Flag{
		expectFlag(),
		&ucli.StringFlag{Name: "host", Usage: "the host binary the plugins are meant for (default: the host named in pluginctl.json)"},
		&ucli.StringFlag{Name: "host-src", Usage: "the source checkout of a released host: its contract, and its own packages the plugins import (for the dynamic check's probe)"},
		&ucli.BoolFlag{Name: "no-download", Usage: "read a released host's contract from the module cache only, downloading nothing"},
		&ucli.StringFlag{Name: "manifest", Usage: "the pluginctl.json to use (default: beside the artifacts or one folder up)"},
		&ucli.BoolFlag{Name: "static", Usage: "execute nothing from the artifacts: read the files only (no Go toolchain, source or C compiler needed)"},
		&ucli.DurationFlag{Name: "timeout", Value: verifierDefaultTimeout, Usage: "time limit for opening one artifact in the dynamic check"},
		&ucli.StringSliceFlag{Name: "require-capability", Usage: "fail plugins whose Capabilities() lacks NAME (repeatable)"},
		&ucli.StringFlag{Name: "order", Usage: "the order the host opens the artifacts in: given (the arguments' order; a folder's files in the host's own order) or name (all sorted by path, as os.ReadDir and filepath.Walk list them)"},
		&ucli.StringFlag{Name: "sandbox", Usage: "the dynamic check's sandbox: auto (namespaces where the kernel allows them, else without, with a warning), require (exit 2 where the kernel refuses them), off (default: $PLUGINCTL_SANDBOX, else auto)"},
		&ucli.StringFlag{Name: "output", Usage: "write the report to FILE (atomically; new, or a regular file that is not an input): in JUnit XML for FILE.xml, JSON for FILE.json, else --format; when that differs from --format, --format's report still goes to standard output"},
		formatFlag(output.Formats...),
	}
}

const verifierDefaultTimeout = 10 * time.Second

// minTimeout is the shortest --timeout accepted: below it every artifact
// would time out before the probe even ran, whatever the plugin does.
const minTimeout = 100 * time.Millisecond

func verifyCommand(stdio IO) *ucli.Command {
	return &ucli.Command{
		Name:      "verify",
		Usage:     "check that each plugin artifact loads and works in its host, before you deploy it",
		ArgsUsage: "ARTIFACT...",
		Description: `Verify checks plugin files (or directories of *.so files) against the host they are
meant for: the --host binary, else the host named in the pluginctl.json written by
pluginctl build beside them or one folder up. A directory stands for the files the
host's own folder rule opens (os.ReadDir, Glob, Walk and its name filter, inferred
from its source or [folder] in pluginctl.toml), and the set is checked as the
host's one process, in load order (--order): plugins loaded before, even failed
ones, can break later ones.

Two checks feed one report. The static check reads the files and executes nothing:
package fingerprints (what plugin.Open compares), Go version, build settings,
module versions, exported symbols, the manifest's checksums. The dynamic check
opens each artifact in a separate, time-limited process built with the host's own
package set and toolchain, so a plugin that panics, exits, hangs or crashes in its
init cannot take pluginctl down. Every problem has a stable code (see pluginctl help codes).

What the checks read from each file is remembered by its SHA-256 (computed from
its bytes every time), in $PLUGINCTL_CACHE/facts: a file checked before, or just
written by pluginctl build, is not parsed again; a rewritten or replaced one
always is.

The dynamic check runs the plugins' code in a sandbox (--sandbox): with user,
PID, mount and network namespaces where the kernel allows them, every write goes
to a throwaway layer (the report lists them) and nothing of yours changes; without
them (a warning says so), writes are refused where Landlock is available.
PLUGINCTL_CACHE=off reads every file every time.

Exit status: 0 if every artifact passed, 1 if any failed, 2 on usage or
environment errors.

Examples:
   pluginctl verify bin/plugins/*.so
   pluginctl verify --static --format json bin/plugins
   pluginctl verify --host /usr/local/bin/server --format github plugins/*.so
   pluginctl verify --format junit --output verify.xml bin/plugins`,
		Flags: append(verifyFlags(), &ucli.IntFlag{Name: "jobs", Aliases: []string{"j"}, Usage: "artifacts checked at once", DefaultText: "number of CPUs"},
			apiFlag, goFlag, verboseFlag, quietFlag),
		Action: func(c *ucli.Context) error {
			o, w, err := verifyOptions(c, stdio)
			if err != nil {
				return err
			}
			if !c.Args().Present() {
				return diag.Usage("verify needs at least one ARTIFACT (a .so file or a directory)")
			}
			return runVerify(c, stdio, o, w, c.Args().Slice())
		},
	}
}

// reportSink is where a report goes: w renders it onto standard output,
// or, with --output, into buf, which is then written to the file
// atomically.
type reportSink struct {
	format string
	path   string
	buf    bytes.Buffer
	w      output.Writer
	// stdout, when set, renders the report on standard output too, in
	// --format, while --output gets the format its extension names
	// (check --format github --output report.xml: annotations in the
	// log, JUnit in the file).
	stdout output.Writer
}

// fileFormat is the report format an --output file's extension names:
// .xml JUnit, .json JSON; "" for any other.
func fileFormat(path string) string {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".xml":
		return "junit"
	case ".json":
		return "json"
	}
	return ""
}

// report renders r: onto standard output, into buf for --output.
func (s *reportSink) report(r *verifier.Report) error {
	if err := s.w.Report(r); err != nil || s.stdout == nil {
		return err
	}
	return s.stdout.Report(r)
}

// fail delivers the report of a command that failed before it verified
// anything (see failureReport) in the sink's format, and returns err, whose
// message still goes to standard error. Plain text on standard output adds
// nothing to that message: it is not repeated there.
func (s *reportSink) fail(stdio IO, err error, dir, what string) error {
	if err == nil || s.format == "text" && s.path == "" {
		return err
	}
	r := failureReport(err, dir, what)
	if e := s.w.Report(r); e != nil || s.path == "" {
		return err
	}
	if s.stdout != nil && s.format != "text" { // text: the message on standard error says it
		s.stdout.Report(r)
	}
	if e := checkOutput(s.path, nil); e != nil {
		return errors.Join(err, e)
	}
	if e := fsutil.WriteFileAtomic(s.path, s.buf.Bytes(), 0o644); e != nil {
		return errors.Join(err, diag.Usage("writing --output: %v", e))
	}
	fmt.Fprintf(stdio.Stderr, "%s: failed; report in %s\n", what, s.path)
	return err
}

// verifyOptions validates the verify flags in one place.
func verifyOptions(c *ucli.Context, stdio IO) (verifier.Options, *reportSink, error) {
	format, err := checkFormat(c, output.Formats...)
	if err != nil {
		return verifier.Options{}, nil, err
	}
	if t := c.Duration("timeout"); t < minTimeout {
		return verifier.Options{}, nil, diag.Usage("--timeout %v is too short to verify anything: the probe, a Go program, needs milliseconds just to start and open a plugin; give at least %v (default %v)", t, minTimeout, verifierDefaultTimeout)
	}
	if o := c.String("order"); o != "" && o != "given" && o != "name" {
		return verifier.Options{}, nil, diag.Usage("--order %q: want given or name", o)
	}
	if c.IsSet("jobs") && c.Int("jobs") < 1 {
		return verifier.Options{}, nil, diag.Usage("--jobs must be at least 1")
	}
	if c.Bool("static") && len(c.StringSlice("require-capability")) > 0 {
		return verifier.Options{}, nil, diag.Usage("--require-capability needs the dynamic check: it calls Capabilities(); drop --static")
	}
	for _, e := range expectValues(c) {
		if _, err := contract.ParseExpect(e); err != nil {
			return verifier.Options{}, nil, diag.Usage("--expect %q: %v", e, err)
		}
	}
	sandbox := c.String("sandbox")
	if !c.IsSet("sandbox") {
		sandbox = stdio.Getenv("PLUGINCTL_SANDBOX")
	}
	switch sandbox {
	case "":
		sandbox = "auto"
	case "auto", "require", "off":
	default:
		return verifier.Options{}, nil, diag.Usage("--sandbox %q (or PLUGINCTL_SANDBOX): want auto, require or off", sandbox)
	}
	sink := &reportSink{format: format, path: c.String("output")}
	color := format == "text" && stdio.Getenv("NO_COLOR") == "" && isTerminal(stdio.Stdout, stdio.Getenv)
	switch ff := fileFormat(sink.path); {
	case sink.path == "":
		sink.w, _ = output.New(format, stdio.Stdout, color)
	case ff != "" && ff != format:
		sink.stdout, _ = output.New(format, stdio.Stdout, color)
		sink.w, _ = output.New(ff, &sink.buf, false)
	default:
		sink.w, _ = output.New(format, &sink.buf, false)
	}
	if c.Bool("quiet") {
		sink.w, sink.stdout = output.Quiet(sink.w), output.Quiet(sink.stdout)
	}
	o := verifier.Options{
		Host:                c.String("host"),
		Manifest:            c.String("manifest"),
		Static:              c.Bool("static"),
		Timeout:             c.Duration("timeout"),
		Jobs:                c.Int("jobs"),
		RequireCapabilities: c.StringSlice("require-capability"),
		APIPackage:          first(c.StringSlice("api")),
		Go:                  goRunner(c, stdio),
		Sums:                sumcache.Default(),
		FactsDir:            cachedir.For(cachedir.Facts),
		HostSrc:             c.String("host-src"),
		Order:               c.String("order"),
		Sandbox:             sandbox,
		Offline:             c.Bool("no-download"),
	}
	po := projectOptions(c, stdio)
	o.Project = &po
	return o, sink, nil
}

func runVerify(c *ucli.Context, stdio IO, o verifier.Options, sink *reportSink, paths []string) error {
	var inputs []string // what --output must not replace
	if sink.path != "" {
		inputs = verifyInputs(o, paths)
		if err := checkOutput(sink.path, inputs); err != nil {
			return err
		}
	}
	var line io.Writer // the status line, on a terminal only
	if sink.format == "text" && !c.Bool("quiet") && isTerminal(stdio.Stderr, stdio.Getenv) {
		line = stdio.Stderr
	}
	st := startStatus(line, fmt.Sprintf("verifying %d artifact argument(s)", len(paths)))
	r, err := verifier.Verify(c.Context, o, paths)
	st.end()
	if err != nil && (r == nil || !errors.Is(err, context.Canceled)) {
		return sink.fail(stdio, err, o.Dir, "pluginctl verify")
	}
	// Interrupted (err is the context's): the partial report is written
	// all the same, and the command ends with diag.ExitInterrupted.
	interrupted := err
	if w := unboxedWarning(r); w != "" {
		fmt.Fprintf(stdio.Stderr, "pluginctl verify: warning: %s\n", w)
	}
	if sink.format == "github" {
		// Annotations go on the plugin's source when it is at hand ("":
		// the current directory).
		locate(r, o.Dir, stdio.Getenv("GITHUB_WORKSPACE"))
	}
	if err := sink.report(r); err != nil {
		return err
	}
	if sink.path != "" {
		for _, a := range r.Artifacts {
			inputs = append(inputs, a.Path)
		}
		if r.Host != nil {
			inputs = append(inputs, r.Host.Path)
		}
		// Checked again: the run may have taken a while.
		if err := checkOutput(sink.path, inputs); err != nil {
			return err
		}
		if err := fsutil.WriteFileAtomic(sink.path, sink.buf.Bytes(), 0o644); err != nil {
			return diag.Usage("writing --output: %v", err)
		}
		fmt.Fprintf(stdio.Stderr, "pluginctl verify: %d checked, %d passed, %d failed; report in %s\n",
			r.Summary.Checked, r.Summary.Passed, r.Summary.Failed, sink.path)
	}
	if interrupted != nil {
		fmt.Fprintf(stdio.Stderr, "pluginctl verify: interrupted; %d artifact(s) not checked\n", r.Summary.NotChecked)
		return &diag.EnvError{Code: diag.ExitInterrupted} // reported
	}
	if r.Failed() {
		return diag.Failed
	}
	return nil
}

// unboxedWarning is the dynamic check's warning that it ran without its
// sandbox, "" when it did not.
func unboxedWarning(r *verifier.Report) string {
	for _, a := range r.Artifacts {
		for _, p := range a.Problems {
			if p.Code == verifier.SandboxFailure && p.Severity == verifier.Warning {
				return output.Escape(p.Message)
			}
		}
	}
	return ""
}

// verifyInputs lists the files a verification reads: the artifacts (the
// *.so files of a directory argument), the manifest given or the ones it
// would find beside them or one folder up, and the host given.
func verifyInputs(o verifier.Options, args []string) []string {
	var in []string
	for _, a := range args {
		if fi, err := os.Stat(a); err == nil && fi.IsDir() {
			m, _ := filepath.Glob(filepath.Join(a, "*.so"))
			in = append(in, m...)
			in = append(in, filepath.Join(a, manifest.FileName), filepath.Join(filepath.Dir(filepath.Clean(a)), manifest.FileName))
			continue
		}
		dir := filepath.Dir(a)
		in = append(in, a, filepath.Join(dir, manifest.FileName), filepath.Join(filepath.Dir(dir), manifest.FileName))
	}
	for _, p := range []string{o.Manifest, o.Host} {
		if p != "" {
			in = append(in, p)
		}
	}
	return in
}

// checkOutput refuses an --output path whose replacement would destroy
// data: anything but a regular file (a named pipe, a device, a symbolic
// link, a directory), or a file the verification reads (an artifact, the
// manifest, the host).
func checkOutput(path string, inputs []string) error {
	if path == "" {
		return nil
	}
	if err := fsutil.CheckReplaceable(path); err != nil {
		var nr *fsutil.NotRegularError
		if errors.As(err, &nr) {
			return diag.Usage("--output %s is %s, not a regular file: refusing to replace it\n\twrite the report to a new or regular file", diag.QuotePath(path), fsutil.Describe(nr.Mode))
		}
		return diag.Usage("--output %s: %v", diag.QuotePath(path), err)
	}
	out, err := os.Stat(path)
	if err != nil {
		return nil // a new file
	}
	for _, in := range inputs {
		if fi, err := os.Stat(in); err == nil && os.SameFile(out, fi) {
			return diag.Usage("--output %s is %s, which this verification reads: refusing to overwrite it\n\twrite the report to another file", diag.QuotePath(path), inputWord(in))
		}
	}
	return nil
}

func inputWord(p string) string {
	switch {
	case filepath.Base(p) == manifest.FileName:
		return "the manifest " + diag.QuotePath(p)
	case strings.HasSuffix(p, ".so"):
		return "the artifact " + diag.QuotePath(p)
	}
	return "an input, " + diag.QuotePath(p)
}

// local is p relative to wd, as the user would type it, when p is in the
// project at root; else p.
func local(wd, root, p string) string {
	if rel, err := filepath.Rel(root, p); err != nil || !filepath.IsLocal(rel) {
		return p
	}
	if rel, err := filepath.Rel(wd, p); err == nil {
		return rel
	}
	return p
}

// configHost is the host of pluginctl.toml (host = "PATH") for check's
// verification when the build made none and no --host or --for was
// given: there is no pass without a host.
func configHost(p *project.Project) (string, error) {
	if h := p.Config.Host; h != "" {
		if fi, err := os.Stat(h); err != nil || fi.IsDir() {
			return "", &diag.EnvError{
				Msg: fmt.Sprintf("%s names host %s: no such host binary", p.Config.File, diag.QuotePath(h)),
				Fix: "build or download the host there, or fix host = in " + p.Config.File,
			}
		}
		return h, nil
	}
	return "", &diag.EnvError{
		Msg: "no host to verify the plugins against: the packages built hold no host, and none was given; a plugin is never passed without its host",
		Fix: "give one of:\n" +
			"\t\tbuild it: name the host's package too (pluginctl check ./... from the project root, or --hosts PKG)\n" +
			"\t\t--host BINARY   a host binary already built\n" +
			"\t\t--for HOST      build the plugins for a released host binary, then verify against it\n" +
			"\t\thost = \"PATH\" in pluginctl.toml, the host binary to verify against",
	}
}

func checkCommand(stdio IO) *ucli.Command {
	var flags []ucli.Flag
	have := map[string]bool{}
	add := func(f ucli.Flag, n string) {
		switch {
		case have[n]: // --expect, --api are shared
		case n == "format": // verify's formats, not build's
			have[n] = true
			flags = append(flags, formatFlag(output.Formats...))
		default:
			have[n] = true
			flags = append(flags, f)
		}
	}
	for _, f := range buildCommand(stdio).Flags {
		add(f, f.Names()[0])
	}
	for _, f := range verifyFlags() {
		add(f, f.Names()[0])
	}
	return &ucli.Command{
		Name:      "check",
		Usage:     "build, then verify exactly the plugins just built: the one-step CI gate",
		ArgsUsage: "[packages]",
		Description: `Check runs pluginctl build with the given flags, then pluginctl verify on every
plugin the build wrote, against a host: the one(s) it built, else --host BINARY,
else --for HOST (the plugins are built for that released host binary, then
verified against it), else host = "PATH" in pluginctl.toml. With none of these it
fails (exit 2): a plugin is never passed without a host. Run from a subfolder, it
acts on the project (patterns relative to where it runs) and writes bin/ at the
project root. Build progress goes to standard error, the report to standard
output (or --output), in the chosen format whatever fails: vet errors, compile
errors and module errors are reported like verify's problems.

Examples:
   pluginctl check ./...
   pluginctl check ./... --format github --output report.xml
   pluginctl check --for /opt/gateway/bin/gateway ./plugins/...
   pluginctl check --format junit --output verify.xml ./...`,
		Flags: flags,
		Action: func(c *ucli.Context) error {
			vo, sink, err := verifyOptions(c, stdio)
			if err != nil {
				return err
			}
			if err := checkOutput(sink.path, nil); err != nil {
				return err // before building anything
			}
			bo, err := buildOptionsFor(c, stdio, "text")
			if err != nil {
				return err
			}
			dir := bo.Dir
			// Once the flags are valid, every failure is a report in the
			// chosen format, on standard output or in --output.
			fail := func(err error) error { return sink.fail(stdio, err, dir, "pluginctl check") }
			if c.String("for") != "" {
				if vo.Host != "" {
					return diag.Usage("--for HOST builds for HOST and verifies against it: drop --host")
				}
				if err := forOptions(c, &bo); err != nil {
					return err
				}
			}
			wd := bo.Dir
			if err := rebase(c.Context, c, stdio, &bo); err != nil {
				return fail(err)
			}
			dir = bo.Dir
			if !c.Bool("no-vet") {
				bo.Vet = stdio.Stderr
			}
			res, err := builder.Build(c.Context, bo)
			if err != nil {
				return fail(err)
			}
			var plugins []string
			hosts := 0
			base := filepath.Dir(res.ManifestPath)
			for _, a := range res.Manifest.Artifacts {
				if a.Kind != string(builder.Plugin) {
					hosts++
					continue
				}
				plugins = append(plugins, local(wd, bo.Dir, filepath.Join(base, filepath.FromSlash(a.Path))))
			}
			if len(plugins) == 0 {
				return fail(diag.Usage("the build produced no plugins to verify"))
			}
			switch {
			case bo.For != nil:
				vo.Host = bo.For.Host
			case vo.Host != "" || hosts > 0:
			default:
				if vo.Host, err = configHost(res.Project); err != nil {
					return fail(err)
				}
			}
			vo.Manifest = local(wd, bo.Dir, res.ManifestPath)
			vo.Plan = &verifier.Plan{Manifest: res.Manifest, ManifestPath: vo.Manifest, Files: res.Files}
			vo.Dir = wd
			return runVerify(c, stdio, vo, sink, plugins)
		},
	}
}

// Package cli is pluginctl's command line: it parses flags, validates them
// in one place, calls builder and verifier, and renders their results. It
// never exits; cmd/pluginctl turns the returned error into an exit code.
package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/pluginctl/pluginctl/builder"
	"github.com/pluginctl/pluginctl/internal/diag"
	"github.com/pluginctl/pluginctl/internal/gocmd"
	"github.com/pluginctl/pluginctl/internal/output"
	"github.com/pluginctl/pluginctl/internal/version"
)

// IO is what a command reads and writes; tests substitute their own.
type IO struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// Getenv reads the environment (NO_COLOR, PLUGINCTL_GO, TERM).
	Getenv func(string) string
}

// Run runs pluginctl with the command-line arguments args (without the
// program name).
func Run(ctx context.Context, args []string, stdio IO) error {
	if stdio.Getenv == nil {
		stdio.Getenv = os.Getenv
	}
	app := newApp(stdio)
	defer gocmd.Trace(nil)
	args, err := normalize(app, args)
	if err == nil {
		if len(args) == 1 && args[0] == "--version" {
			args = []string{"version"}
		}
		err = interrupted(ctx, app.RunContext(ctx, append([]string{"pluginctl"}, args...)))
	}
	if err != nil {
		if err.Error() == "" {
			return err // already reported (diag.Failed, say)
		}
		if err == context.Canceled {
			fmt.Fprintln(stdio.Stderr, "pluginctl: interrupted")
			return err
		}
		// Messages quote file names and tool output: escaped line by
		// line, so that none can forge output on a terminal.
		fmt.Fprintf(stdio.Stderr, "pluginctl: %s\n", output.EscapeLines(err.Error()))
	}
	return err
}

func newApp(stdio IO) *ucli.App {
	var app *ucli.App
	app = &ucli.App{
		Name:  "pluginctl",
		Usage: "build Go plugins and their hosts in one step, and prove they load before you ship them",
		UsageText: `pluginctl build [flags] [packages]
   pluginctl verify [flags] ARTIFACT...
   pluginctl check [flags] [packages]
   pluginctl vet [flags] [packages]
   pluginctl contract [--format json] [host packages]
   pluginctl inspect [--format json] FILE
   pluginctl diff [--format json] A B
   pluginctl version
   pluginctl completion bash|zsh|fish`,
		Description: "See `pluginctl help` for the commands and the topics of the manual.",
		Version:     version.Version(),
		Reader:      stdio.Stdin,
		Writer:      stdio.Stdout,
		ErrWriter:   stdio.Stderr,
		// Only main exits: errors are returned, not handled here.
		ExitErrHandler:       func(*ucli.Context, error) {},
		HideVersion:          true,
		EnableBashCompletion: false,
		OnUsageError: func(_ *ucli.Context, err error, _ bool) error {
			return diag.Usage("%v", err)
		},
		// The help command replaces urfave/cli's, which adds the flag.
		Flags:                 []ucli.Flag{ucli.HelpFlag},
		CustomAppHelpTemplate: appHelpTemplate(), // the usage, then the help topics
		Commands: []*ucli.Command{
			buildCommand(stdio),
			verifyCommand(stdio),
			checkCommand(stdio),
			vetCommand(stdio),
			contractCommand(stdio),
			inspectCommand(stdio),
			diffCommand(stdio),
			completionCommand(stdio, func() *ucli.App { return app }),
			helpCommand(stdio),
			{
				Name:  "version",
				Usage: "print pluginctl's version and the Go version it was built with",
				Description: `Version prints pluginctl's module version ("devel" when built from a
checkout), the Go toolchain that built it and its GOOS/GOARCH. The same version
is recorded in the metadata of every artifact pluginctl build writes.

Example:
   pluginctl version
   pluginctl completion bash|zsh|fish`,
				Action: func(c *ucli.Context) error {
					if c.Args().Present() {
						return diag.Usage("version takes no arguments")
					}
					fmt.Fprintf(stdio.Stdout, "pluginctl %s (%s %s/%s)\n", version.Version(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
					return nil
				},
			},
		},
	}
	for _, c := range app.Commands {
		if slices.ContainsFunc(c.Flags, func(f ucli.Flag) bool { return f == verboseFlag }) {
			c.Before = func(c *ucli.Context) error {
				if c.Bool("verbose") && c.Bool("quiet") {
					return diag.Usage("-v and -q contradict each other: give one")
				}
				if c.Bool("verbose") {
					gocmd.Trace(stdio.Stderr)
				}
				return nil
			}
		}
		name := c.Name
		c.OnUsageError = func(_ *ucli.Context, err error, _ bool) error {
			return diag.Usage("%v (see pluginctl %s --help)", err, name)
		}
	}
	return app
}

// goRunner returns the go command pluginctl uses: PLUGINCTL_GO or --go, else
// go from PATH.
func goRunner(c *ucli.Context, stdio IO) *gocmd.Go {
	bin := c.String("go")
	if bin == "" {
		bin = stdio.Getenv("PLUGINCTL_GO")
	}
	return &gocmd.Go{Binary: bin}
}

// verboseFlag and quietFlag are the Go tools' -v and -q: -v shows each go
// command run (as go build -x does), -q only the problems.
var (
	verboseFlag = &ucli.BoolFlag{Name: "verbose", Aliases: []string{"v"}, Usage: "print each go command pluginctl runs, as it starts"}
	quietFlag   = &ucli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "print only the problems: no progress, no passing artifacts"}
)

var goFlag = &ucli.StringFlag{Name: "go", Usage: "the go command to use (default: $PLUGINCTL_GO, else go from PATH)"}

func formatFlag(values ...string) *ucli.StringFlag {
	return &ucli.StringFlag{Name: "format", Value: "text", Usage: "output format: " + strings.Join(values, ", ")}
}

func buildCommand(stdio IO) *ucli.Command {
	return &ucli.Command{
		Name:      "build",
		Usage:     "build every host and plugin of the module with one toolchain and one set of flags",
		ArgsUsage: "[packages]",
		Description: `Build finds the hosts and the plugins among the packages (default ./...) by one
rule (pluginctl help project): a package main without func
main, or declaring a required symbol of the hosts' contract, is a plugin; a package
main with func main that links package plugin is a host. It builds them all with the same toolchain, module graph and flags, in parallel:
hosts to OUT/NAME, plugins to OUT/plugins/NAME.so. Every artifact embeds build
metadata (see pluginctl inspect); OUT/pluginctl.json lists the set. go.mod and
go.sum are never modified. A failed build leaves the previous artifacts as they were.
Run from a subfolder, it acts on the project: the packages relative to where it
runs, the default OUT (bin) at the project root.
The go commands run with GOGC=400 and GOMEMLIMIT set to the memory divided by
GOMAXPROCS, unless GOGC or GOMEMLIMIT is set (GOGC=100 keeps Go's default): less CPU
time, more memory, the same artifacts and cache keys.
With GOCACHEPROG set (Go's external build cache, such as go-cacher with a shared
server), the artifacts pluginctl links are kept there too: a machine with an empty
disk sharing the cache program relinks nothing another one linked.

Examples:
   pluginctl build                      # ./... into bin/
   pluginctl build --out dist ./...
   pluginctl build --race --tags netgo ./...
   pluginctl build --plugins './plugins/...' --hosts ./cmd/server
   pluginctl build --for /opt/gateway/bin/gateway ./...   # plugins for a released host

With --for HOST, only the plugins are built, so that they load in the host binary
HOST: with its Go toolchain (GOTOOLCHAIN), the build settings loading depends on
(not -s, -w, -X) and, through a temporary module file, its version of every module
it links; then every plugin's package fingerprints are checked against HOST's.
HOST's contract is read from --host-src DIR, else from its own module at the version
its build info records, else from the modules it links that load plugins (fetched
read-only through the go command; --no-download: the module cache only); a package
main is a plugin when it declares a symbol of it or has no func main. --host-src DIR
is also needed when the plugins import packages of a host built from a checkout.
Then, in the output folder: pluginctl verify plugins.

--goos/--goarch (or GOOS/GOARCH) build for another platform; for one that is not
this machine's, the C compiler is CC_FOR_<GOOS>_<GOARCH>, CC_FOR_TARGET or CC, else
Debian's cross compiler on PATH (aarch64-linux-gnu-gcc for arm64: apt-get install
crossbuild-essential-arm64). --for takes the platform from the host.`,
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "out", Aliases: []string{"o"}, Value: "bin", Usage: "output directory"},
			&ucli.StringSliceFlag{Name: "plugins", Usage: "packages to build as plugins, instead of discovering them (repeatable)"},
			&ucli.StringSliceFlag{Name: "hosts", Usage: "packages to build as hosts, instead of discovering them (repeatable)"},
			&ucli.IntFlag{Name: "jobs", Aliases: []string{"j"}, Usage: "go build commands run at once", DefaultText: "number of CPUs"},
			&ucli.BoolFlag{Name: "trimpath", Value: true, Usage: "remove file system paths from artifacts (--trimpath=false to keep them)"},
			&ucli.StringSliceFlag{Name: "tags", Usage: "build tags, applied to every artifact (comma-separated or repeated)"},
			&ucli.BoolFlag{Name: "race", Usage: "build every artifact with the race detector"},
			&ucli.StringFlag{Name: "gcflags", Usage: "go build -gcflags, applied to every artifact"},
			&ucli.StringFlag{Name: "ldflags", Usage: "go build -ldflags, applied to every artifact"},
			&ucli.BoolFlag{Name: "compress-dwarf", Usage: "compress the debug info as the linker does by default (pluginctl links with -compressdwarf=false: faster links and static checks, files about a quarter larger)"},
			apiFlag, expectFlag(),
			&ucli.BoolFlag{Name: "no-vet", Usage: "do not run pluginctl vet before building"},
			&ucli.StringFlag{Name: "for", Usage: "build the module's plugins for this released host binary (its toolchain, settings and module versions)"},
			&ucli.StringFlag{Name: "host-src", Usage: "with --for: the host's source checkout, used as a workspace module and read for the host's contract"},
			&ucli.BoolFlag{Name: "no-download", Usage: "with --for: read the host's contract from the module cache only, downloading nothing"},
			&ucli.StringFlag{Name: "goos", Usage: "build every artifact for this GOOS (default: $GOOS, else go env GOOS)"},
			&ucli.StringFlag{Name: "goarch", Usage: "build every artifact for this GOARCH, e.g. arm64 (default: $GOARCH, else go env GOARCH); needs a C cross compiler: CC, or Debian's crossbuild-essential-ARCH"},
			formatFlag("text", "json"),
			goFlag, verboseFlag, quietFlag,
		},
		Action: func(c *ucli.Context) error {
			format, err := checkFormat(c, "text", "json")
			if err != nil {
				return err
			}
			o, err := buildOptionsFor(c, stdio, format)
			if err != nil {
				return err
			}
			if err := forOptions(c, &o); err != nil {
				return err
			}
			// Once the flags are valid, a failure in JSON is a report.
			if err := rebase(c.Context, c, stdio, &o); err != nil {
				return reportFailure(stdio.Stdout, format, err, o.Dir, "pluginctl build")
			}
			if !c.Bool("no-vet") {
				o.Vet = stdio.Stderr
			}
			res, err := builder.Build(c.Context, o)
			if err != nil {
				return reportFailure(stdio.Stdout, format, err, o.Dir, "pluginctl build")
			}
			if format == "json" {
				for _, w := range res.Warnings { // text mode: in the build log
					fmt.Fprintf(stdio.Stderr, "warning: %s\n", w)
				}
				return writeJSON(stdio.Stdout, res.Manifest)
			}
			if c.Bool("quiet") {
				return nil
			}
			hosts, plugins := 0, 0
			for _, a := range res.Manifest.Artifacts {
				if a.Kind == string(builder.Host) {
					hosts++
				} else {
					plugins++
				}
			}
			fmt.Fprintf(stdio.Stdout, "built %d host(s) and %d plugin(s) into %s (build set %s, %d relinked)\n",
				hosts, plugins, o.Out, res.Manifest.BuildSet, res.Relinked)
			if fh := res.Manifest.ForHost; fh != nil && o.For != nil {
				var pins []string
				for _, p := range fh.Pinned {
					pins = append(pins, fmt.Sprintf("%s %s -> %s", p.Path, p.GoMod, p.Host))
				}
				line := "the plugins' module versions are the host's"
				if len(pins) > 0 {
					line = strings.Join(pins, ", ")
				}
				fmt.Fprintf(stdio.Stdout, "for host %s (%s): %s; package fingerprints checked\n", o.For.Host, fh.GoVersion, line)
				for _, n := range fh.Notes {
					fmt.Fprintf(stdio.Stdout, "note: %s\n", n)
				}
			}
			return nil
		},
	}
}

// isTerminal reports whether w is a terminal that can show progress.
func isTerminal(w io.Writer, getenv func(string) string) bool {
	f, ok := w.(*os.File)
	if !ok || getenv("TERM") == "dumb" || getenv("CI") != "" {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

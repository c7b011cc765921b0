package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/pluginctl/pluginctl/builder"
	"github.com/pluginctl/pluginctl/internal/cachedir"
	"github.com/pluginctl/pluginctl/internal/diag"
	"github.com/pluginctl/pluginctl/internal/project"
	"github.com/pluginctl/pluginctl/internal/sumcache"
	"github.com/pluginctl/pluginctl/internal/version"
)

// checkFormat validates --format against the formats a command supports.
func checkFormat(c *ucli.Context, allowed ...string) (string, error) {
	f := c.String("format")
	for _, a := range allowed {
		if f == a {
			return f, nil
		}
	}
	return "", diag.Usage("--format %q: want one of %s", f, strings.Join(allowed, ", "))
}

// buildOptionsFor validates the build flags (shared by build and check);
// format is the output format, which decides whether progress is shown.
func buildOptionsFor(c *ucli.Context, stdio IO, format string) (builder.Options, error) {
	if c.Int("jobs") < 0 {
		return builder.Options{}, diag.Usage("--jobs must be at least 1")
	}
	if c.String("out") == "" {
		return builder.Options{}, diag.Usage("--out must not be empty")
	}
	tags := splitTags(c.StringSlice("tags"))
	for _, fl := range []string{"gcflags", "ldflags"} {
		v := c.String(fl)
		if strings.Contains(v, "-buildmode") || strings.Contains(v, "-linkshared") {
			return builder.Options{}, diag.Usage("--%s %q: pluginctl sets the build mode itself", fl, v)
		}
	}
	wd, err := os.Getwd()
	if err != nil {
		return builder.Options{}, err
	}
	o := builder.Options{
		Dir:            wd,
		Patterns:       c.Args().Slice(),
		PluginPatterns: c.StringSlice("plugins"),
		HostPatterns:   c.StringSlice("hosts"),
		Out:            c.String("out"),
		Jobs:           c.Int("jobs"),
		APIPackage:     first(c.StringSlice("api")),
		Expect:         expectValues(c),
		Flags: builder.Flags{
			Trimpath: c.Bool("trimpath"),
			Race:     c.Bool("race"),
			Tags:     tags,
			GCFlags:  c.String("gcflags"),
			LDFlags:  c.String("ldflags"),

			CompressDWARF: c.Bool("compress-dwarf"),
		},
		Go:          goRunner(c, stdio),
		Sums:        sumcache.Default(),
		FactsDir:    cachedir.For(cachedir.Facts),
		Version:     version.Version(),
		GOOS:        c.String("goos"),
		GOARCH:      c.String("goarch"),
		Log:         stdio.Stderr,
		Interactive: format == "text" && isTerminal(stdio.Stderr, stdio.Getenv),
	}
	if format == "json" || c.Bool("quiet") {
		o.Log = nil // JSON never carries progress
	}
	return o, nil
}

// splitTags accepts --tags a,b --tags c and --tags "a b".
func splitTags(values []string) []string {
	var tags []string
	for _, t := range values {
		tags = append(tags, strings.FieldsFunc(t, func(r rune) bool { return r == ',' || r == ' ' })...)
	}
	return tags
}

// forOptions validates --for and --host-src of the build command.
func forOptions(c *ucli.Context, o *builder.Options) error {
	host, src := c.String("for"), c.String("host-src")
	if host == "" {
		if src != "" {
			return diag.Usage("--host-src needs --for HOST")
		}
		return nil
	}
	if fi, err := os.Stat(host); err != nil || fi.IsDir() {
		return diag.Usage("--for %s: no such host binary", host)
	}
	if len(c.StringSlice("hosts")) > 0 {
		return diag.Usage("--for builds plugins only: drop --hosts")
	}
	if c.IsSet("goos") || c.IsSet("goarch") {
		return diag.Usage("--for builds for the host's platform: drop --goos/--goarch")
	}
	if src != "" {
		if fi, err := os.Stat(src); err != nil || !fi.IsDir() {
			return diag.Usage("--host-src %s: not a directory", src)
		}
	}
	o.For = &builder.ForHost{Host: host, HostSrc: src, Offline: c.Bool("no-download")}
	for _, name := range []string{"race", "trimpath", "tags", "gcflags", "ldflags"} {
		if c.IsSet(name) {
			o.For.SetFlags = append(o.For.SetFlags, name)
		}
	}
	return nil
}

// rebase makes a build run from a subfolder of a project act on the
// project, as the model sees it: o.Dir becomes the project root, the
// patterns (relative to where pluginctl runs) are rewritten relative to
// it, and the default --out is the root's bin; an --out given stays
// where the user named it. A build at the root is left as it is.
func rebase(ctx context.Context, c *ucli.Context, stdio IO, o *builder.Options) error {
	wd := o.Dir
	root, err := projectRoot(ctx, c, stdio, wd)
	if err != nil || root == "" || root == wd {
		return err
	}
	patterns := o.Patterns
	if len(patterns) == 0 {
		patterns = []string{"./..."}
	}
	o.Patterns = rebasePatterns(wd, root, patterns)
	o.PluginPatterns = rebasePatterns(wd, root, o.PluginPatterns)
	o.HostPatterns = rebasePatterns(wd, root, o.HostPatterns)
	if c.IsSet("out") {
		out := o.Out
		if !filepath.IsAbs(out) {
			out = filepath.Join(wd, out)
		}
		if rel, err := filepath.Rel(root, out); err == nil && filepath.IsLocal(rel) {
			out = rel
		}
		o.Out = out
	}
	if o.For != nil { // given relative to wd
		for _, p := range []*string{&o.For.Host, &o.For.HostSrc} {
			if *p != "" && !filepath.IsAbs(*p) {
				*p = filepath.Join(wd, *p)
			}
		}
	}
	o.Dir = root
	if o.Log != nil {
		rel, _ := filepath.Rel(wd, root)
		fmt.Fprintf(o.Log, "building the project at %s (%s), packages %s\n", rel, root, strings.Join(o.Patterns, " "))
	}
	return nil
}

// projectRoot is the root of the project wd is in (the directory of
// go.work, else of the main module's go.mod); "" outside a module. It
// asks the go command only when a workspace may be involved.
func projectRoot(ctx context.Context, c *ucli.Context, stdio IO, wd string) (string, error) {
	if work, mod := enclosing(wd); work == "" && stdio.Getenv("GOWORK") == "" {
		return mod, nil
	}
	po := projectOptions(c, stdio)
	po.Dir = wd
	p, err := project.Load(ctx, po)
	if err != nil {
		return "", err
	}
	return p.Root, nil
}

// enclosing returns the directories of the go.work and of the go.mod
// nearest to dir, dir included ("" for none).
func enclosing(dir string) (work, mod string) {
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.work")); err == nil && work == "" {
			work = d
		}
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil && mod == "" {
			mod = d
		}
		if work != "" && mod != "" || filepath.Dir(d) == d {
			return work, mod
		}
	}
}

// rebasePatterns rewrites the relative and absolute package patterns,
// given from wd, relative to root; import paths stay as they are.
func rebasePatterns(wd, root string, patterns []string) []string {
	out := make([]string, len(patterns))
	for i, p := range patterns {
		out[i] = p
		if !filepath.IsAbs(p) && p != "." && p != ".." && !strings.HasPrefix(p, "./") && !strings.HasPrefix(p, "../") {
			continue
		}
		abs := p
		if !filepath.IsAbs(p) {
			abs = filepath.Join(wd, p)
		}
		rel, err := filepath.Rel(root, abs)
		if err != nil || !filepath.IsLocal(rel) && rel != "." && !strings.HasPrefix(rel, "...") {
			continue // outside the project: the go command says so
		}
		if rel == "." {
			out[i] = "."
		} else {
			out[i] = "./" + filepath.ToSlash(rel)
		}
	}
	return out
}

// Package builder owns `pluginctl build`: it reads the module graph, finds
// the hosts and plugins of a module, builds them all with one toolchain and
// one flag set, stamps every artifact with build metadata and writes the
// set, with its manifest, into the output directory all at once.
//
// It knows nothing of the command line: callers fill in Options and call
// Build.
package builder

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/pluginctl/pluginctl/internal/artifact"
	"github.com/pluginctl/pluginctl/internal/cachedir"
	"github.com/pluginctl/pluginctl/internal/cacheprog"

	"github.com/pluginctl/pluginctl/internal/contract"
	"github.com/pluginctl/pluginctl/internal/fsutil"
	"github.com/pluginctl/pluginctl/internal/gocmd"
	"github.com/pluginctl/pluginctl/internal/manifest"
	"github.com/pluginctl/pluginctl/internal/project"
	"github.com/pluginctl/pluginctl/internal/released"
	"github.com/pluginctl/pluginctl/internal/sumcache"
	"github.com/pluginctl/pluginctl/pluginapi/meta"
)

// Flags are the go build flags every artifact of a build set gets.
type Flags struct {
	Trimpath bool
	Race     bool
	Tags     []string
	GCFlags  string
	LDFlags  string
	// CompressDWARF keeps the linker's default of compressing the DWARF
	// debug info. Without it, pluginctl links with -compressdwarf=false:
	// a plugin's link takes about a quarter less time and the static
	// check reads types without inflating them, for files about a quarter
	// larger (debug info is never loaded into memory). LDFlags that set
	// -compressdwarf themselves win.
	CompressDWARF bool
}

// Args returns the flags as go build arguments, in a fixed order.
func (f Flags) Args() []string {
	var a []string
	if f.Trimpath {
		a = append(a, "-trimpath")
	}
	if f.Race {
		a = append(a, "-race")
	}
	if len(f.Tags) > 0 {
		a = append(a, "-tags="+strings.Join(f.Tags, ","))
	}
	if f.GCFlags != "" {
		a = append(a, "-gcflags="+f.GCFlags)
	}
	ld := f.LDFlags
	if !f.CompressDWARF {
		ld = strings.TrimSpace("-compressdwarf=false " + ld)
	}
	if ld != "" {
		a = append(a, "-ldflags="+ld)
	}
	return a
}

// Options configure a build.
type Options struct {
	// Dir is the directory patterns are relative to; "" is the current one.
	Dir string
	// Patterns select the packages to consider (default ./...).
	Patterns []string
	// PluginPatterns and HostPatterns, when set, say which packages are
	// plugins and hosts instead of discovering them.
	PluginPatterns []string
	HostPatterns   []string
	// Out is the output directory (default "bin"), relative to Dir.
	Out   string
	Flags Flags
	// Jobs is how many go build commands run at once (default NumCPU).
	Jobs int
	// APIPackage is the project's API package; "" means pluginctl.toml's
	// api, else the one inferred from the hosts' contract.
	APIPackage string
	// Expect are contract declarations, NAME=TYPE, merged over
	// pluginctl.toml's (see pluginctl contract --help).
	Expect []string
	// Go runs the go command; nil means go from PATH in Dir.
	Go *gocmd.Go
	// CacheDir keeps the last artifact built for each package, so that a
	// build into an empty output directory need not relink what did not
	// change. "" means the user cache directory; "off" disables it. The
	// command line sets it from $PLUGINCTL_CACHE.
	CacheDir string
	// Version is pluginctl's version, recorded in the metadata.
	Version string
	// Sums is told the checksum of every artifact written, so that a
	// verification right after the build need not hash the files again.
	Sums sumcache.Cache
	// FactsDir, when set, is told what verify reads from every artifact
	// written (verifier.Options.FactsDir; see artifact.Cache), so that a
	// verification right after the build need not read the files again.
	FactsDir string
	// Vet, when set, runs pluginctl vet (package vet) on the packages
	// while the artifacts compile, its findings written to Vet; its errors
	// (a *VetError) fail the build before anything is written to Out. A
	// run without errors is replayed while no source, module file or flag
	// changes.
	Vet io.Writer
	// Log receives progress: a line per artifact, or one updating line
	// when Interactive. nil discards it.
	Log         io.Writer
	Interactive bool
	// For, when set, builds the plugins of the module for a host at hand
	// only as a binary (see ForHost and forhost.go); hosts are not built.
	For *ForHost
	// GOOS and GOARCH select the target platform of every artifact ("":
	// the go command's, from GOOS/GOARCH in the environment or go env).
	// For another platform than this machine's, the C compiler is CC
	// (CC_FOR_TARGET, CC_FOR_<GOOS>_<GOARCH>) or Debian's cross compiler
	// on PATH (see cross.go). With For, the host's platform is the target.
	GOOS, GOARCH string
}

// Result is a finished build.
type Result struct {
	Manifest *manifest.Manifest
	// ManifestPath is where the manifest was written.
	ManifestPath string
	// Project is the project model the build loaded, and Contract the
	// contract in force it resolved (recorded in Manifest).
	Project  *project.Project
	Contract *project.Resolved
	// Files is what the build read from each artifact it wrote, for a
	// verification in the same process (verifier.Plan).
	Files artifact.Written
	// Relinked counts the artifacts go build actually (re)linked.
	Relinked int
	// Warnings are what the build left out and why (also written to
	// Options.Log): a plugin folder with its own go.mod, say.
	Warnings []string
}

// Build builds every host and plugin the options select and replaces the
// output directory's set with them, or leaves it untouched on failure.
func Build(ctx context.Context, o Options) (*Result, error) {
	if err := o.defaults(); err != nil {
		return nil, err
	}
	var err error
	var fh *forHost
	if o.For != nil {
		if fh, err = prepareFor(&o); err != nil {
			return nil, err
		}
		defer fh.cleanup()
		fh.userGo = o.Go
		o.Go = o.Go.With(fh.env()...)
	}
	if tenv, err := o.targetEnv(fh); err != nil {
		return nil, err
	} else if tenv != nil {
		o.Go = o.Go.With(tenv...)
	}
	flags := o.Flags.Args()
	setFlags := flags
	if fh != nil {
		flags = fh.host.Args()
		// One build set per host: the same module built for two hosts
		// gives two sets.
		setFlags = append(slices.Clone(flags), "for="+fh.host.SHA256())
	}
	// The progress line starts at once: loading the project and finding
	// the packages can take a while on a cold cache.
	prog := newProgress(o.Log, o.Interactive, 0)
	defer prog.done()
	prog.setPhase("loading the project")
	var p *project.Project
	p, err = project.Load(ctx, project.Options{Dir: o.Dir, Go: o.Go, API: nonEmpty(o.APIPackage), Expect: o.Expect, Tags: o.Flags.Tags, BuildFlags: flags})
	if err != nil {
		return nil, err
	}
	if err := p.NeedModule(); err != nil {
		return nil, err
	}
	// Another platform's C compiler, before anything is built: every go
	// command of the build (vet's too, through the project) gets it.
	cc, err := crossCC(p.Go, p.Env)
	if err != nil {
		return nil, err
	}
	if cc != "" {
		p.Go = p.Go.With("CC=" + cc)
	}
	g, env := p.Go, p.Env
	if err := checkGOFLAGS(env.GOFLAGS); err != nil {
		return nil, err
	}
	ws, err := loadWorkspace(p)
	if err != nil {
		return nil, err
	}
	modArgs := []string{modFlag(ws)}
	goflags := env.GOFLAGS
	if fh != nil {
		modArgs, goflags = fh.mods.Args(), ""
	}
	if cc == "" {
		if err := checkCC(env.CC); err != nil {
			return nil, err
		}
	}
	buildEnv := []string{"CGO_ENABLED=1"}
	given := o.Patterns // as vet takes them
	o.Patterns = p.Patterns(o.Patterns)
	pkgEnv, err := p.PackagesEnv()
	if err != nil {
		return nil, err
	}
	// The contract: resolved once for the build, lazily (classification
	// asks for it only for ambiguous package mains), else beside the
	// builds once the hosts are built.
	var contractOnce sync.Once
	var resolved *project.Resolved
	var contractErr error
	resolve := func() *project.Resolved {
		contractOnce.Do(func() {
			k := project.Known{Project: p}
			if fh != nil {
				k.Host, k.Released = fh.host.File, true
				k.Source = released.ContractOptions{HostSrc: fh.o.HostSrc, Go: fh.userGo, LinkDir: p.CacheDir, Offline: fh.o.Offline}
			}
			resolved, contractErr = project.InForce(ctx, k)
			if fh != nil && contractErr == nil {
				fh.contractNotes(resolved)
			}
		})
		return resolved
	}
	dopts := discoverOptions{
		Patterns: o.Patterns, PluginPatterns: o.PluginPatterns, HostPatterns: o.HostPatterns, Project: p,
		Env: append(append(slices.Clone(pkgEnv), buildEnv...), "GOFLAGS="+strings.Join(modArgs, " ")+" "+goflags),
		Contract: func() *contract.Contract {
			if r := resolve(); r != nil {
				return r.Contract
			}
			return nil
		},
	}
	if fh != nil {
		dopts.Classify = forClassify
	}
	var found *discovered
	prog.setPhase("finding the hosts and plugins")
	found, err = discover(ctx, dopts)
	if err != nil {
		return nil, err
	}
	if contractErr != nil {
		return nil, contractErr
	}
	targets, srcKey := found.targets, found.sourceKey
	if fh != nil {
		// A build for a host builds plugins only.
		targets = slices.DeleteFunc(targets, func(t *target) bool { return t.Kind != Plugin })
		if len(targets) == 0 && len(o.PluginPatterns) == 0 {
			return nil, fh.noPlugins(o.Patterns, resolve())
		}
	}
	warnings := nestedPlugins(o.Dir, o.Patterns, ws.ModDirs)
	for _, a := range found.unlinkedAPI {
		warnings = append(warnings, fmt.Sprintf("API package %s (declared with api = in pluginctl.toml or --api) is linked by no host or plugin built: a typo, or a package that does not exist? Nothing is checked against it", a))
	}
	for _, w := range warnings {
		fmt.Fprintf(o.Log, "warning: %s\n", w)
	}
	if err := checkTargets(targets, o.Patterns); err != nil {
		var ee *EnvError
		if len(warnings) > 0 && errors.As(err, &ee) {
			ee.Fix += "\n\t" + strings.Join(warnings, "\n\t")
		}
		return nil, err
	}

	// The flags GOFLAGS gives every go build (-tags=foo) are the build's
	// too: recorded in the metadata and the build set like the flags
	// given to pluginctl (go build reads them from GOFLAGS itself).
	recorded, setFlags := flags, slices.Concat(setFlags, envBuildFlags(goflags))
	if extra := envBuildFlags(goflags); len(extra) > 0 {
		recorded = slices.Concat(flags, extra)
	}
	base := meta.Metadata{
		Schema:           meta.Schema,
		PluginctlVersion: o.Version,
		GoVersion:        env.GOVERSION,
		GOOS:             env.GOOS,
		GOARCH:           env.GOARCH,
		Flags:            recorded,
		BuildSet:         buildSetID(env.GOVERSION, env.GOOS, env.GOARCH, setFlags, ws),
	}
	if !strings.Contains(env.GOFLAGS, "-buildvcs=false") {
		base.VCSRevision, base.VCSModified = vcsInfo(ctx, ws.Root)
	}

	tmp, err := os.MkdirTemp("", "pluginctl-build-")
	if err != nil {
		return nil, fmt.Errorf("creating temporary directory: %w", err)
	}
	defer os.RemoveAll(tmp)
	overlay, err := writeOverlay(tmp, targets, base, found.api)
	if err != nil {
		return nil, err
	}

	out := o.Out
	if !filepath.IsAbs(out) {
		out = filepath.Join(o.Dir, out)
	}
	if fi, err := os.Stat(out); err == nil && !fi.IsDir() {
		return nil, &EnvError{Msg: fmt.Sprintf("output directory %s is %s, not a directory", o.Out, fsutil.Describe(fi.Mode())), Fix: "remove it, or build into another directory with --out"}
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, &EnvError{Msg: fmt.Sprintf("creating output directory: %v", err), Fix: "build into another directory with --out"}
	}
	unlock, err := lock(ctx, out, o.Log)
	if err != nil {
		return nil, err
	}
	defer unlock()
	// Holding the lock, no other build writes here: staging folders left
	// behind belong to builds that were killed.
	removeStaleStages(out)
	// Every destination is checked before anything is built, so that a
	// path that cannot be replaced fails the build with nothing written.
	if err := checkDestinations(out, o.Out, targets); err != nil {
		return nil, err
	}

	stage, err := os.MkdirTemp(out, stagePrefix)
	if err != nil {
		return nil, fmt.Errorf("creating staging directory: %w", err)
	}
	defer os.RemoveAll(stage)

	// Cached artifacts are kept per toolchain and platform: builds for
	// two platforms do not evict each other's.
	toolTarget := env.GOVERSION + " " + env.GOOS + "/" + env.GOARCH
	prog.setTotal(len(targets))
	b := &run{
		o: o, g: g.With(buildEnv...), out: out, stage: stage, overlay: overlay,
		args: append(slices.Clone(modArgs), flags...), slotKey: slotKey(ws.Root, toolTarget, flags),
		progress: prog, described: map[*target]described{},
	}
	if o.CacheDir != "off" {
		b.shared, b.configKey = cacheprog.NewStore(env.GOCACHEPROG, b.g.Env), slotKey("", toolTarget, flags)
	}
	defer func() {
		if err := b.shared.Close(); err != nil {
			fmt.Fprintf(o.Log, "warning: the artifacts were not shared through GOCACHEPROG (%v); the build itself is complete\n", err)
		}
	}()
	b.prev, _ = manifest.Read(filepath.Join(out, manifest.FileName))
	// Vet runs beside the compilers; when it fails, they are stopped.
	// It starts once the hosts and the first plugin are built: their
	// packages are then in the build cache, in exe and plugin mode, where
	// vet (loading export data the way the build compiles it) finds them
	// instead of compiling them a second time at once on a cold cache.
	buildCtx, cancelBuild := context.WithCancel(ctx)
	defer cancelBuild()
	b.compiled = make(chan struct{})
	gateErr := make(chan error, 1)
	go func() {
		select {
		case <-b.compiled:
		case <-buildCtx.Done():
		}
		err := func() error {
			// The contract for the manifest, beside the plugin builds; for
			// vet of a build for a released host, the host's, not the
			// module's own.
			if o.Vet == nil || fh != nil {
				if resolve(); contractErr != nil || o.Vet == nil {
					return contractErr
				}
			}
			key := ""
			if srcKey != "" {
				key = buildSetID(env.GOVERSION, env.GOOS, env.GOARCH, append(slices.Clone(flags), "src="+srcKey, "api="+o.APIPackage, fmt.Sprintf("expect=%q", o.Expect)), ws)
			}
			if fh != nil { // vet reads the source with the local toolchain, not the host's
				return o.runVet(ctx, given, key, nil, resolved)
			}
			// Vet resolves the contract through the project, beside its
			// own loading: the build shares that one resolution.
			return o.runVet(ctx, given, key, p, nil)
		}()
		if err != nil {
			cancelBuild()
		}
		gateErr <- err
	}()
	relinked, err := b.buildAll(buildCtx, targets)
	b.progress.done()
	if gerr := <-gateErr; gerr != nil {
		return nil, gerr
	}
	if err != nil {
		if fh != nil {
			return nil, fh.explainCompile(err)
		}
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var forRecord *manifest.HostRecord
	if fh != nil {
		if err := fh.check(stage, targets); err != nil {
			return nil, err
		}
		forRecord = fh.record()
	}
	m := &manifest.Manifest{
		Schema: manifest.Schema, PluginctlVersion: o.Version, BuildSet: base.BuildSet,
		GoVersion: env.GOVERSION, GOOS: env.GOOS, GOARCH: env.GOARCH, Flags: flags,
		ForHost: forRecord,
	}
	for _, mf := range ws.Mods {
		m.Modules = append(m.Modules, mf.Module.Mod.Path)
	}
	r := resolve()
	if contractErr != nil {
		return nil, contractErr
	}
	if r != nil {
		m.Contract = &manifest.Contract{API: r.API, From: r.From, Source: r.Source, Contract: r.Contract}
	}
	// From here on nothing is cancelled: the set is replaced as a whole.
	if err := b.commit(m, targets); err != nil {
		return nil, err
	}
	return &Result{
		Manifest: m, ManifestPath: filepath.Join(out, manifest.FileName), Project: p, Contract: r, Files: b.written,
		Relinked: relinked, Warnings: warnings,
	}, nil
}

func (o *Options) defaults() error {
	if o.Dir == "" {
		wd, err := os.Getwd()
		if err != nil {
			return err
		}
		o.Dir = wd
	}
	if len(o.Patterns) == 0 {
		o.Patterns = []string{"./..."}
	}
	if o.Out == "" {
		o.Out = "bin"
	}
	if o.Jobs <= 0 {
		o.Jobs = runtime.NumCPU()
	}
	if o.Go == nil {
		o.Go = &gocmd.Go{}
	}
	if o.Go.Dir == "" {
		g := *o.Go
		g.Dir = o.Dir
		o.Go = &g
	}
	if o.CacheDir == "" {
		o.CacheDir = cachedir.For(cachedir.Artifacts)
		if o.CacheDir == "" {
			o.CacheDir = "off"
		}
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	return nil
}

// modFlag keeps go build from ever writing go.mod or go.sum.
func modFlag(ws *workspace) string {
	if ws.Vendor {
		return "-mod=vendor"
	}
	return "-mod=readonly"
}

// checkGOFLAGS refuses GOFLAGS settings that would make the artifacts of one
// set differ from what pluginctl records, or let go rewrite go.mod.
func checkGOFLAGS(goflags string) error {
	for _, f := range strings.Fields(goflags) {
		name, _, _ := strings.Cut(strings.TrimLeft(f, "-"), "=")
		switch name {
		case "buildmode", "linkshared", "overlay", "o", "modfile", "pgo":
			return &EnvError{Msg: fmt.Sprintf("GOFLAGS sets %s, which pluginctl controls itself", f), Fix: "unset it from GOFLAGS (go env -u GOFLAGS, or GOFLAGS= pluginctl build ...)"}
		case "mod":
			if strings.HasSuffix(f, "=mod") {
				return &EnvError{Msg: "GOFLAGS sets -mod=mod, which would let go rewrite go.mod and go.sum", Fix: "unset it (GOFLAGS= pluginctl build ...); pluginctl builds with -mod=readonly"}
			}
		}
	}
	return nil
}

// envBuildFlags are the flags of GOFLAGS that change what go build
// produces (tags, race, sanitizers, compiler and linker flags, trimpath),
// in their order; the others (-mod, -buildvcs, -p, ...) are left out.
func envBuildFlags(goflags string) []string {
	var out []string
	for _, f := range strings.Fields(goflags) {
		name, _, _ := strings.Cut(strings.TrimLeft(f, "-"), "=")
		switch name {
		case "tags", "race", "msan", "asan", "gcflags", "ldflags", "asmflags", "trimpath", "installsuffix", "cover", "covermode":
			out = append(out, f)
		}
	}
	return out
}

// checkCC reports a missing C compiler up front: plugins need cgo.
func checkCC(cc string) error {
	name := strings.Fields(cc)
	if len(name) == 0 {
		name = []string{"gcc"}
	}
	if _, err := exec.LookPath(name[0]); err != nil {
		return &EnvError{
			Msg: fmt.Sprintf("no C compiler: %q not found (CC=%s); Go plugins need cgo", name[0], cc),
			Fix: "install one (e.g. apt-get install gcc) or point CC at it",
		}
	}
	return nil
}

// checkTargets refuses an empty selection and two artifacts with one name.
func checkTargets(ts []*target, patterns []string) error {
	if len(ts) == 0 {
		return &EnvError{
			Msg: fmt.Sprintf("no plugins or hosts found in %s", strings.Join(patterns, " ")),
			Fix: "a plugin is a package main without func main, or one that declares New or a symbol the hosts look up; a host is a package main with func main that links \"plugin\" (pluginctl help project); or name them with --plugins and --hosts",
		}
	}
	byName := map[string]*target{}
	for _, t := range ts {
		key := string(t.Kind) + "/" + t.Name
		if t.Kind == Host && t.Name == "plugins" {
			return &EnvError{Msg: fmt.Sprintf("host %s would be written to <out>/plugins, the plugins directory", t.ImportPath), Fix: "rename its directory"}
		}
		if prev, ok := byName[key]; ok {
			return &EnvError{
				Msg: fmt.Sprintf("two %ss would both be written as %s: %s and %s", t.Kind, artifactRel(t), prev.ImportPath, t.ImportPath),
				Fix: "rename one of the directories, or leave one out with --plugins/--hosts",
			}
		}
		byName[key] = t
	}
	return nil
}

// vcsInfo returns the checkout's revision and whether it has local changes,
// as the go command decides it for the build info's vcs.modified (any
// output of git status --porcelain, untracked files included), so that
// the metadata and the build info agree.
func vcsInfo(ctx context.Context, dir string) (string, bool) {
	rev, err := exec.CommandContext(ctx, "git", "-C", dir, "rev-parse", "HEAD").Output()
	if err != nil {
		return "", false
	}
	st, err := exec.CommandContext(ctx, "git", "-C", dir, "status", "--porcelain").Output()
	return strings.TrimSpace(string(rev)), err != nil || len(bytes.TrimSpace(st)) > 0
}

var errNoMetadata = errors.New("artifact carries no pluginctl metadata")

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

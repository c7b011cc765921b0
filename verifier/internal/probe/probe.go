// Package probe builds and runs the probe of pluginctl's dynamic check: a
// generated Go program that opens plugins in a separate process with
// exactly the host's package set, build flags and toolchain.
//
// Build reads the host binary's build info, finds the host's main package
// in the source checkout with `go list`, and builds a main package placed
// in a subdirectory of the host's that exists only in a `go build
// -overlay`: it blank-imports every package the host's main package
// imports, so its transitive package set is the host's, plus the few
// standard library packages it needs (os, plugin, runtime, and fmt or
// reflect only if the host links them). It is built into a cache directory
// once per host binary and reused. Before the probe is trusted, its build
// info and package fingerprints are compared with the host's; any
// difference is an *EnvError, never a silent wrong verdict.
//
// Run starts one probe process on a list of plugins: in its own process
// group, with a scrubbed environment, resource limits, a timeout and
// bounded output buffers, and reads its authenticated report (see wire.go
// for the protocol).
package probe

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"debug/buildinfo"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/pluginctl/pluginctl/internal/cachedir"
	"github.com/pluginctl/pluginctl/internal/cacheprog"
	"github.com/pluginctl/pluginctl/internal/fsutil"
	"github.com/pluginctl/pluginctl/internal/gocmd"
	"github.com/pluginctl/pluginctl/internal/project"
	"github.com/pluginctl/pluginctl/internal/released"
	"github.com/pluginctl/pluginctl/internal/sumcache"
)

// dirName is the name of the overlay-only directory of the probe's main
// package, below the host's main package directory.
const dirName = "pluginctl_probe"

//go:embed main.go.tmpl
var mainTemplate string

//go:embed wire.go
var wireSource string

//go:embed supervisor_linux.go
var supervisorSource string

//go:embed tree_linux.go
var treeSource string

//go:embed box_linux.go
var boxSource string

// probeFiles are the files of package probe compiled into every probe
// program too, as package main.
func probeFiles() map[string][]byte {
	files := map[string][]byte{}
	for name, src := range map[string]string{"wire.go": wireSource, "supervisor_linux.go": supervisorSource, "tree_linux.go": treeSource, "box_linux.go": boxSource} {
		files[name] = []byte(strings.Replace(src, "package probe", "package main", 1))
	}
	return files
}

// writeFiles writes files into dir, each unless it holds it already.
func writeFiles(dir string, files map[string][]byte) error {
	for name, data := range files {
		if err := writeIfChanged(filepath.Join(dir, name), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// cacheDir is where probes are built: CacheDir, else the user's cache.
func (cfg Config) cacheDir() (string, error) {
	if d := cmp.Or(cfg.CacheDir, cachedir.For(cachedir.Probe)); d != "" {
		return d, nil
	}
	return "", &EnvError{Host: cfg.Host, Msg: "no cache directory for the probe", Fix: "set $HOME or $XDG_CACHE_HOME, or PLUGINCTL_CACHE"}
}

// typeRules versions the rules of classifyTypes and markUncompilable
// (what a probe records about the contract's types): change it with them.
const typeRules = "types-1"

// generatorVersion changes whenever the generated program or what Build
// records about it changes, so that cached probes of an older pluginctl
// are rebuilt.
var generatorVersion = sync.OnceValue(func() string {
	return hashOf(mainTemplate, wireSource, supervisorSource, treeSource, boxSource, typeRules)[:16]
})

// apiAndTypes returns the API package (project.API's default when unset) and
// the contract's types, sorted and without duplicates: what a probe is
// built for.
func (cfg Config) apiAndTypes() (string, []string) {
	return project.API(cfg.APIPackage), slices.Compact(slices.Sorted(slices.Values(cfg.Types)))
}

// Config says which host to mirror and where its source is.
type Config struct {
	// Host is the host binary.
	Host string
	// SrcDir is the source checkout the host was built from: the
	// directory `go list` and `go build` run in (go.work aware). ""
	// means Go.Dir, else the current directory.
	SrcDir string
	// Go runs the go command; nil means the go on PATH.
	Go *gocmd.Go
	// APIPackage is the shared API package; "" means project.API's default.
	APIPackage string
	// CacheDir holds the built probes; "" means
	// cachedir.For(cachedir.Probe).
	CacheDir string
	// Types are the types of the host's contract (canonical type strings,
	// see package contract) that runs may assert: each is compiled into
	// the probe as a comma-ok type assertion, the way the host writes it,
	// when the host can assert it at all (see TypeCheck).
	Types []string
}

// TypeCheck is one type of Config.Types as the probe has it.
type TypeCheck struct {
	// Type is the canonical type string.
	Type string
	// Go is the type as the probe's source writes it, with the import
	// names of Imports; "" when Reason is set.
	Go string `json:",omitempty"`
	// Imports are the packages the type mentions.
	Imports []string `json:",omitempty"`
	// Reason says why the host cannot assert the type, so that the probe
	// does not either: it mentions a package the host does not link, its
	// package main, an internal or vendored package, an unexported name,
	// or it is not a type the host's package set has. "" when the probe
	// asserts it.
	Reason string `json:",omitempty"`
}

// EnvError says that the dynamic check cannot run for this host: the
// host's source is not the checkout, the toolchain is missing, the probe
// does not mirror the host. Nothing was verified.
type EnvError struct {
	Host string
	// Msg says what is wrong, Fix what to do about it.
	Msg string
	Fix string
	// Err is the underlying error, if any.
	Err error
	// NoSource: the host's source is not where the probe was to be built
	// (its main package or module is not there; a checkout of it that
	// differs from the host is no NoSource): BuildReleased may still
	// mirror the host from its build info.
	NoSource bool
}

func (e *EnvError) Error() string {
	s := "dynamic check of plugins for host " + e.Host + ": " + e.Msg
	if e.Fix != "" {
		s += "; " + e.Fix
	}
	return s
}

func (e *EnvError) Unwrap() error { return e.Err }

const staticFix = "or use `pluginctl verify --static`"

// Probe is a built probe that mirrors one host binary.
type Probe struct {
	// Path is the probe binary.
	Path string
	// Host is the host binary it mirrors; HostInfo its build info.
	Host     string
	HostInfo *buildinfo.BuildInfo
	// Package is the host's main package; Dir its directory.
	Package string
	Dir     string
	// APIPackage is the API package when the host links it, else "".
	APIPackage string
	// ProbeImports are what the probe imports by name.
	ProbeImports []string
	// Source is the generated main.go; ProbePackage the probe's import
	// path (a directory that exists only in the overlay file Overlay).
	Source       []byte
	ProbePackage string
	Overlay      string
	// BuildFlags are what the probe was built with.
	BuildFlags []string
	// Toolchain is the GOTOOLCHAIN the probe was built with ("" for the
	// local go command).
	Toolchain string
	// BuildTime is how long `go build` took (a no-op when cached).
	BuildTime time.Duration
	// Types are the contract's types (Config.Types, sorted, without
	// duplicates), each with how the probe asserts it, or why it cannot.
	Types []TypeCheck
	// Released is set when the probe was built from the host's build
	// info alone (BuildReleased), not from its source.
	Released *Released `json:",omitempty"`
	// launcher is the script that runs the probe of a host of another
	// platform under its emulator (see Emulate).
	launcher string
}

// sanitized reports whether the host was built with -race, -msan or
// -asan: no address space limit for the children then.
func (p *Probe) sanitized() bool {
	s := settingsOf(p.HostInfo)
	return s["-race"] == "true" || s["-msan"] == "true" || s["-asan"] == "true"
}

// TypeIndex returns the index of the canonical type typ in p.Types, or -1.
func (p *Probe) TypeIndex(typ string) int {
	return slices.IndexFunc(p.Types, func(t TypeCheck) bool { return t.Type == typ })
}

// listed is the part of `go list -json` Build reads.
type listed struct {
	ImportPath string
	Dir        string
	Name       string
	Imports    []string
	Deps       []string
	Module     *struct{ Path, Dir, GoMod string }
	Error      *struct{ Err string }
	DepsErrors []*struct{ Err string }
}

// Build builds (or reuses) the probe for cfg.Host and checks that it
// mirrors the host. Errors that make the dynamic check impossible are
// *EnvError.
func Build(ctx context.Context, cfg Config) (*Probe, error) {
	host, err := filepath.Abs(cfg.Host)
	if err != nil {
		return nil, err
	}
	envErr := func(err error, fix, format string, args ...any) *EnvError {
		return &EnvError{Host: cfg.Host, Msg: fmt.Sprintf(format, args...), Fix: fix, Err: err}
	}
	apiPkg, types := cfg.apiAndTypes()
	typesKey := hashOf(types...)
	g := cfg.Go
	if g == nil {
		g = &gocmd.Go{}
	}
	g = &gocmd.Go{Binary: g.Binary, Dir: g.Dir, Env: g.Env}
	if cfg.SrcDir != "" {
		g.Dir = cfg.SrcDir
	}
	if g.Dir == "" {
		if g.Dir, err = os.Getwd(); err != nil {
			return nil, err
		}
	}

	cacheDir, err := cfg.cacheDir()
	if err != nil {
		return nil, err
	}
	// A probe validated for this very host file (same device, inode,
	// size, modification and change time: any write changes the change
	// time) is reused without reading the host again.
	var byID string
	if id, ok := sumcache.Identity(host); ok {
		byID = filepath.Join(cacheDir, "validated", validatedKey(hashOf(id), g, apiPkg, typesKey)+".id.json")
		if p, ok := loadValidated(byID); ok {
			p.Host = host
			return p, nil
		}
	}

	hostData, err := os.ReadFile(host)
	if err != nil {
		return nil, envErr(err, "", "reading the host binary: %v", err)
	}
	sum := sha256.Sum256(hostData)
	hostSum := hex.EncodeToString(sum[:])
	bi, err := buildinfo.Read(bytes.NewReader(hostData))
	if err != nil {
		return nil, envErr(err, "give the Go program that loads the plugins with --host", "the host is not a Go program with build info: %v", err)
	}
	settings := settingsOf(bi)
	switch {
	case bi.Path == "" || bi.Path == "command-line-arguments" || strings.HasPrefix(bi.Path, "command-line-arguments"):
		return nil, envErr(nil, "build the host from its package path with `pluginctl build`, "+staticFix,
			"the host was built from a list of files, not a package: its source cannot be found again")
	case settings["CGO_ENABLED"] != "1":
		return nil, envErr(nil, "build the host with CGO_ENABLED=1 (`pluginctl build` does)",
			"the host was built with CGO_ENABLED=0: its plugin.Open always fails with \"plugin: not implemented\", it cannot load any plugin")
	case settings["-compiler"] != "" && settings["-compiler"] != "gc":
		return nil, envErr(nil, staticFix, "the host was built with -compiler=%s; only gc hosts can be mirrored", settings["-compiler"])
	}
	if g, err = forTarget(cfg.Host, settings, g); err != nil { // another platform's (emulate.go)
		return nil, err
	}

	// A probe that was built and found to mirror this exact host binary
	// stays a mirror as long as neither file changes: reuse it without
	// running go list and go build again.
	validated := filepath.Join(cacheDir, "validated", validatedKey(hostSum, g, apiPkg, typesKey)+".json")
	if p, ok := loadValidated(validated); ok {
		p.Host = host
		if byID != "" {
			storeValidated(byID, p)
		}
		return p, nil
	}

	// The toolchain: the host's, unless the local go command is it.
	local, err := g.ReadEnv(ctx)
	if err != nil {
		return nil, envErr(err, "install Go, "+staticFix, "no usable go command: %v", err)
	}
	hostGo, _, _ := strings.Cut(bi.GoVersion, " ")
	var toolchain string
	if hostGo != local.GOVERSION {
		if !strings.HasPrefix(hostGo, "go1.") {
			return nil, envErr(nil, "build the host with a released toolchain, "+staticFix,
				"the host was built by %s, which GOTOOLCHAIN cannot select (local go is %s)", bi.GoVersion, local.GOVERSION)
		}
		toolchain = hostGo
	}

	// The environment and flags that reproduce the host's build.
	env := []string{"GOFLAGS=", "CGO_ENABLED=1", "GOEXPERIMENT=" + settings["GOEXPERIMENT"], "GOTOOLCHAIN=" + cmp.Or(toolchain, "local")}
	var flags []string
	// The boolean flags are always given, so that the command line wins
	// over GOFLAGS from the go env file (an empty GOFLAGS in the
	// environment does not hide it). A string flag in GOFLAGS that the
	// host did not have shows in the mirror check.
	for _, k := range []string{"-race", "-msan", "-asan", "-trimpath"} {
		flags = append(flags, fmt.Sprintf("%s=%v", k, settings[k] == "true"))
	}
	for _, k := range slices.Sorted(maps.Keys(settings)) {
		v := settings[k]
		switch {
		case k == "-compiler" || k == "DefaultGODEBUG" || k == "vcs" || strings.HasPrefix(k, "vcs."):
		case k == "CGO_ENABLED" || k == "GOEXPERIMENT":
		case k == "-race" || k == "-msan" || k == "-asan" || k == "-trimpath":
		case strings.HasPrefix(k, "-"):
			if v == "true" {
				flags = append(flags, k)
			} else if v != "false" {
				flags = append(flags, k+"="+v)
			}
		case released.IsEnvName(k):
			env = append(env, k+"="+v)
		}
	}
	if _, ok := settings["-pgo"]; !ok {
		flags = append(flags, "-pgo=off") // no default.pgo of the probe's directory
	}
	flags = append(flags, "-buildvcs=false")
	g = g.With(env...)

	// The host's main package in this checkout.
	listArgs := []string{"-e", "-json=ImportPath,Dir,Name,Imports,Deps,Module,Error,DepsErrors"}
	if t := settings["-tags"]; t != "" {
		listArgs = append(listArgs, "-tags="+t)
	}
	out, err := g.Output(ctx, "list", append(listArgs, bi.Path)...)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		e := envErr(err, "run pluginctl in the checkout the host was built from (or give its directory), "+staticFix,
			"cannot find the host's main package %s from %s: %v", bi.Path, g.Dir, err)
		e.NoSource = true
		return nil, e
	}
	var lp listed
	if err := json.Unmarshal(out, &lp); err != nil {
		return nil, envErr(err, "", "decoding go list output: %v", err)
	}
	notFrom := func(what string) *EnvError {
		return envErr(nil, "rebuild it with `pluginctl build`, "+staticFix,
			"the host binary %s was not built from this checkout (%s)", cfg.Host, what)
	}
	switch {
	case lp.Error != nil:
		e := envErr(nil, "run pluginctl in the checkout the host was built from (or give its directory), "+staticFix,
			"the host's main package %s is not in the checkout at %s: %s", bi.Path, g.Dir, firstLine(lp.Error.Err))
		e.NoSource = true
		return nil, e
	case len(lp.DepsErrors) > 0:
		return nil, envErr(nil, "fix the checkout so that the host builds, "+staticFix,
			"the host's main package %s does not build in %s: %s", bi.Path, g.Dir, firstLine(lp.DepsErrors[0].Err))
	case lp.Name != "main":
		return nil, notFrom(fmt.Sprintf("%s is package %s here, not a main package", bi.Path, lp.Name))
	case lp.Module == nil || lp.Module.Path != bi.Main.Path:
		mod := "no module"
		if lp.Module != nil {
			mod = "module " + lp.Module.Path
		}
		e := notFrom(fmt.Sprintf("%s is in %s here, the host was built in module %s", bi.Path, mod, bi.Main.Path))
		e.NoSource = true // another module's package of that path: the host's source is elsewhere
		return nil, e
	}
	if !slices.Contains(lp.Deps, "plugin") {
		return nil, envErr(nil, "give the program that loads the plugins with --host",
			"the host does not link package plugin: it cannot load Go plugins")
	}
	flags = append(flags, "-mod="+modFlag(local.GOWORK, lp.Module.Dir))

	// The probe's source.
	tcs := classifyTypes(types, lp)
	gen, err := generate(bi, lp, apiPkg, tcs)
	if err != nil {
		return nil, err
	}
	p := &Probe{
		Host: host, HostInfo: bi, Package: lp.ImportPath, Dir: lp.Dir,
		ProbeImports: gen.named, Source: gen.src,
		BuildFlags: flags, Toolchain: toolchain,
		Types: tcs,
	}
	if slices.Contains(lp.Deps, apiPkg) {
		p.APIPackage = apiPkg
	}

	// The cache entry: one per host binary (by content: a copy of it
	// elsewhere shares it), checkout directory and generator.
	key := hashOf(hostSum, lp.Dir, apiPkg, generatorVersion(), local.GOROOT, local.GOVERSION, typesKey)
	entry := filepath.Join(cacheDir, key[:24])
	prune(cacheDir, entry)
	unlock, err := lockEntry(ctx, cfg.Host, entry)
	if err != nil {
		return nil, err
	}
	defer unlock()

	// Nothing is written to the source tree: the probe's directory exists
	// only in the overlay.
	probeDir, probePkg, err := overlayDir(lp.Dir, lp.ImportPath)
	if err != nil {
		return nil, envErr(err, "", "%v", err)
	}
	overlay := struct{ Replace map[string]string }{Replace: map[string]string{
		filepath.Join(probeDir, "main.go"): filepath.Join(entry, "main.go"),
	}}
	files := probeFiles()
	for name := range files {
		overlay.Replace[filepath.Join(probeDir, name)] = filepath.Join(entry, name)
	}
	files["overlay.json"], _ = json.Marshal(overlay)
	if err := writeFiles(entry, files); err != nil {
		return nil, envErr(err, "", "writing the probe source: %v", err)
	}
	p.Path = filepath.Join(entry, "probe")
	p.ProbePackage, p.Overlay = probePkg, filepath.Join(entry, "overlay.json")
	buildArgs := append([]string{"-overlay=" + filepath.Join(entry, "overlay.json"), "-o", p.Path}, flags...)
	buildArgs = append(buildArgs, probePkg)
	start := time.Now()
	// With GOCACHEPROG (a cache shared by a fleet), a probe linked on
	// another machine seeds this one: go build keeps it when its build ID
	// is the one it would link.
	store := cacheprog.NewStore(local.GOCACHEPROG, g.Env)
	defer store.Close() // only a cache: its failures cost a link
	storeKey := cacheprog.Key("probe", hostSum, lp.ImportPath, apiPkg, generatorVersion(), local.GOVERSION, typesKey)
	before, err := os.Stat(p.Path)
	if err != nil {
		// The cache program's files are not executable: the seed is.
		if src := store.Get(storeKey); src != "" && fsutil.Clone(src, p.Path) == nil && os.Chmod(p.Path, 0o755) == nil {
			before, _ = os.Stat(p.Path)
		}
	}
	// A contract type that does not compile in the host's package set
	// (a declared type the package lacks, a generic type without its type
	// arguments) is not one the host asserts: it is marked so, and the
	// probe built without it.
	for attempt := 0; ; attempt++ {
		if err := writeIfChanged(filepath.Join(entry, "main.go"), gen.src, 0o644); err != nil {
			return nil, envErr(err, "", "writing the probe source: %v", err)
		}
		_, err := g.Output(ctx, "build", buildArgs...)
		if err == nil {
			break
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		var ge *gocmd.Error
		if attempt < 8 && errors.As(err, &ge) && markUncompilable(tcs, gen.lines, ge.Stderr) {
			if gen, err = generate(bi, lp, apiPkg, tcs); err != nil {
				return nil, err
			}
			p.Source, p.ProbeImports = gen.src, gen.named
			continue
		}
		fix := staticFix
		if toolchain != "" {
			fix = "make the host's toolchain " + toolchain + " available (GOTOOLCHAIN=" + toolchain + " go version), " + staticFix
		}
		return nil, envErr(err, fix, "building the probe for the host's package set failed: %v", err)
	}
	p.BuildTime = time.Since(start)
	if after, err := os.Stat(p.Path); err == nil && (before == nil || !os.SameFile(before, after)) {
		store.Put(storeKey, p.Path) // linked here: share it
	}

	if diffs, err := mirrorDiffs(host, p.Path); err != nil {
		return nil, envErr(err, "", "reading the probe back: %v", err)
	} else if len(diffs) > 0 {
		return nil, notFrom(strings.Join(diffs, "; "))
	}
	storeValidated(validated, p) // best effort: only a cache
	if byID != "" {
		storeValidated(byID, p)
	}
	return p, nil
}

// firstLine is the first line of a go command's error, without its
// advice to edit go.mod (pluginctl never does).
func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	s = strings.TrimSuffix(s, ":")
	return strings.TrimSuffix(s, "; to add it")
}

// modFlag is -mod=vendor when the module (or workspace) vendors its
// dependencies, else -mod=readonly: the probe build never edits go.mod.
func modFlag(gowork, moduleDir string) string {
	root := moduleDir
	if gowork != "" && gowork != "off" {
		root = filepath.Dir(gowork)
	}
	if _, err := os.Stat(filepath.Join(root, "vendor", "modules.txt")); err == nil {
		return "vendor"
	}
	return "readonly"
}

// overlayDir picks the probe's directory below the host's main package
// directory: one that does not exist on disk.
func overlayDir(dir, importPath string) (string, string, error) {
	for i := 0; i < 100; i++ {
		name := dirName
		if i > 0 {
			name = fmt.Sprintf("%s%d", dirName, i)
		}
		d := filepath.Join(dir, name)
		if _, err := os.Lstat(d); errors.Is(err, os.ErrNotExist) {
			return d, importPath + "/" + name, nil
		}
	}
	return "", "", fmt.Errorf("no free directory name for the probe below %s", dir)
}

// compileErrorRE matches a compile error in the probe's main.go.
var compileErrorRE = regexp.MustCompile(`(?m)(?:^|[\s/])main\.go:(\d+)(?::\d+)?: (.*)$`)

// pruneAge is how long a probe that no run has used stays in the cache.
const pruneAge = 14 * 24 * time.Hour

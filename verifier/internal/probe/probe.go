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
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/pluginctl/pluginctl/internal/cachedir"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"text/template"
	"time"

	"debug/buildinfo"

	"github.com/pluginctl/pluginctl/internal/artifact"
	"github.com/pluginctl/pluginctl/internal/contract"
	"github.com/pluginctl/pluginctl/internal/gocmd"
	"github.com/pluginctl/pluginctl/pluginapi"
)

// DefaultAPIPackage is the API package of the pluginapi convention.
const DefaultAPIPackage = pluginapi.ImportPath

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

// probeFiles are the files of package probe compiled into every probe
// program too, as package main.
func probeFiles() map[string]string {
	return map[string]string{"wire.go": wireSource, "supervisor_linux.go": supervisorSource, "tree_linux.go": treeSource}
}

// typeRules versions the rules of classifyTypes and markUncompilable
// (what a probe records about the contract's types): change it with them.
const typeRules = "types-1"

// generatorVersion changes whenever the generated program or what Build
// records about it changes, so that cached probes of an older pluginctl
// are rebuilt.
var generatorVersion = func() string {
	h := sha256.Sum256([]byte(mainTemplate + "\x00" + wireSource + "\x00" + supervisorSource + "\x00" + treeSource + "\x00" + typeRules))
	return hex.EncodeToString(h[:8])
}()

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
	// APIPackage is the shared API package; "" means DefaultAPIPackage.
	APIPackage string
	// CacheDir holds the built probes; "" means
	// os.UserCacheDir()/pluginctl/probe.
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
	// HostDeps are the packages the host's main package depends on
	// (go list -deps), ProbeImports what the probe imports by name.
	HostDeps     []string
	ProbeImports []string
	// Source is the generated main.go; ProbePackage the probe's import
	// path (a directory that exists only in the overlay file Overlay).
	Source       []byte
	ProbePackage string
	Overlay      string
	// BuildFlags and BuildEnv are what the probe was built with.
	BuildFlags []string
	BuildEnv   []string
	// Toolchain is the GOTOOLCHAIN the probe was built with ("" for the
	// local go command).
	Toolchain string
	// BuildTime is how long `go build` took (a no-op when cached).
	BuildTime time.Duration
	// Sanitizer is true when the host was built with -race, -msan or
	// -asan: no address space limit for the children then.
	Sanitizer bool
	// Types are the contract's types (Config.Types, sorted, without
	// duplicates), each with how the probe asserts it, or why it cannot.
	Types []TypeCheck
	// Released is set when the probe was built from the host's build
	// info alone (BuildReleased), not from its source.
	Released *Released `json:",omitempty"`
}

// TypeIndex returns the index of the canonical type typ in p.Types, or -1.
func (p *Probe) TypeIndex(typ string) int {
	for i, t := range p.Types {
		if t.Type == typ {
			return i
		}
	}
	return -1
}

// listed is the part of `go list -json` Build reads.
type listed struct {
	ImportPath     string
	Dir            string
	Name           string
	Imports        []string
	Deps           []string
	DefaultGODEBUG string
	Module         *struct{ Path, Dir, GoMod string }
	Error          *struct{ Err string }
	DepsErrors     []*struct{ Err string }
	Incomplete     bool
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
	apiPkg := cfg.APIPackage
	if apiPkg == "" {
		apiPkg = DefaultAPIPackage
	}
	types := slices.Clone(cfg.Types)
	slices.Sort(types)
	types = slices.Compact(types)
	typesSum := sha256.Sum256([]byte(strings.Join(types, "\x00")))
	typesKey := hex.EncodeToString(typesSum[:])
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

	cacheDir := cfg.CacheDir
	if cacheDir == "" {
		if cacheDir = cachedir.For(cachedir.Probe); cacheDir == "" {
			return nil, envErr(nil, "set $HOME or $XDG_CACHE_HOME, or PLUGINCTL_CACHE", "no cache directory for the probe")
		}
	}
	// A probe validated for this very host file (same device, inode,
	// size, modification and change time: any write changes the change
	// time) is reused without reading the host again.
	var byID string
	if id, ok := fileIdentity(host); ok {
		byID = filepath.Join(cacheDir, "validated", validatedKey(sha256.Sum256([]byte(id)), host, g, apiPkg, typesKey)+".id.json")
		if p, ok := loadValidated(byID); ok {
			return p, nil
		}
	}

	hostData, err := os.ReadFile(host)
	if err != nil {
		return nil, envErr(err, "", "reading the host binary: %v", err)
	}
	hostSum := sha256.Sum256(hostData)
	bi, err := buildinfo.Read(bytes.NewReader(hostData))
	if err != nil {
		return nil, envErr(err, "give the Go program that loads the plugins with --host", "the host is not a Go program with build info: %v", err)
	}
	settings := map[string]string{}
	for _, s := range bi.Settings {
		settings[s.Key] = s.Value
	}
	switch {
	case bi.Path == "" || bi.Path == "command-line-arguments" || strings.HasPrefix(bi.Path, "command-line-arguments"):
		return nil, envErr(nil, "build the host from its package path with `pluginctl build`, "+staticFix,
			"the host was built from a list of files, not a package: its source cannot be found again")
	case settings["CGO_ENABLED"] != "1":
		return nil, envErr(nil, "build the host with CGO_ENABLED=1 (`pluginctl build` does)",
			"the host was built with CGO_ENABLED=0: its plugin.Open always fails with \"plugin: not implemented\", it cannot load any plugin")
	case settings["-compiler"] != "" && settings["-compiler"] != "gc":
		return nil, envErr(nil, staticFix, "the host was built with -compiler=%s; only gc hosts can be mirrored", settings["-compiler"])
	case settings["GOOS"] != "" && settings["GOOS"] != runtime.GOOS, settings["GOARCH"] != "" && settings["GOARCH"] != runtime.GOARCH:
		return nil, envErr(nil, staticFix, "the host is built for %s/%s and cannot run on this %s/%s machine",
			settings["GOOS"], settings["GOARCH"], runtime.GOOS, runtime.GOARCH)
	}

	// A probe that was built and found to mirror this exact host binary
	// stays a mirror as long as neither file changes: reuse it without
	// running go list and go build again.
	validated := filepath.Join(cacheDir, "validated", validatedKey(hostSum, host, g, apiPkg, typesKey)+".json")
	if p, ok := loadValidated(validated); ok {
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
	env := []string{"GOFLAGS=", "CGO_ENABLED=1", "GOEXPERIMENT=" + settings["GOEXPERIMENT"]}
	if toolchain != "" {
		env = append(env, "GOTOOLCHAIN="+toolchain)
	} else {
		env = append(env, "GOTOOLCHAIN=local")
	}
	var flags []string
	var keys []string
	for k := range settings {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	// The boolean flags are always given, so that the command line wins
	// over GOFLAGS from the go env file (an empty GOFLAGS in the
	// environment does not hide it). A string flag in GOFLAGS that the
	// host did not have shows in the mirror check.
	for _, k := range []string{"-race", "-msan", "-asan", "-trimpath"} {
		flags = append(flags, fmt.Sprintf("%s=%v", k, settings[k] == "true"))
	}
	for _, k := range keys {
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
		case isEnvName(k):
			env = append(env, k+"="+v)
		}
	}
	if _, ok := settings["-pgo"]; !ok {
		flags = append(flags, "-pgo=off") // no default.pgo of the probe's directory
	}
	flags = append(flags, "-buildvcs=false")
	sanitizer := settings["-race"] == "true" || settings["-msan"] == "true" || settings["-asan"] == "true"
	g = g.With(env...)

	// The host's main package in this checkout.
	listArgs := []string{"-e", "-json=ImportPath,Dir,Name,Imports,Deps,DefaultGODEBUG,Module,Error,DepsErrors,Incomplete"}
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
	gen, err := generate(host, bi, lp, apiPkg, tcs)
	if err != nil {
		return nil, err
	}
	p := &Probe{
		Host: host, HostInfo: bi, Package: lp.ImportPath, Dir: lp.Dir,
		HostDeps: lp.Deps, ProbeImports: gen.named, Source: gen.src,
		BuildFlags: flags, BuildEnv: env, Toolchain: toolchain, Sanitizer: sanitizer,
		Types: tcs,
	}
	if slices.Contains(lp.Deps, apiPkg) {
		p.APIPackage = apiPkg
	}

	// The cache entry: one per host binary, checkout directory and
	// generator.
	key := sha256.Sum256([]byte(strings.Join([]string{
		hex.EncodeToString(hostSum[:]), host, lp.Dir, apiPkg, generatorVersion, local.GOROOT, local.GOVERSION, typesKey,
	}, "\x00")))
	entry := filepath.Join(cacheDir, hex.EncodeToString(key[:12]))
	prune(cacheDir, entry)
	if err := os.MkdirAll(entry, 0o755); err != nil {
		return nil, envErr(err, "", "creating the probe cache: %v", err)
	}
	unlock, err := lockDir(ctx, entry)
	if err != nil {
		return nil, envErr(err, "", "locking the probe cache: %v", err)
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
	files := map[string][]byte{}
	for name, src := range probeFiles() {
		overlay.Replace[filepath.Join(probeDir, name)] = filepath.Join(entry, name)
		files[name] = []byte(strings.Replace(src, "package probe", "package main", 1))
	}
	ovl, _ := json.Marshal(overlay)
	files["overlay.json"] = ovl
	for name, data := range files {
		if err := writeIfChanged(filepath.Join(entry, name), data); err != nil {
			return nil, envErr(err, "", "writing the probe source: %v", err)
		}
	}
	p.Path = filepath.Join(entry, "probe")
	p.ProbePackage, p.Overlay = probePkg, filepath.Join(entry, "overlay.json")
	buildArgs := append([]string{"-overlay=" + filepath.Join(entry, "overlay.json"), "-o", p.Path}, flags...)
	buildArgs = append(buildArgs, probePkg)
	start := time.Now()
	// A contract type that does not compile in the host's package set
	// (a declared type the package lacks, a generic type without its type
	// arguments) is not one the host asserts: it is marked so, and the
	// probe built without it.
	for attempt := 0; ; attempt++ {
		if err := writeIfChanged(filepath.Join(entry, "main.go"), gen.src); err != nil {
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
			if gen, err = generate(host, bi, lp, apiPkg, tcs); err != nil {
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

// validatedKey names the record of a probe checked against one host
// binary (by content), from one checkout, go command and generator.
func validatedKey(hostSum [32]byte, host string, g *gocmd.Go, apiPkg, typesKey string) string {
	k := sha256.Sum256([]byte(strings.Join([]string{
		hex.EncodeToString(hostSum[:]), host, g.Dir, g.Binary, apiPkg, generatorVersion, typesKey,
	}, "\x00")))
	return hex.EncodeToString(k[:16])
}

// validatedProbe is the record: the probe, and the identity of its file
// when it was checked.
type validatedProbe struct {
	Probe *Probe
	Size  int64
	Mtime time.Time
	Ino   uint64
}

func fileID(path string) (int64, time.Time, uint64, bool) {
	fi, err := os.Stat(path)
	if err != nil {
		return 0, time.Time{}, 0, false
	}
	var ino uint64
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		ino = st.Ino
	}
	return fi.Size(), fi.ModTime(), ino, true
}

func storeValidated(record string, p *Probe) {
	size, mtime, ino, ok := fileID(p.Path)
	if !ok {
		return
	}
	data, err := json.Marshal(validatedProbe{Probe: p, Size: size, Mtime: mtime, Ino: ino})
	if err != nil || os.MkdirAll(filepath.Dir(record), 0o755) != nil {
		return
	}
	tmp := record + ".tmp"
	if os.WriteFile(tmp, data, 0o644) == nil {
		os.Rename(tmp, record)
	}
}

func loadValidated(record string) (*Probe, bool) {
	data, err := os.ReadFile(record)
	if err != nil {
		return nil, false
	}
	var v validatedProbe
	if json.Unmarshal(data, &v) != nil || v.Probe == nil {
		return nil, false
	}
	size, mtime, ino, ok := fileID(v.Probe.Path)
	if !ok || size != v.Size || !mtime.Equal(v.Mtime) || ino != v.Ino {
		return nil, false
	}
	v.Probe.BuildTime = 0
	return v.Probe, true
}

// firstLine is the first line of a go command's error, without its
// advice to edit go.mod (pluginctl never does).
func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	s = strings.TrimSuffix(s, ":")
	return strings.TrimSuffix(s, "; to add it")
}

// isEnvName tells build settings that are environment variables (GOARCH,
// GOAMD64, CGO_CFLAGS, ...).
func isEnvName(k string) bool {
	if k == "" {
		return false
	}
	for _, c := range k {
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
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

// templateData feeds main.go.tmpl.
type templateData struct {
	HostPath    string
	Name        string
	GoDebug     []string
	Fmt         bool
	Reflect     bool
	API         string
	Blank       []string
	TypeImports []typeImport
	Types       []templateType
}

// typeImport is a package the contract's types mention, imported by name.
type typeImport struct{ Name, Path string }

// templateType is one entry of the probe's assertion table.
type templateType struct {
	Type   string
	Func   string // the assertion function; "" when Reason is set
	Go     string
	Reason string
}

// generated is the probe's source.
type generated struct {
	src []byte
	// named are the packages the probe imports by name (beyond the
	// host's imports and the contract's types' packages).
	named []string
	// lines maps each line of an assertion function to its type (an
	// index into the TypeChecks), to blame compile errors.
	lines map[int]int
}

// assertFunc names the assertion function of type k.
func assertFunc(k int) string { return fmt.Sprintf("assertType%d", k) }

// generate returns the probe's main.go for the host and the contract's
// types tcs.
func generate(host string, bi *buildinfo.BuildInfo, lp listed, apiPkg string, tcs []TypeCheck) (*generated, error) {
	d := templateData{HostPath: host, Name: dirName}
	for _, s := range bi.Settings {
		if s.Key == "DefaultGODEBUG" && s.Value != "" {
			d.GoDebug = strings.Split(s.Value, ",")
		}
	}
	deps := map[string]bool{}
	for _, p := range lp.Deps {
		deps[p] = true
	}
	named := []string{"os", "plugin", "runtime", "syscall"}
	switch {
	case deps["fmt"]:
		d.Fmt = true
		named = append(named, "fmt")
	case deps["reflect"]:
		d.Reflect = true
		named = append(named, "reflect")
	}
	if deps[apiPkg] && apiPkg == pluginapi.ImportPath {
		// The convention code uses pluginapi's own types (NewFunc...);
		// a project's own API package is checked through the contract's
		// type assertions instead.
		d.API = apiPkg
		named = append(named, apiPkg)
	}
	blank := map[string]bool{}
	for _, imp := range lp.Imports {
		switch {
		case imp == "C":
			// cgo code links these; the host has them.
			for _, p := range []string{"runtime/cgo", "syscall", "unsafe"} {
				if deps[p] {
					blank[p] = true
				}
			}
		case strings.HasPrefix(imp, "vendor/"), imp == "unsafe" && !deps["unsafe"]:
		default:
			blank[imp] = true
		}
	}
	for _, n := range named {
		delete(blank, n)
	}
	for p := range blank {
		d.Blank = append(d.Blank, p)
	}
	sort.Strings(d.Blank)

	// The contract's types: only the packages of the assertable ones are
	// imported, each under the name typeImportName gives it.
	imports := map[string]bool{}
	for k, tc := range tcs {
		tt := templateType{Type: tc.Type, Reason: tc.Reason}
		if tc.Reason == "" {
			tt.Func, tt.Go = assertFunc(k), tc.Go
			for _, imp := range tc.Imports {
				imports[imp] = true
			}
		}
		d.Types = append(d.Types, tt)
	}
	for _, imp := range typeImportOrder(tcs) {
		if imports[imp.Path] {
			d.TypeImports = append(d.TypeImports, imp)
		}
	}

	t, err := template.New("main.go").Parse(mainTemplate)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, d); err != nil {
		return nil, err
	}
	src, err := format.Source(buf.Bytes())
	if err != nil {
		return nil, fmt.Errorf("internal error: generated probe does not parse: %v\n%s", err, buf.Bytes())
	}
	gen := &generated{src: src, named: named, lines: map[int]int{}}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "main.go", src, parser.SkipObjectResolution)
	if err != nil {
		return nil, fmt.Errorf("internal error: generated probe does not parse: %v", err)
	}
	funcs := map[string]int{}
	for k := range tcs {
		funcs[assertFunc(k)] = k
	}
	for _, decl := range f.Decls {
		if fd, ok := decl.(*ast.FuncDecl); ok {
			if k, ok := funcs[fd.Name.Name]; ok {
				for l := fset.Position(fd.Pos()).Line; l <= fset.Position(fd.End()).Line; l++ {
					gen.lines[l] = k
				}
			}
		}
	}
	return gen, nil
}

// typeImportOrder returns every package the types tcs mention, sorted,
// with the name the probe imports it under: ctype0, ctype1, ...
func typeImportOrder(tcs []TypeCheck) []typeImport {
	var paths []string
	for _, tc := range tcs {
		paths = append(paths, tc.Imports...)
	}
	slices.Sort(paths)
	paths = slices.Compact(paths)
	out := make([]typeImport, len(paths))
	for i, p := range paths {
		out[i] = typeImport{Name: fmt.Sprintf("ctype%d", i), Path: p}
	}
	return out
}

// classifyTypes decides, for each contract type, whether the host can
// assert it, and how the probe writes it. The probe may link no package
// the host does not link, so it imports a type's packages only when the
// host's package set (go list -deps of its main package) has them; a type
// that mentions another package cannot be asserted by the host either:
// the host would link every package whose types it names. Nor can a type
// of the host's own package main, of an internal package the host's main
// package may not import, of a vendored standard library package, or a
// type with an unexported name.
func classifyTypes(types []string, lp listed) []TypeCheck {
	deps := map[string]bool{}
	for _, d := range lp.Deps {
		deps[d] = true
	}
	tcs := make([]TypeCheck, len(types))
	for i, typ := range types {
		tc := TypeCheck{Type: typ}
		canon, err := contract.CanonicalType(typ)
		if err != nil {
			tc.Reason = err.Error()
			tcs[i] = tc
			continue
		}
		tc.Imports = contract.TypeImports(canon)
		for _, imp := range tc.Imports {
			if r := importProblem(imp, lp.ImportPath, deps); r != "" {
				tc.Reason = r
				break
			}
		}
		tcs[i] = tc
	}
	names := map[string]string{}
	for _, imp := range typeImportOrder(tcs) {
		names[imp.Path] = imp.Name
	}
	for i := range tcs {
		tc := &tcs[i]
		if tc.Reason != "" {
			continue
		}
		goSyntax, err := contract.GoSyntax(tc.Type, func(p string) string { return names[p] })
		if err != nil {
			tc.Reason = err.Error()
			continue
		}
		if r := unexportedName(goSyntax, names); r != "" {
			tc.Reason = r
			continue
		}
		tc.Go = goSyntax
	}
	return tcs
}

// importProblem says why a type of package imp cannot be asserted by the
// host whose main package is hostPkg and which links the packages deps,
// "" when it can.
func importProblem(imp, hostPkg string, deps map[string]bool) string {
	switch {
	case imp == "unsafe":
		return "" // no code, nothing linked
	case imp == hostPkg || imp == "main":
		return fmt.Sprintf("its package %s is the host's package main, which no other package can import: "+
			"the probe cannot name the type (nor can a plugin, unless it is an interface); "+
			"declare it in a package the host imports", imp)
	case !deps[imp]:
		return fmt.Sprintf("it mentions package %s, which the host does not link: "+
			"a host that asserted this type would link it (a contract for another host, or other build tags?)", imp)
	case strings.HasPrefix(imp, "vendor/") || strings.Contains(imp, "/vendor/"):
		return fmt.Sprintf("it mentions the vendored package %s, which only its vendoring packages can import", imp)
	}
	if parent, ok := internalParent(imp); ok && hostPkg != parent && !strings.HasPrefix(hostPkg, parent+"/") {
		return fmt.Sprintf("it mentions package %s, internal to %s, which the host's main package cannot import", imp, cmp.Or(parent, "the standard library"))
	}
	return ""
}

// internalParent returns the parent of the last "internal" element of
// an import path: only packages below it may import the path.
func internalParent(path string) (string, bool) {
	switch {
	case strings.HasSuffix(path, "/internal"):
		return strings.TrimSuffix(path, "/internal"), true
	case strings.Contains(path, "/internal/"):
		return path[:strings.LastIndex(path, "/internal/")], true
	case path == "internal" || strings.HasPrefix(path, "internal/"):
		return "", true
	}
	return "", false
}

// unexportedName returns why the Go syntax of a type cannot be written
// outside its packages: it names an unexported identifier of one.
func unexportedName(goSyntax string, names map[string]string) string {
	expr, err := parser.ParseExpr(goSyntax)
	if err != nil {
		return "not a Go type: " + goSyntax
	}
	paths := map[string]string{}
	for p, n := range names {
		paths[n] = p
	}
	var reason string
	ast.Inspect(expr, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		if !ok || reason != "" {
			return reason == ""
		}
		if id, ok := sel.X.(*ast.Ident); ok && paths[id.Name] != "" && !sel.Sel.IsExported() {
			reason = fmt.Sprintf("it names %s.%s, which is not exported: only its own package can name it", paths[id.Name], sel.Sel.Name)
		}
		return true
	})
	return reason
}

// compileErrorRE matches a compile error in the probe's main.go.
var compileErrorRE = regexp.MustCompile(`(?m)(?:^|[\s/])main\.go:(\d+)(?::\d+)?: (.*)$`)

// markUncompilable gives a Reason to every type whose assertion function
// a compile error of the probe (the go command's stderr) is in, and
// reports whether every error was in one: the probe is worth building
// again without them.
func markUncompilable(tcs []TypeCheck, lines map[int]int, stderr string) bool {
	ms := compileErrorRE.FindAllStringSubmatch(stderr, -1)
	if len(ms) == 0 {
		return false
	}
	marked := map[int]string{}
	for _, m := range ms {
		line, _ := strconv.Atoi(m[1])
		k, ok := lines[line]
		if !ok {
			return false // not the contract's fault
		}
		if _, seen := marked[k]; !seen {
			marked[k] = strings.TrimSpace(m[2])
		}
	}
	// The message names the packages by their import names: name them
	// by path.
	var oldnew []string
	imps := typeImportOrder(tcs)
	for i := len(imps) - 1; i >= 0; i-- { // ctype10 before ctype1
		oldnew = append(oldnew, imps[i].Name+".", imps[i].Path+".")
	}
	unalias := strings.NewReplacer(oldnew...)
	for k, msg := range marked {
		tcs[k].Reason = "it does not compile with the host's packages: " + unalias.Replace(msg)
		tcs[k].Go = ""
	}
	return true
}

func writeIfChanged(path string, data []byte) error {
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, data) {
		return nil
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// lockDir takes an exclusive lock on dir/lock, so that two pluginctl
// processes do not build one probe at once.
func lockDir(ctx context.Context, dir string) (func(), error) {
	f, err := os.OpenFile(filepath.Join(dir, "lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() { syscall.Flock(int(f.Fd()), syscall.LOCK_UN); f.Close() }, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			f.Close()
			return nil, err
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// pruneAge is how long a probe that no run has used stays in the cache.
const pruneAge = 14 * 24 * time.Hour

// prune removes the cache entries (other than keep) that no run has used
// for pruneAge: go build touches a probe's mtime whenever it checks it.
// Entries locked by another pluginctl are left alone.
func prune(cacheDir, keep string) {
	entries, err := os.ReadDir(cacheDir)
	if err != nil {
		return
	}
	for _, e := range entries {
		dir := filepath.Join(cacheDir, e.Name())
		if !e.IsDir() || dir == keep {
			continue
		}
		fi, err := os.Stat(filepath.Join(dir, "probe"))
		if err == nil && time.Since(fi.ModTime()) < pruneAge {
			continue
		}
		if err != nil {
			if fi, err := os.Stat(dir); err != nil || time.Since(fi.ModTime()) < pruneAge {
				continue
			}
		}
		lock, err := os.OpenFile(filepath.Join(dir, "lock"), os.O_RDWR, 0)
		if err != nil {
			continue
		}
		if syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) == nil {
			os.RemoveAll(dir)
		}
		lock.Close()
	}
}

// mirrorDiffs compares the probe with the host: Go version, build
// settings, module versions, and every package fingerprint the host has.
func mirrorDiffs(hostPath, probePath string) ([]string, error) {
	h, err := artifact.Read(hostPath)
	if err != nil {
		return nil, err
	}
	p, err := artifact.Read(probePath)
	if err != nil {
		return nil, err
	}
	return compareBuilds(h, p), nil
}

// compareBuilds lists what differs between the host h and its probe p.
func compareBuilds(h, p *artifact.File) []string {
	var diffs []string
	hb, pb := h.BuildInfo, p.BuildInfo
	if hb.GoVersion != pb.GoVersion {
		diffs = append(diffs, fmt.Sprintf("Go version: host %s, checkout %s", hb.GoVersion, pb.GoVersion))
	}
	for _, d := range diffMaps(settingsOf(hb), settingsOf(pb)) {
		if d.key == "vcs" || strings.HasPrefix(d.key, "vcs.") {
			continue
		}
		diffs = append(diffs, fmt.Sprintf("build setting %s: host %s, checkout %s", d.key, quotedOr(d.h, "unset"), quotedOr(d.p, "unset")))
	}
	if hb.Main.Path != pb.Main.Path {
		diffs = append(diffs, fmt.Sprintf("main module: host %s, checkout %s", hb.Main.Path, pb.Main.Path))
	}
	for _, d := range diffMaps(modulesOf(hb), modulesOf(pb)) {
		diffs = append(diffs, fmt.Sprintf("module %s: host %s, checkout %s", d.key, orElse(d.h, "does not use it"), orElse(d.p, "does not use it")))
	}
	var fps []string
	for pkg, fp := range h.Fingerprints {
		if pkg == "main" {
			continue
		}
		if pfp, ok := p.Fingerprints[pkg]; !ok {
			fps = append(fps, pkg+" (not linked by the probe)")
		} else if pfp != fp {
			fps = append(fps, pkg)
		}
	}
	if len(fps) > 0 {
		sort.Strings(fps)
		const max = 5
		s := "package fingerprint differs: " + strings.Join(fps[:min(max, len(fps))], ", ")
		if len(fps) > max {
			s += fmt.Sprintf(" and %d more", len(fps)-max)
		}
		diffs = append(diffs, s)
	}
	return diffs
}

func settingsOf(bi *buildinfo.BuildInfo) map[string]string {
	m := map[string]string{}
	for _, s := range bi.Settings {
		m[s.Key] = s.Value
	}
	return m
}

func modulesOf(bi *buildinfo.BuildInfo) map[string]string {
	m := map[string]string{}
	for _, d := range bi.Deps {
		v := d.Version + " " + d.Sum
		if r := d.Replace; r != nil {
			v += " => " + r.Path + " " + r.Version + " " + r.Sum
		}
		m[d.Path] = strings.TrimSpace(v)
	}
	return m
}

// mapDiff is one key whose value differs between the host's map and the
// probe's; a nil value means the key is absent on that side.
type mapDiff struct {
	key  string
	h, p *string
}

// diffMaps lists the keys of h and p whose values differ, sorted.
func diffMaps(h, p map[string]string) []mapDiff {
	var keys []string
	for k := range h {
		keys = append(keys, k)
	}
	for k := range p {
		if _, ok := h[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var out []mapDiff
	for _, k := range keys {
		hv, hok := h[k]
		pv, pok := p[k]
		if hok && pok && hv == pv {
			continue
		}
		d := mapDiff{key: k}
		if hok {
			d.h = &hv
		}
		if pok {
			d.p = &pv
		}
		out = append(out, d)
	}
	return out
}

func quotedOr(v *string, absent string) string {
	if v == nil {
		return absent
	}
	return fmt.Sprintf("%q", *v)
}

func orElse(v *string, absent string) string {
	if v == nil {
		return absent
	}
	return *v
}

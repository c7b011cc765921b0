// Package project is pluginctl's one model of the project a command runs
// on, built once per command and shared by build, vet, verify, contract and
// check: where the project is (the go.work or go.mod root and its main
// modules, from `go env GOMOD GOWORK` through the one go runner), what it
// declares (every pluginctl.toml: the root's and each member module's),
// the go command and environment every go subprocess and go/packages use,
// the cache directories, what each package is (Classify: the one rule
// deciding host, plugin or neither), the project's API package(s) and the
// contract in force (InForce, for every command: recorded by a build, or
// inferred from the hosts' code, merged with pluginctl.toml and --expect,
// cached by the sources it was read from; a released host's read from its
// own source).
//
// A project need not import anything of pluginctl's: its API package is
// its own (declared with api = "..." in pluginctl.toml or --api, else
// inferred from the types the hosts assert), and pluginctl's pluginapi is
// only one such package.
package project

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/pluginctl/pluginctl/internal/cachedir"
	"github.com/pluginctl/pluginctl/internal/load"

	"golang.org/x/mod/modfile"

	"github.com/pluginctl/pluginctl/internal/contract"
	"github.com/pluginctl/pluginctl/internal/diag"
	"github.com/pluginctl/pluginctl/internal/gocmd"
)

// Options say where and how a project is loaded.
type Options struct {
	// Dir is the directory the command runs in; "" is the current one.
	Dir string
	// Go is the go command; nil means go from PATH.
	Go *gocmd.Go
	// API are API packages given on the command line (--api); they are
	// added to pluginctl.toml's.
	API []string
	// Expect are --expect declarations, NAME=TYPE (see
	// contract.ParseExpect).
	Expect []string
	// Tags and BuildFlags are the build's flags: whatever the project
	// loads with go/packages uses them, so that the builds reuse the
	// export data it compiles.
	Tags       []string
	BuildFlags []string
	// CacheDir is pluginctl's cache root; "" is $PLUGINCTL_CACHE, else
	// the user cache directory's pluginctl folder; "off" keeps nothing.
	CacheDir string
}

// Project is the model of one project.
type Project struct {
	// Dir is where the command runs (absolute).
	Dir string
	// Root is the directory of go.work, or of the main module's go.mod;
	// "" outside a module (a deploy folder: only static checks and
	// checks from a host's build info are possible there).
	Root string
	// GoWork is the go.work file, "" outside workspace mode.
	GoWork string
	// GoMod is the go.mod of the module containing Dir, "" when none.
	GoMod string
	// modDirs are the main modules' directories: the one module's, or
	// those of every module the go.work uses.
	modDirs []string
	// Config is the merged pluginctl.toml of the root and of every main
	// module (never nil): symbols, hosts (absolute directory patterns),
	// plugin directories (absolute), API packages and infer (false when
	// any file says false).
	Config *contract.Config
	// API are the API packages declared (pluginctl.toml, --api), in
	// order, without duplicates; Contract adds the inferred ones to its
	// result (Resolved.API).
	API []string
	// Expect are the --expect declarations, parsed.
	Expect []contract.Entry
	// Go is the go command, with the project directory as its Dir, and
	// Env what `go env` said of it.
	Go  *gocmd.Go
	Env *gocmd.Env
	// Tags and BuildFlags as in Options.
	Tags       []string
	BuildFlags []string
	// CacheDir is pluginctl's cache root ("" when caching is off).
	CacheDir string

	mu        sync.Mutex
	pkgEnv    []string
	contracts map[string]*resolution
	listed    *listing
}

// Load builds the project model for a command run in o.Dir. Outside a
// module it returns a project with Root "" and no error; a broken
// pluginctl.toml, go.mod or go.work, or a go command that does not run,
// is an error (a *diag.EnvError saying what to fix).
func Load(ctx context.Context, o Options) (*Project, error) {
	dir, err := filepath.Abs(o.Dir) // "": the current directory
	if err != nil {
		return nil, err
	}
	g := *cmp.Or(o.Go, &gocmd.Go{})
	if g.Dir == "" {
		g.Dir = dir
	}
	p := &Project{Dir: dir, Go: &g, Tags: o.Tags, BuildFlags: o.BuildFlags, Config: &contract.Config{Infer: true}}
	p.CacheDir = cachedir.RootFor(o.CacheDir)
	if p.Expect, err = parseExpect(o.Expect); err != nil {
		return nil, err
	}
	env, err := goEnv(ctx, &g)
	if err != nil {
		return nil, err
	}
	p.Env = env
	p.GoMod, p.GoWork = env.GOMOD, env.GOWORK
	if err := p.readModules(); err != nil {
		return nil, err
	}
	p.API = appendUnique(nil, slices.Concat(p.Config.API, o.API)...)
	return p, nil
}

// goEnv asks the go command where the module and workspace are (the one
// root finder), with the rest of what pluginctl reads of `go env`, in one
// call.
func goEnv(ctx context.Context, g *gocmd.Go) (*gocmd.Env, error) {
	env, err := g.ReadEnv(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, &diag.EnvError{Msg: fmt.Sprintf("running the go command: %v", err), Fix: "install Go (https://go.dev/dl), or name it with --go or PLUGINCTL_GO", Err: err}
	}
	if env.GOMOD == os.DevNull {
		env.GOMOD = ""
	}
	if env.GOWORK == "off" {
		env.GOWORK = ""
	}
	return env, nil
}

// readModules reads go.work's use list (or the one go.mod) and every
// pluginctl.toml.
func (p *Project) readModules() error {
	var modDirs []string
	switch {
	case p.GoWork != "":
		p.Root = filepath.Dir(p.GoWork)
		data, err := os.ReadFile(p.GoWork)
		if err != nil {
			return &diag.EnvError{Msg: fmt.Sprintf("reading %s: %v", p.GoWork, err)}
		}
		wf, err := modfile.ParseWork(p.GoWork, data, nil)
		if err != nil {
			return &diag.EnvError{Msg: err.Error(), Fix: "fix go.work (see go help work)", Code: diag.ExitFailure}
		}
		for _, u := range wf.Use {
			d := u.Path
			if !filepath.IsAbs(d) {
				d = filepath.Join(p.Root, filepath.FromSlash(d))
			}
			modDirs = append(modDirs, filepath.Clean(d))
		}
	case p.GoMod != "":
		p.Root = filepath.Dir(p.GoMod)
		modDirs = []string{p.Root}
	default:
		return nil
	}
	if err := p.mergeConfig(p.Root); err != nil {
		return err
	}
	for _, d := range modDirs {
		name := filepath.Join(d, "go.mod")
		if _, err := os.ReadFile(name); err != nil {
			return &diag.EnvError{Msg: fmt.Sprintf("reading %s: %v", name, err), Fix: "fix the use directives of go.work"}
		}
		if d != p.Root {
			if err := p.mergeConfig(d); err != nil {
				return err
			}
		}
	}
	p.modDirs = modDirs
	return nil
}

// mergeConfig merges dir/pluginctl.toml into p.Config: its hosts and
// plugin directories made absolute (relative to dir), its symbols and API
// packages added.
func (p *Project) mergeConfig(dir string) error {
	cfg, err := contract.LoadConfig(dir)
	if err != nil {
		rel, _ := filepath.Rel(p.Dir, dir)
		var ce *contract.ConfigError
		msg := err.Error()
		if rel != "" && rel != "." && (errors.As(err, &ce) || strings.HasPrefix(msg, contract.ConfigFile)) {
			msg = strings.ReplaceAll(msg, contract.ConfigFile+":", filepath.Join(rel, contract.ConfigFile)+":")
		}
		return &diag.EnvError{Msg: msg, Fix: "fix " + filepath.Join(dir, contract.ConfigFile) + " (see pluginctl help project)"}
	}
	if cfg == nil {
		return nil
	}
	m := p.Config
	for _, h := range cfg.Hosts {
		if strings.HasPrefix(h, ".") {
			h = filepath.Join(dir, filepath.FromSlash(h)) // keeps a trailing "..."
		}
		m.Hosts = append(m.Hosts, h)
	}
	for _, d := range cfg.PluginDirs {
		m.PluginDirs = append(m.PluginDirs, filepath.Clean(filepath.Join(dir, filepath.FromSlash(strings.TrimSuffix(d, "/")))))
	}
	// Positions are relative to the project root, whichever module's
	// file declares them.
	if rel, err := filepath.Rel(p.Root, dir); err == nil && rel != "." {
		prefix := filepath.ToSlash(rel) + "/"
		for i := range cfg.Symbols {
			prefixPositions(cfg.Symbols[i].Sources, prefix)
		}
		for i := range cfg.Kinds {
			prefixPositions(cfg.Kinds[i].Sources, prefix)
		}
	}
	if cfg.Host != "" && m.Host == "" {
		m.Host = filepath.Join(dir, filepath.FromSlash(cfg.Host)) // absolute
	}
	m.Symbols = append(m.Symbols, cfg.Symbols...)
	m.Kinds = append(m.Kinds, cfg.Kinds...)
	if cfg.Folder != nil && m.Folder == nil {
		m.Folder = cfg.Folder
	}
	m.API = appendUnique(m.API, cfg.API...)
	m.Infer = m.Infer && cfg.Infer
	if m.File == "" {
		m.File = cfg.File
	}
	return nil
}

// prefixPositions makes the sources' positions relative to a parent
// directory.
func prefixPositions(srcs []contract.Source, prefix string) {
	for i := range srcs {
		if srcs[i].Pos != "" {
			srcs[i].Pos = prefix + srcs[i].Pos
		}
	}
}

// InModule reports whether the command runs inside a module or
// workspace.
func (p *Project) InModule() bool { return p.Root != "" }

// NeedModule returns the error for a command that needs a module when
// there is none.
func (p *Project) NeedModule() error {
	if p.InModule() {
		return nil
	}
	return &diag.EnvError{Msg: "not inside a Go module: no go.mod in " + p.Dir + " or any parent", Fix: "run pluginctl in your module, or create one with `go mod init`"}
}

// ModuleDirs are the main modules' directories.
func (p *Project) ModuleDirs() []string { return p.modDirs }

// Patterns rewrites "./..." for a go.work workspace, where the go command
// accepts it only inside a module, into one pattern per workspace module
// below Dir, so that the whole workspace is one build list. Other
// patterns are kept; no patterns means ./... .
func (p *Project) Patterns(patterns []string) []string {
	if len(patterns) == 0 {
		patterns = []string{"./..."}
	}
	if p.GoWork == "" {
		return patterns
	}
	return load.ExpandWorkspace(p.Dir, p.ModuleDirs(), patterns)
}

// RootPatterns are the patterns naming every package of the project
// (every main module), as the go command accepts them from Dir.
func (p *Project) RootPatterns() []string {
	var out []string
	for _, d := range p.modDirs {
		rel, err := filepath.Rel(p.Dir, d)
		if err != nil {
			continue
		}
		out = append(out, "./"+filepath.ToSlash(filepath.Join(rel, "...")))
	}
	return out
}

// PackagesEnv is the environment for go/packages: the project's go
// command first on PATH (see gocmd.Go.PackagesEnv). go/packages looks the
// go command up on this process's PATH, so with a chosen go (--go,
// PLUGINCTL_GO) the process's PATH is changed the same way: pluginctl
// runs one project per process.
func (p *Project) PackagesEnv() ([]string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.pkgEnv != nil {
		return p.pkgEnv, nil
	}
	linkDir := p.CacheDir
	if linkDir == "" {
		linkDir = filepath.Join(os.TempDir(), "pluginctl-"+strings.ReplaceAll(fmt.Sprint(os.Getuid()), "-", ""))
	}
	env, err := p.Go.PackagesEnv(linkDir)
	if err != nil {
		return nil, &diag.EnvError{Msg: err.Error(), Fix: "check --go / PLUGINCTL_GO"}
	}
	if p.Go.Binary != "" {
		// go/packages resolves "go" with this process's PATH, not the
		// environment it is given: the chosen go goes first on both.
		for i := len(env) - 1; i >= 0; i-- {
			if v, ok := strings.CutPrefix(env[i], "PATH="); ok {
				os.Setenv("PATH", v)
				break
			}
		}
	}
	p.pkgEnv = env
	return env, nil
}

// Cache returns the cache directory for one kind of entry ("artifacts",
// "probe", "contract", "vet", "sums"), "" when caching is off.
func (p *Project) Cache(kind string) string {
	if p == nil || p.CacheDir == "" {
		return ""
	}
	return filepath.Join(p.CacheDir, kind)
}

func within(root, dir string) bool {
	rel, err := filepath.Rel(root, dir)
	return err == nil && (rel == "." || filepath.IsLocal(rel))
}

func appendUnique(list []string, add ...string) []string {
	for _, a := range add {
		if a != "" && !slices.Contains(list, a) {
			list = append(list, a)
		}
	}
	return list
}

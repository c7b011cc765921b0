package released

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"golang.org/x/tools/go/packages"

	"github.com/pluginctl/pluginctl/internal/cachedir"
	"github.com/pluginctl/pluginctl/internal/contract"
	"github.com/pluginctl/pluginctl/internal/contract/infer"
	"github.com/pluginctl/pluginctl/internal/fsutil"
	"github.com/pluginctl/pluginctl/internal/gocmd"
	"github.com/pluginctl/pluginctl/internal/version"
)

// A released host's contract (what it looks up in its plugins) is read
// from source, as for a project's own host; only where the source comes
// from differs. In order:
//
//  1. the host's source checkout, when the user gives it (--host-src);
//  2. the host's own main module at the version its build info records
//     (a tag or pseudo-version, or the vcs.revision resolved by the
//     module proxy), downloaded read-only into the module cache through
//     the go command;
//  3. the modules the host links, at the versions its build info
//     records: every package of theirs that links package plugin (a
//     framework that loads the plugins, as lura does for KrakenD).
//
// When none gives a contract, it is unknown: the caller says so, loudly.

// ContractOptions say how a released host's contract may be read.
type ContractOptions struct {
	// HostSrc is the host's source checkout (its module root), if any.
	HostSrc string
	// Go is the go command (its environment is the user's).
	Go *gocmd.Go
	// LinkDir is where gocmd.PackagesEnv may make its go link.
	LinkDir string
	// Offline reads the module cache only: nothing is downloaded
	// (GOPROXY=off).
	Offline bool
}

// Contract source kinds (HostContract.Kind).
const (
	// SourceHostSrc: read from the --host-src checkout.
	SourceHostSrc = "host-src"
	// SourceMainModule: the host's own main module at its version.
	SourceMainModule = "main-module"
	// SourceDeps: the host's dependencies that load plugins.
	SourceDeps = "dependencies"
)

// HostContract is a released host's contract and where it came from.
type HostContract struct {
	// Contract is nil when nothing of it is known.
	Contract *contract.Contract
	// Kind is one of the Source* constants ("" when unknown); From says
	// where it was read, for people ("module example.com/fw v1.2.0,
	// named by the host's build info").
	Kind, From string
	// Notes say what was tried and could not be read.
	Notes []string
}

// Known reports whether the contract says anything.
func (c *HostContract) Known() bool {
	return c != nil && c.Contract != nil && (len(c.Contract.Entries) > 0 || len(c.Contract.Unresolved) > 0)
}

// UnknownWarning is what every artifact checked against a released host
// of unknown contract carries.
const UnknownWarning = "the host's contract is unknown: only load checks ran; give --host-src or declare the symbols"

// Contract reads the host's contract from the first source that gives
// one (see above). The error is for a cancelled context only; what could
// not be read is in Notes.
func (h *Host) Contract(ctx context.Context, o ContractOptions) (*HostContract, error) {
	// A contract read from published source (not a checkout, which can
	// change) is remembered by the host's sha256.
	var cacheFile string
	if dir := cachedir.For(cachedir.Contract); dir != "" && o.HostSrc == "" {
		sum := sha256.Sum256([]byte("released/v1\n" + version.ToolID() + "\n" + h.SHA256()))
		cacheFile = filepath.Join(dir, "released-"+hex.EncodeToString(sum[:16])+".json")
		if data, err := fsutil.ReadRegular(cacheFile, 16<<20); err == nil {
			var c HostContract
			if json.Unmarshal(data, &c) == nil && c.Known() {
				return &c, nil
			}
		}
	}
	c, err := h.readContract(ctx, o)
	if err == nil && cacheFile != "" && c.Known() {
		if js, err := json.Marshal(c); err == nil {
			_ = os.MkdirAll(filepath.Dir(cacheFile), 0o755)
			_ = fsutil.WriteFileAtomic(cacheFile, js, 0o644)
		}
	}
	return c, err
}

func (h *Host) readContract(ctx context.Context, o ContractOptions) (*HostContract, error) {
	out := &HostContract{}
	try := func(kind, from string, c *contract.Contract, err error) bool {
		switch {
		case err != nil:
			out.Notes = append(out.Notes, fmt.Sprintf("the contract could not be read from %s: %v", from, firstLines(err.Error(), 6)))
		case c == nil || len(c.Entries)+len(c.Unresolved) == 0:
			out.Notes = append(out.Notes, fmt.Sprintf("%s looks no symbol up in its plugins", from))
		default:
			out.Contract, out.Kind, out.From = c, kind, from
			return true
		}
		return false
	}
	main := h.File.BuildInfo.Path
	if o.HostSrc != "" {
		abs, _ := filepath.Abs(o.HostSrc)
		c, err := h.inferIn(ctx, o, abs, nil, []string{main})
		if try(SourceHostSrc, "the host's source "+o.HostSrc, c, err) {
			return out, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
	}
	if ver, how := h.mainVersion(ctx, o); ver != "" {
		c, err := h.inferFromCache(ctx, o, ver, func(env []string, dir string) ([]string, error) { return []string{main}, nil })
		if try(SourceMainModule, fmt.Sprintf("the host's own module %s %s (%s, read through the module proxy)", h.Main.Path, ver, how), c, err) {
			return out, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
	} else if how != "" {
		out.Notes = append(out.Notes, how)
	}
	var loaders []string
	c, err := h.inferFromCache(ctx, o, "", func(env []string, dir string) ([]string, error) {
		var err error
		loaders, err = h.depLoaders(ctx, env, dir)
		return loaders, err
	})
	if errors.Is(err, errNoLoaders) {
		out.Notes = append(out.Notes, "no module the host links at a version loads plugins (no package of theirs links package plugin): the loading is in the host's own code")
		return out, nil
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	try(SourceDeps, "the modules the host links "+modulesOf(h, loaders)+" (at the versions of its build info)", c, err)
	return out, nil
}

var errNoLoaders = errors.New("no loaders")

// mainVersion is the version of the host's main module to read: its
// recorded version, else its vcs.revision resolved through the module
// proxy. how says where it came from, or, with no version, why none.
func (h *Host) mainVersion(ctx context.Context, o ContractOptions) (ver, how string) {
	if v := h.Main.Version; v != "" && v != "(devel)" {
		how = "the version the host's build info records"
		if clean, dirty := strings.CutSuffix(v, "+dirty"); dirty {
			v, how = clean, how+"; the host was built with local changes, the contract is that of the commit"
		}
		return v, how
	}
	rev := h.Settings["vcs.revision"]
	if rev == "" {
		return "", fmt.Sprintf("the host's own module %s was built from a checkout ((devel), no vcs.revision): its source cannot be fetched", h.Main.Path)
	}
	dir, err := os.MkdirTemp("", "pluginctl-rev-")
	if err != nil {
		return "", ""
	}
	defer os.RemoveAll(dir)
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module pluginctl.invalid/hostcontract\n"), 0o644); err != nil {
		return "", ""
	}
	g := h.goFor(o, dir)
	data, err := g.Output(ctx, "list", "-m", "-json", "-mod=mod", h.Main.Path+"@"+rev)
	var m struct{ Version string }
	if err != nil || json.Unmarshal(data, &m) != nil || m.Version == "" {
		return "", fmt.Sprintf("the host's own module %s at revision %s could not be resolved through the module proxy: %v", h.Main.Path, rev, firstLines(fmt.Sprint(err), 3))
	}
	return m.Version, "vcs.revision " + rev
}

// goFor is the go command that reads the host's modules in dir.
func (h *Host) goFor(o ContractOptions, dir string) *gocmd.Go {
	g := &gocmd.Go{}
	if o.Go != nil {
		c := *o.Go
		g = &c
	}
	g.Dir = dir
	env := []string{"GOWORK=off", "GOFLAGS=-mod=mod"}
	if o.Offline {
		env = append(env, "GOPROXY=off")
	}
	return g.With(env...)
}

// inferFromCache writes a temporary module that requires every module
// the host links at the host's version (and its main module at mainVer,
// when set), and infers the contract from the packages pkgs returns.
func (h *Host) inferFromCache(ctx context.Context, o ContractOptions, mainVer string, pkgs func(env []string, dir string) ([]string, error)) (*contract.Contract, error) {
	dir, err := os.MkdirTemp("", "pluginctl-hostcontract-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	lang := strings.TrimPrefix(h.GoVersion, "go")
	gomod := fmt.Sprintf("module pluginctl.invalid/hostcontract\n\ngo %s\n", lang)
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(gomod), 0o644); err != nil {
		return nil, err
	}
	hh := *h
	if mainVer != "" {
		// Required at that version: a dependency of the temporary module.
		hh.Main.Version = mainVer
		hh.Settings = maps.Clone(h.Settings)
		delete(hh.Settings, "vcs")
	} else {
		hh.Main.Version = "(devel)"
	}
	mods, err := hh.WriteModFiles(dir, "")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(mods.Dir)
	// The temporary module is the main module: its go.mod is the pinned
	// one, so that the go command lists the host's versions.
	data, err := os.ReadFile(mods.GoMod)
	if err != nil {
		return nil, err
	}
	sum, _ := os.ReadFile(filepath.Join(mods.Dir, "go.sum"))
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), data, 0o644); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "go.sum"), sum, 0o644); err != nil {
		return nil, err
	}
	g := h.goFor(o, dir)
	linkDir := o.LinkDir
	if linkDir == "" {
		linkDir = dir
	}
	env, err := g.PackagesEnv(linkDir)
	if err != nil {
		return nil, err
	}
	patterns, err := pkgs(env, dir)
	if err != nil {
		return nil, err
	}
	return infer.Contract(ctx, infer.Options{Dir: dir, Patterns: patterns, Env: env, Base: dir})
}

// inferIn infers the contract of the packages pats in the module at dir.
func (h *Host) inferIn(ctx context.Context, o ContractOptions, dir string, extraEnv []string, pats []string) (*contract.Contract, error) {
	g := &gocmd.Go{}
	if o.Go != nil {
		c := *o.Go
		g = &c
	}
	g.Dir = dir
	g = g.With(append([]string{"GOWORK=off"}, extraEnv...)...)
	linkDir := o.LinkDir
	if linkDir == "" {
		linkDir = os.TempDir()
	}
	env, err := g.PackagesEnv(linkDir)
	if err != nil {
		return nil, err
	}
	return infer.Contract(ctx, infer.Options{Dir: dir, Patterns: pats, Env: env, Base: dir})
}

// depLoaders lists the packages of the host's dependency modules (not
// its main module, not the standard library) that link package plugin:
// where a framework looks symbols up.
func (h *Host) depLoaders(ctx context.Context, env []string, dir string) ([]string, error) {
	var cands []string
	for pkg := range h.File.Fingerprints {
		mod := h.ModuleOf(pkg)
		if mod == "" || mod == h.Main.Path || h.ModuleReason(mod) != "" {
			continue
		}
		cands = append(cands, pkg)
	}
	if len(cands) == 0 {
		return nil, errNoLoaders
	}
	sort.Strings(cands)
	cfg := &packages.Config{Context: ctx, Dir: dir, Env: env, Mode: packages.NeedName | packages.NeedImports | packages.NeedDeps}
	roots, err := packages.Load(cfg, cands...)
	if err != nil {
		return nil, err
	}
	links := map[*packages.Package]bool{}
	done := map[*packages.Package]bool{}
	var visit func(p *packages.Package) bool
	visit = func(p *packages.Package) bool {
		if done[p] {
			return links[p]
		}
		done[p] = true
		r := p.PkgPath == "plugin"
		for _, q := range p.Imports {
			if visit(q) {
				r = true
			}
		}
		links[p] = r
		return r
	}
	var out, errs []string
	for _, p := range roots {
		for _, e := range p.Errors {
			errs = append(errs, e.Error())
		}
		if len(p.Errors) == 0 && visit(p) {
			out = append(out, p.PkgPath)
		}
	}
	if len(out) == 0 {
		if len(errs) > 0 {
			return nil, fmt.Errorf("listing the host's packages: %s", firstLines(strings.Join(errs, "\n"), 6))
		}
		return nil, errNoLoaders
	}
	return out, nil
}

// modulesOf names the modules of pkgs, with the host's versions.
func modulesOf(h *Host, pkgs []string) string {
	var mods []string
	for _, p := range pkgs {
		m := h.ModuleOf(p)
		if m != "" && !slices.Contains(mods, m) {
			mods = append(mods, m)
		}
	}
	sort.Strings(mods)
	for i, m := range mods {
		mods[i] = m + " " + h.VersionOf(m)
	}
	if len(mods) == 0 {
		return "(none)"
	}
	return strings.Join(mods, ", ")
}

// firstLines keeps the first n lines of s.
func firstLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = append(lines[:n], "...")
	}
	return strings.Join(lines, "\n\t")
}

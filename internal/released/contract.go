package released

import (
	"cmp"
	"context"
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

	"github.com/pluginctl/pluginctl/internal/contract"
	"github.com/pluginctl/pluginctl/internal/gocmd"
	"github.com/pluginctl/pluginctl/internal/load"
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

// HostContract is a released host's contract and where it came from.
type HostContract struct {
	// Contract is nil when nothing of it is known.
	Contract *contract.Contract
	// From says where it was read, for people ("module example.com/fw
	// v1.2.0, named by the host's build info"); "" when unknown.
	From string
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
// one (see above). The error is for a cancelled context only (with what
// was read so far); what could not be read is in Notes.
func (h *Host) Contract(ctx context.Context, o ContractOptions) (*HostContract, error) {
	out := &HostContract{}
	try := func(from string, c *contract.Contract, err error) bool {
		switch {
		case err != nil:
			out.Notes = append(out.Notes, fmt.Sprintf("the contract could not be read from %s: %v", from, firstLines(err.Error(), 6)))
		case c == nil || len(c.Entries)+len(c.Unresolved) == 0:
			out.Notes = append(out.Notes, fmt.Sprintf("%s looks no symbol up in its plugins", from))
		default:
			out.Contract, out.From = c, from
			return true
		}
		return false
	}
	main := func(string, []string) ([]string, error) { return []string{h.File.BuildInfo.Path}, nil }
	if o.HostSrc != "" {
		abs, _ := filepath.Abs(o.HostSrc)
		c, err := infer(ctx, goIn(o, abs), cmp.Or(o.LinkDir, os.TempDir()), main)
		if try("the host's source "+o.HostSrc, c, err) || ctx.Err() != nil {
			return out, ctx.Err()
		}
	}
	if ver, how := h.mainVersion(ctx, o); ver != "" {
		c, err := h.inferFromCache(ctx, o, ver, main)
		if try(fmt.Sprintf("the host's own module %s %s (%s, read through the module proxy)", h.Main.Path, ver, how), c, err) || ctx.Err() != nil {
			return out, ctx.Err()
		}
	} else if how != "" {
		out.Notes = append(out.Notes, how)
	}
	var loaders []string
	c, err := h.inferFromCache(ctx, o, "", func(dir string, env []string) ([]string, error) {
		var err error
		loaders, err = h.depLoaders(ctx, dir, env)
		return loaders, err
	})
	if errors.Is(err, errNoLoaders) {
		out.Notes = append(out.Notes, "no module the host links at a version loads plugins (no package of theirs links package plugin): the loading is in the host's own code")
		return out, nil
	}
	try("the modules the host links "+modulesOf(h, loaders)+" (at the versions of its build info)", c, err)
	return out, ctx.Err()
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
	data, err := o.proxyGo(dir).Output(ctx, "list", "-m", "-json", "-mod=mod", h.Main.Path+"@"+rev)
	var m struct{ Version string }
	if err != nil || json.Unmarshal(data, &m) != nil || m.Version == "" {
		return "", fmt.Sprintf("the host's own module %s at revision %s could not be resolved through the module proxy: %v", h.Main.Path, rev, firstLines(fmt.Sprint(err), 3))
	}
	return m.Version, "vcs.revision " + rev
}

// goIn is the go command of o run in dir, outside any workspace, with
// env.
func goIn(o ContractOptions, dir string, env ...string) *gocmd.Go {
	g := cmp.Or(o.Go, &gocmd.Go{}).With(append([]string{"GOWORK=off"}, env...)...)
	g.Dir = dir
	return g
}

// proxyGo is the go command that reads the host's modules (the module
// cache, the module proxy unless Offline) in dir.
func (o ContractOptions) proxyGo(dir string) *gocmd.Go {
	if o.Offline {
		return goIn(o, dir, "GOFLAGS=-mod=mod", "GOPROXY=off")
	}
	return goIn(o, dir, "GOFLAGS=-mod=mod")
}

// inferFromCache writes a temporary module that requires every module
// the host links at the host's version (and its main module at mainVer,
// when set), and infers the contract from the packages pkgs returns.
func (h *Host) inferFromCache(ctx context.Context, o ContractOptions, mainVer string, pkgs func(dir string, env []string) ([]string, error)) (*contract.Contract, error) {
	dir, err := os.MkdirTemp("", "pluginctl-hostcontract-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	gomod := fmt.Sprintf("module pluginctl.invalid/hostcontract\n\ngo %s\n", strings.TrimPrefix(h.GoVersion, "go"))
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
	// The pinned module files' directory is the temporary main module,
	// so that the go command lists the host's versions.
	defer os.RemoveAll(mods.Dir)
	return infer(ctx, o.proxyGo(mods.Dir), cmp.Or(o.LinkDir, mods.Dir), pkgs)
}

// infer infers the contract of the packages pkgs returns, in g's
// directory (a module root); linkDir is for gocmd.Go.PackagesEnv.
func infer(ctx context.Context, g *gocmd.Go, linkDir string, pkgs func(dir string, env []string) ([]string, error)) (*contract.Contract, error) {
	env, err := g.PackagesEnv(linkDir)
	if err != nil {
		return nil, err
	}
	patterns, err := pkgs(g.Dir, env)
	if err != nil {
		return nil, err
	}
	return contract.Infer(ctx, contract.InferOptions{Dir: g.Dir, Patterns: patterns, Env: env, Base: g.Dir})
}

// depLoaders lists the packages of the host's dependency modules (not
// its main module, not the standard library) that link package plugin:
// where a framework looks symbols up.
func (h *Host) depLoaders(ctx context.Context, dir string, env []string) ([]string, error) {
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
	var out, errs []string
	for _, p := range roots {
		for _, e := range p.Errors {
			errs = append(errs, e.Error())
		}
		if len(p.Errors) == 0 && load.LinksPlugin(p, nil) {
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

package project

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"

	"golang.org/x/tools/go/packages"

	"github.com/pluginctl/pluginctl/internal/artifact"
	"github.com/pluginctl/pluginctl/internal/contract"
	"github.com/pluginctl/pluginctl/internal/contract/infer"
	"github.com/pluginctl/pluginctl/internal/fsutil"
	"github.com/pluginctl/pluginctl/internal/manifest"
	"github.com/pluginctl/pluginctl/internal/released"
	"github.com/pluginctl/pluginctl/internal/version"
)

// Where a resolved contract comes from (Resolved.From).
const (
	// FromInferred: read from the hosts' code (and maybe declarations).
	FromInferred = "inferred"
	// FromDeclared: pluginctl.toml and --expect only.
	FromDeclared = "declared"
	// FromConvention: nothing known; the pluginapi convention of the
	// project's API package.
	FromConvention = "convention"
	// FromManifest: recorded by pluginctl build in pluginctl.json.
	FromManifest = "manifest"
)

// Resolved is the contract in force and what follows from it.
type Resolved struct {
	*contract.Contract
	// API are the project's API packages: the declared ones, else those
	// whose types the contract asserts, else pluginctl's pluginapi when
	// the convention is in force.
	API []string `json:"api,omitempty"`
	// From says where the contract comes from (FromInferred, ...).
	From string `json:"from"`
	// Source says, for people, where a released host's contract was read
	// (FromReleased).
	Source string `json:"source,omitempty"`
	// Notes say what could not be done (hosts that do not type-check).
	Notes []string `json:"notes,omitempty"`
}

// PrimaryAPI is the first API package, "" when there is none.
func (r *Resolved) PrimaryAPI() string {
	if r == nil || len(r.API) == 0 {
		return ""
	}
	return r.API[0]
}

// Contract returns the contract in force for the given hosts (import
// paths, or patterns; none means pluginctl.toml's [contract] hosts, else
// every host of the project, found by Hosts): inferred from their code
// unless pluginctl.toml says infer = false, with the declared symbols
// (every pluginctl.toml, then --expect) merged over it; the convention of
// the project's API package when nothing is known. The result is kept in
// memory for the command and on disk keyed by every source file the
// inference read, so an unchanged project is not type-checked again.
// Hosts that do not type-check become Notes, not errors.
func (p *Project) Contract(ctx context.Context, hosts []string) (*Resolved, error) {
	if len(hosts) == 0 {
		hosts = p.Config.Hosts
	}
	key := strings.Join(hosts, "\x00")
	// One resolution per key for the command: callers that ask at once
	// (build's discovery, its vet gate, the manifest) share it.
	p.mu.Lock()
	if p.contracts == nil {
		p.contracts = map[string]*resolution{}
	}
	call := p.contracts[key]
	if call == nil {
		call = &resolution{}
		p.contracts[key] = call
	}
	p.mu.Unlock()
	call.once.Do(func() { call.r, call.err = p.resolveContract(ctx, hosts) })
	if call.err != nil && ctx.Err() == nil && errors.Is(call.err, context.Canceled) {
		// Cancelled for an earlier caller only: try again for this one.
		p.mu.Lock()
		delete(p.contracts, key)
		p.mu.Unlock()
		return p.Contract(ctx, hosts)
	}
	return call.r, call.err
}

// resolution is one Contract call, shared.
type resolution struct {
	once sync.Once
	r    *Resolved
	err  error
}

func (p *Project) resolveContract(ctx context.Context, hosts []string) (*Resolved, error) {
	var inferred *contract.Contract
	var notes []string
	if p.Config.Infer && p.InModule() {
		c, err := p.infer(ctx, hosts)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			what := "the hosts' contract could not be inferred from their source: "
			if c != nil {
				what = "some hosts were left out of the contract: "
			}
			notes = append(notes, what+err.Error())
		}
		inferred = c
	}
	r := p.resolve(inferred)
	r.Notes = append(r.Notes, notes...)
	return r, nil
}

// Declared returns the contract of the declarations alone (no
// inference): what go vet -vettool and a project without source use.
func (p *Project) Declared() *Resolved { return p.resolve(nil) }

// resolve merges the declarations over inferred and settles the API.
func (p *Project) resolve(inferred *contract.Contract) *Resolved {
	declared := append(slices.Clone(p.Config.Symbols), p.Expect...)
	known := inferred != nil && (len(inferred.Entries) > 0 || len(inferred.Unresolved) > 0)
	r := &Resolved{}
	switch {
	case known:
		r.From = FromInferred
	case len(declared) > 0 || len(p.Config.Kinds) > 0:
		r.From = FromDeclared
	default:
		r.From = FromConvention
	}
	api := slices.Clone(p.API)
	if r.From == FromConvention {
		conv := API(first(api))
		r.Contract = contract.WithKinds(contract.Resolve(inferred, conv, declared...), p.Config.Kinds...)
		p.declareFolder(r.Contract)
		r.API = appendUnique(api, conv)
		return r
	}
	r.Contract = contract.WithKinds(contract.Resolve(inferred, "", declared...), p.Config.Kinds...)
	p.declareFolder(r.Contract)
	if len(api) == 0 {
		api = APIOf(r.Contract)
	}
	r.API = api
	return r
}

// APIOf returns the packages whose types the contract's entries assert,
// outside the standard library: the required entries' first, in symbol
// order. These are the project's API packages when none is declared.
func APIOf(c *contract.Contract) []string {
	var out []string
	for _, required := range []bool{true, false} {
		for _, e := range c.Entries {
			if e.Required != required {
				continue
			}
			for _, t := range e.Types {
				for _, imp := range contract.TypeImports(t) {
					if !isStd(imp) {
						out = appendUnique(out, imp)
					}
				}
			}
		}
	}
	return out
}

func isStd(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	return !strings.Contains(first, ".")
}

// infer runs infer.Contract on the hosts, through the disk cache.
func (p *Project) infer(ctx context.Context, hosts []string) (*contract.Contract, error) {
	env, err := p.PackagesEnv()
	if err != nil {
		return nil, err
	}
	patterns := hosts
	if len(patterns) == 0 {
		found, err := p.Hosts(ctx)
		if err != nil {
			return nil, err
		}
		if len(found) == 0 {
			return nil, nil
		}
		patterns = found
	}
	cacheFile := ""
	if dir := p.Cache("contract"); dir != "" {
		if k := p.sourceKey(ctx, env, patterns); k != "" {
			cacheFile = filepath.Join(dir, k+".json")
			if data, err := fsutil.ReadRegular(cacheFile, 16<<20); err == nil {
				var c contract.Contract
				if json.Unmarshal(data, &c) == nil {
					return &c, nil
				}
			}
		}
	}
	io := infer.Options{Dir: p.Dir, Patterns: patterns, Env: env, Tags: p.Tags, BuildFlags: p.BuildFlags, Base: p.Root}
	c, err := infer.Contract(ctx, io)
	var le *infer.LoadError
	if errors.As(err, &le) && len(patterns) > 1 {
		// Infer from the hosts that load, one by one; the others are
		// reported (their own compile errors are the build's to show).
		var good []*contract.Contract
		for _, h := range patterns {
			io.Patterns = []string{h}
			if one, err1 := infer.Contract(ctx, io); err1 == nil {
				good = append(good, one)
			}
		}
		if len(good) > 0 {
			return contract.Union(good...), err
		}
	}
	if err != nil {
		return nil, err
	}
	if cacheFile != "" {
		if js, err := json.Marshal(c); err == nil {
			_ = os.MkdirAll(filepath.Dir(cacheFile), 0o755)
			_ = fsutil.WriteFileAtomic(cacheFile, js, 0o644)
		}
	}
	return c, nil
}

// Hosts lists every package of the project and returns the host
// candidates' import paths (HostCandidate), sorted.
func (p *Project) Hosts(ctx context.Context) ([]string, error) {
	pkgs, err := p.List(ctx, p.RootPatterns())
	if err != nil {
		return nil, err
	}
	var out []string
	for _, s := range pkgs {
		if HostCandidate(s) {
			out = append(out, s.ImportPath)
		}
	}
	sort.Strings(out)
	return out, nil
}

// ListMode is what List asks go/packages for: names, files, the import
// graph and modules; nothing is compiled or type-checked.
const ListMode = packages.NeedName | packages.NeedFiles | packages.NeedImports | packages.NeedDeps | packages.NeedModule

// PackagesConfig returns the go/packages configuration every load of the
// project starts from: the project's go command, directory, tags and
// build flags.
func (p *Project) PackagesConfig(ctx context.Context, mode packages.LoadMode) (*packages.Config, error) {
	env, err := p.PackagesEnv()
	if err != nil {
		return nil, err
	}
	cfg := &packages.Config{Context: ctx, Dir: p.Dir, Env: env, Mode: mode}
	if len(p.Tags) > 0 {
		cfg.BuildFlags = []string{"-tags=" + strings.Join(p.Tags, ",")}
	}
	cfg.BuildFlags = append(cfg.BuildFlags, p.BuildFlags...)
	return cfg, nil
}

// List loads the packages the patterns match (ListMode) and summarizes
// the package mains among them; packages with list errors are skipped.
func (p *Project) List(ctx context.Context, patterns []string) ([]*Package, error) {
	roots, ok := p.listedRoots(patterns)
	if !ok {
		cfg, err := p.PackagesConfig(ctx, ListMode)
		if err != nil {
			return nil, err
		}
		if roots, err = packages.Load(cfg, patterns...); err != nil {
			return nil, fmt.Errorf("listing packages: %w", err)
		}
	}
	var out []*Package
	for _, r := range roots {
		if len(r.Errors) == 0 && r.Name == "main" {
			out = append(out, FromPackages(r))
		}
	}
	return out, nil
}

// sourceKey identifies what an inference on patterns reads: the go
// command's flags, the module files, and every non-standard source file
// the hosts link, by name, size and modification time. "" when unknown.
func (p *Project) sourceKey(ctx context.Context, env []string, patterns []string) string {
	roots, ok := p.listedPackages(patterns)
	if !ok {
		cfg, err := p.PackagesConfig(ctx, ListMode)
		if err != nil {
			return ""
		}
		cfg.Env = env
		if roots, err = packages.Load(cfg, patterns...); err != nil {
			return ""
		}
	}
	h := sha256.New()
	fmt.Fprintf(h, "contract/v2\n%s\n%q\n%q\n%q\n", version.ToolID(), patterns, p.Tags, p.BuildFlags)
	k := SourceKey(roots, p.ModuleDirs(), p.GoWork)
	if k == "" {
		return ""
	}
	h.Write([]byte(k))
	return hex.EncodeToString(h.Sum(nil))[:32]
}

// SourceKey identifies the state of every non-standard-library source
// file the packages link and of the module files (go.mod, go.sum and
// pluginctl.toml of each module dir, go.work), by name, size and
// modification time: equal keys
// mean that nothing a source check reads has changed. "" when a file
// cannot be read.
func SourceKey(roots []*packages.Package, modDirs []string, gowork string) string {
	var files []string
	packages.Visit(roots, nil, func(p *packages.Package) {
		if p.Module != nil {
			files = append(files, p.GoFiles...)
			files = append(files, p.OtherFiles...)
		}
	})
	for _, d := range modDirs {
		files = append(files, filepath.Join(d, "go.mod"), filepath.Join(d, "go.sum"), filepath.Join(d, contract.ConfigFile))
	}
	if gowork != "" {
		files = append(files, gowork, gowork+".sum", filepath.Join(filepath.Dir(gowork), contract.ConfigFile))
	}
	sort.Strings(files)
	files = slices.Compact(files)
	h := sha256.New()
	for _, f := range files {
		fi, err := os.Stat(f)
		if os.IsNotExist(err) && (strings.HasSuffix(f, ".sum") || filepath.Base(f) == contract.ConfigFile) {
			fmt.Fprintf(h, "%s absent\n", f)
			continue
		}
		if err != nil {
			return ""
		}
		fmt.Fprintf(h, "%s %d %d\n", f, fi.Size(), fi.ModTime().UnixNano())
	}
	return hex.EncodeToString(h.Sum(nil))
}

// declareFolder puts pluginctl.toml's [folder] rule over the inferred one.
func (p *Project) declareFolder(c *contract.Contract) {
	if p.Config != nil && p.Config.Folder != nil && c != nil {
		c.Folder = p.Config.Folder
	}
}

// Known is what is known of a host when the contract in force is decided
// (InForce).
type Known struct {
	// Recorded is the contract a build recorded in the manifest of the
	// artifacts, nil when none.
	Recorded *manifest.Contract
	// Project, when set, says how to load the project: its --api and
	// --expect go over a recorded contract, and with none recorded its
	// source and declarations tell the contract. nil: nothing but what
	// is recorded.
	Project *Options
	// Host is the host binary, nil without one: its main package's
	// contract is the one in force.
	Host *artifact.File
	// Released reads the contract of a released host (one that does not
	// link pluginctl's loader) when the project tells nothing of its own.
	Released released.ContractOptions
}

// InForce is the contract in force for a verification, the one place it
// is decided from what is known: the contract recorded in the manifest by
// pluginctl build (From FromManifest), with --expect merged over it and
// --api before its API packages, without running the go command; else
// the project's (Contract for the host's package when it is in the
// project, else the declarations, else the convention); for a released
// host with nothing of its own known, the one read from the host's source
// (FromReleased), else unknown (FromUnknown, no entries). What could not
// be resolved is a note, never an error; the error is a cancelled
// context's. A nil Contract in the result means nothing was resolved:
// the pluginapi convention of its API applies.
func InForce(ctx context.Context, k Known) (*Resolved, error) {
	var o Options
	if k.Project != nil {
		o = *k.Project
	}
	if rec := k.Recorded; rec != nil && rec.Contract != nil {
		var declared []contract.Entry
		for _, e := range o.Expect {
			if entry, err := contract.ParseExpect(e); err == nil { // checked by the caller
				declared = append(declared, entry)
			}
		}
		api := o.API
		if len(api) == 0 {
			api = rec.API
		}
		return &Resolved{Contract: contract.Merge(rec.Contract, declared...), API: api, From: FromManifest, Source: rec.Source}, nil
	}
	if k.Project == nil {
		return &Resolved{}, nil
	}
	p, err := Load(ctx, o)
	if err != nil {
		return &Resolved{Notes: []string{"the contract could not be resolved (" + strings.Join(strings.Fields(strings.ReplaceAll(err.Error(), "\n\t", "; ")), " ") + "): checked against the pluginapi convention"}}, nil
	}
	pkg := ""
	if k.Host != nil {
		pkg = k.Host.BuildInfo.Path
	}
	var r *Resolved
	if pkg != "" && p.InModule() {
		r, err = p.Contract(ctx, []string{pkg})
	}
	if r == nil || err != nil {
		r = p.Declared()
	}
	if r.From == FromConvention && pkg != "" {
		r.Notes = append(r.Notes, "the host's contract is not recorded in a manifest and its source is not at hand: checked against the pluginapi convention of "+r.PrimaryAPI())
	}
	return releasedInForce(ctx, k, r)
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

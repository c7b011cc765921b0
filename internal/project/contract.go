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
	"github.com/pluginctl/pluginctl/internal/cachedir"
	"github.com/pluginctl/pluginctl/internal/contract"
	"github.com/pluginctl/pluginctl/internal/diag"
	"github.com/pluginctl/pluginctl/internal/fsutil"
	"github.com/pluginctl/pluginctl/internal/manifest"
	"github.com/pluginctl/pluginctl/internal/released"
	"github.com/pluginctl/pluginctl/internal/version"
	"github.com/pluginctl/pluginctl/pluginapi"
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
	// FromReleased: read from a released host's source (a binary built
	// elsewhere), found through its build info or given with --host-src
	// (Resolved.Source says which).
	FromReleased = "released"
	// FromUnknown: nothing is known of the released host's contract and
	// nothing is declared: only load checks can run.
	FromUnknown = "unknown"
)

// LoaderPackage is pluginctl's loader: a host that links it follows the
// pluginapi convention.
const LoaderPackage = pluginapi.ImportPath + "/loader"

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

// contract is the contract in force for the given hosts (import paths,
// or patterns; none means pluginctl.toml's [contract] hosts, else every
// host of the project, found by hosts): inferred from their code unless
// pluginctl.toml says infer = false, with the declared symbols (every
// pluginctl.toml, then --expect) merged over it; the convention of the
// project's API package when nothing is known. The result is kept in
// memory for the command and on disk keyed by every source file the
// inference read, so an unchanged project is not type-checked again.
// Hosts that do not type-check become Notes, not errors.
func (p *Project) contract(ctx context.Context, hosts []string) (*Resolved, error) {
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
		return p.contract(ctx, hosts)
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
	if !p.Config.Infer || !p.InModule() {
		return p.resolve(nil), nil
	}
	c, err := p.infer(ctx, hosts)
	if err != nil && ctx.Err() != nil {
		return nil, ctx.Err()
	}
	r := p.resolve(c)
	if err != nil {
		what := "the hosts' contract could not be inferred from their source: "
		if c != nil {
			what = "some hosts were left out of the contract: "
		}
		r.Notes = append(r.Notes, what+err.Error())
	}
	return r, nil
}

// Declared returns the contract of the declarations alone (no
// inference): what InForce falls back on, and vet when the inference was
// cancelled.
func (p *Project) Declared() *Resolved { return p.resolve(nil) }

// resolve merges the declarations (and pluginctl.toml's [folder] rule)
// over inferred and settles the API.
func (p *Project) resolve(inferred *contract.Contract) *Resolved {
	declared := append(slices.Clone(p.Config.Symbols), p.Expect...)
	r := &Resolved{From: FromInferred, API: slices.Clone(p.API)}
	conv := ""
	switch {
	case inferred != nil && (len(inferred.Entries) > 0 || len(inferred.Unresolved) > 0):
	case len(declared) > 0 || len(p.Config.Kinds) > 0:
		r.From = FromDeclared
	default:
		r.From, conv = FromConvention, API("")
		if len(r.API) > 0 {
			conv = r.API[0]
		}
		r.API = appendUnique(r.API, conv)
	}
	r.Contract = contract.WithKinds(contract.Resolve(inferred, conv, declared...), p.Config.Kinds...)
	if p.Config.Folder != nil {
		r.Contract.Folder = p.Config.Folder
	}
	if len(r.API) == 0 {
		r.API = APIOf(r.Contract)
	}
	return r
}

// APIOf returns the packages whose types the contract's entries assert,
// outside the standard library and main: the required entries' first, in
// symbol order. These are the project's API packages when none is
// declared.
func APIOf(c *contract.Contract) []string {
	var out []string
	for _, required := range []bool{true, false} {
		for _, e := range c.Entries {
			if e.Required != required {
				continue
			}
			for _, t := range e.Types {
				for _, imp := range contract.TypeImports(t) {
					if !released.IsStd(imp) && imp != "main" {
						out = appendUnique(out, imp)
					}
				}
			}
		}
	}
	return out
}

// infer runs contract.Infer on the hosts, through the disk cache.
func (p *Project) infer(ctx context.Context, hosts []string) (*contract.Contract, error) {
	env, err := p.PackagesEnv()
	if err != nil {
		return nil, err
	}
	patterns := hosts
	if len(patterns) == 0 {
		found, err := p.hosts(ctx, p.RootPatterns())
		if err != nil {
			return nil, err
		}
		if len(found) == 0 {
			return nil, nil
		}
		patterns = found
	}
	cacheFile := ""
	if dir := p.Cache(cachedir.Contract); dir != "" {
		if k := p.sourceKey(ctx, patterns); k != "" {
			cacheFile = filepath.Join(dir, k+".json")
		}
	}
	return cached(cacheFile, func(*contract.Contract) bool { return true }, func() (*contract.Contract, error) {
		return p.inferNow(ctx, patterns, env)
	})
}

// inferNow runs contract.Infer on the hosts. When some do not load, it
// runs on each: the contract is that of the hosts that load, returned
// with the error (the others' compile errors are the build's to show).
func (p *Project) inferNow(ctx context.Context, patterns, env []string) (*contract.Contract, error) {
	io := contract.InferOptions{Dir: p.Dir, Patterns: patterns, Env: env, Tags: p.Tags, BuildFlags: p.BuildFlags, Base: p.Root}
	c, err := contract.Infer(ctx, io)
	var le *contract.LoadError
	if errors.As(err, &le) && len(patterns) > 1 {
		var good []*contract.Contract
		for _, h := range patterns {
			io.Patterns = []string{h}
			if one, err1 := contract.Infer(ctx, io); err1 == nil {
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
	return c, nil
}

// cached is compute's result, read from the JSON file when it is there
// and keep accepts it, else computed and kept there when keep accepts it
// and there was no error; file "" keeps nothing.
func cached[T any](file string, keep func(*T) bool, compute func() (*T, error)) (*T, error) {
	if data, err := fsutil.ReadRegular(file, 16<<20); file != "" && err == nil {
		var v T
		if json.Unmarshal(data, &v) == nil && keep(&v) {
			return &v, nil
		}
	}
	v, err := compute()
	if err == nil && file != "" && keep(v) {
		if js, err := json.Marshal(v); err == nil {
			_ = os.MkdirAll(filepath.Dir(file), 0o755)
			_ = fsutil.WriteFileAtomic(file, js, 0o644)
		}
	}
	return v, err
}

// ListMode is what the project lists packages with: names, files, the
// import graph and modules; nothing is compiled or type-checked.
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

// hosts lists the packages the patterns match (ListMode; the listing
// the command made, when it was for these patterns) and returns the host
// candidates' import paths (HostCandidate), sorted; packages with list
// errors are skipped.
func (p *Project) hosts(ctx context.Context, patterns []string) ([]string, error) {
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
	var out []string
	for _, r := range roots {
		if len(r.Errors) == 0 && r.Name == "main" && HostCandidate(FromPackages(r)) {
			out = append(out, r.PkgPath)
		}
	}
	sort.Strings(out)
	return out, nil
}

// sourceKey identifies what an inference on patterns reads: the go
// command's flags, the module files, and every non-standard source file
// the hosts link, by name, size and modification time. "" when unknown.
func (p *Project) sourceKey(ctx context.Context, patterns []string) string {
	roots, ok := p.listedPackages(patterns)
	if !ok {
		cfg, err := p.PackagesConfig(ctx, ListMode)
		if err != nil {
			return ""
		}
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

// Known is what is known when the contract in force is decided
// (InForce).
type Known struct {
	// Hosts are the host packages whose code tells the contract (import
	// paths or patterns; pluginctl contract's arguments); none means
	// pluginctl.toml's [contract] hosts, else every host of the project.
	// With a Host, its main package instead.
	Hosts []string
	// Recorded is the contract a build recorded in the manifest of the
	// artifacts, nil when none.
	Recorded *manifest.Contract
	// Project is the project model (build, vet, pluginctl contract).
	Project *Project
	// Load, with no Project, says how to load the project (verify): its
	// --api and --expect go over a recorded contract, and with none
	// recorded its source and declarations tell the contract. Project
	// and Load nil: nothing but what is recorded.
	Load *Options
	// Host is the host binary, nil without one: its main package's
	// contract is the one in force.
	Host *artifact.File
	// Released says that Host is built from other source than the
	// project's (build --for): the project's own hosts never tell its
	// contract, only its declarations and the host's source do.
	Released bool
	// Source says how a released host's source may be read (one that
	// does not link pluginctl's loader, whose contract the project does
	// not tell).
	Source released.ContractOptions
}

// InForce is the contract in force, the one place it is decided from
// what is known, for build, verify, vet and pluginctl contract:
//   - the contract recorded in the manifest by pluginctl build (From
//     FromManifest), with --expect merged over it and --api before its
//     API packages, without running the go command;
//   - else the project's: inferred from the hosts' code (Hosts, or the
//     Host binary's main package unless Released or outside a module),
//     with pluginctl.toml and --expect merged over it, else
//     the declarations, else the pluginapi convention of the project's
//     API package;
//   - for a Host that does not link pluginctl's loader when the project
//     tells only declarations or the convention: a released host, whose
//     contract is read from its source (FromReleased) with the
//     declarations merged over it, else the declarations, else unknown
//     (FromUnknown, no entries), never the convention.
//
// What could not be resolved is a note, never an error; the error is a
// cancelled context's. A nil Contract in the result means nothing was
// resolved: the pluginapi convention of its API applies.
func InForce(ctx context.Context, k Known) (*Resolved, error) {
	if rec := k.Recorded; rec != nil && rec.Contract != nil {
		var o Options
		if k.Load != nil {
			o = *k.Load
		}
		declared, _ := parseExpect(o.Expect) // checked by the caller
		api := o.API
		if len(api) == 0 {
			api = rec.API
		}
		return &Resolved{Contract: contract.Merge(rec.Contract, declared...), API: api, From: FromManifest, Source: rec.Source}, nil
	}
	p := k.Project
	if p == nil {
		if k.Load == nil {
			return &Resolved{}, nil
		}
		var err error
		if p, err = Load(ctx, *k.Load); err != nil {
			return &Resolved{Notes: []string{"the contract could not be resolved (" + strings.Join(strings.Fields(strings.ReplaceAll(err.Error(), "\n\t", "; ")), " ") + "): checked against the pluginapi convention"}}, nil
		}
	}
	if k.Host == nil {
		return p.contract(ctx, k.Hosts)
	}
	pkg := k.Host.BuildInfo.Path
	var r *Resolved
	var err error
	if pkg != "" && p.InModule() && !k.Released {
		r, err = p.contract(ctx, []string{pkg})
	}
	if r == nil || err != nil {
		r = p.Declared()
	}
	if r.From != FromConvention && r.From != FromDeclared {
		return r, nil
	}
	if _, loader := k.Host.Fingerprints[LoaderPackage]; !loader {
		if h, err := released.New(k.Host.Path, k.Host); err == nil {
			return p.released(ctx, h, k.Source, r)
		}
	}
	if r.From == FromConvention && pkg != "" {
		r.Notes = append(r.Notes, "the host's contract is not recorded in a manifest and its source is not at hand: checked against the pluginapi convention of "+r.PrimaryAPI())
	}
	return r, nil
}

// released is InForce for a released host h when the project tells
// nothing of its own (own: its declarations, or the convention): the
// contract read from the host's source, with the declarations merged over
// it; the declarations alone when the source tells nothing; else unknown
// (no entries), never a guess.
func (p *Project) released(ctx context.Context, h *released.Host, o released.ContractOptions, own *Resolved) (*Resolved, error) {
	// A contract read from published source (not a checkout, which can
	// change) is remembered by the host's sha256.
	file := ""
	if dir := p.Cache(cachedir.Contract); dir != "" && o.HostSrc == "" {
		sum := sha256.Sum256([]byte("released/v1\n" + version.ToolID() + "\n" + h.SHA256()))
		file = filepath.Join(dir, "released-"+hex.EncodeToString(sum[:16])+".json")
	}
	hc, err := cached(file, (*released.HostContract).Known, func() (*released.HostContract, error) { return h.Contract(ctx, o) })
	if err != nil {
		return nil, err
	}
	switch {
	case hc.Known():
		r := p.resolve(hc.Contract)
		r.From, r.Source, r.Notes = FromReleased, hc.From, own.Notes
		return r, nil
	case own.From == FromDeclared:
		own.Notes = append(own.Notes, hc.Notes...)
		return own, nil
	}
	return &Resolved{Contract: &contract.Contract{}, From: FromUnknown, API: p.API, Notes: append(own.Notes, hc.Notes...)}, nil
}

// parseExpect parses --expect declarations (contract.ParseExpect).
func parseExpect(expect []string) ([]contract.Entry, error) {
	var out []contract.Entry
	for _, e := range expect {
		entry, err := contract.ParseExpect(e)
		if err != nil {
			return nil, diag.Usage("--expect %q: %v", e, err)
		}
		out = append(out, entry)
	}
	return out, nil
}

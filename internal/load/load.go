// Package load owns the package loader that pluginctl vet and contract
// inference share: it lists the import graph, takes the types of
// dependencies from export data, and parses and type-checks the packages
// the caller reads from source. What is loaded from source (Options.Root,
// Options.Source) and what the type checker records (Options.Info) are
// the caller's; the go list invocations, the parsing and the parallel
// type-checking in dependency order are this package's.
//
// Load runs `go list` twice and the type checker once per source package:
//
//  1. go list -deps (no -export, no -compiled) gives the whole import
//     graph with modules: cheap, and nothing is compiled.
//  2. go list -export on the packages whose types come from export data
//     (the direct imports of source packages that are not source
//     packages themselves) compiles them or takes them from the build
//     cache. The source packages themselves are never compiled, unlike
//     packages.Load with NeedTypes, which asks go list for export data of
//     every package. Packages only plugins import (roots that are package
//     main and do not link package plugin) are compiled with
//     -buildmode=plugin, as the build compiles them: with the build's
//     flags (Config.BuildFlags), the build then reuses them from the go
//     cache instead of compiling them a second time.
//  3. Source packages are parsed while (2) runs, then type-checked in
//     parallel in dependency order, importing everything else from export
//     data.
//
// The result is a set of *packages.Package values as checker.Analyze
// expects them: source packages with syntax and types, every other
// package with (possibly partial) types from export data.
package load

import (
	"cmp"
	"context"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"runtime"
	"sort"
	"strings"
	"sync"

	"golang.org/x/tools/go/gcexportdata"
	"golang.org/x/tools/go/packages"
)

// Config is how the go command runs.
type Config struct {
	// Dir is the directory go list runs in ("" = the current one).
	Dir string
	// Env is the go command's environment (nil = os.Environ()).
	Env []string
	// Tags are build tags (-tags).
	Tags []string
	// BuildFlags are further go build flags for both go list commands.
	BuildFlags []string
}

// Options say what is loaded from source and what is recorded.
type Options struct {
	// Listed, when not nil, is called with Program.Roots as soon as they
	// are listed, before anything is compiled, parsed or type-checked.
	Listed func(roots []*packages.Package)
	// Root reports whether a root (one without list errors) is
	// type-checked from source; nil means every root is. It is called
	// once per such root, in the order of Program.Roots, before any call
	// of Source.
	Root func(p *packages.Package) bool
	// Source reports whether a package of the main module(s) that the
	// roots import, directly or not, is type-checked from source too;
	// nil means every such package is. It is called only for packages
	// without errors, with Go files, that are not roots already type-
	// checked from source nor roots with list errors (so a root Root
	// rejected can still be one), in import path order.
	Source func(p *packages.Package) bool
	// Deps extends Source to the packages of other modules the roots
	// import (from the module cache or the vendor directory): Source is
	// asked about them too (never about the standard library).
	Deps bool
	// ParseComments keeps the comments of the source files.
	ParseComments bool
	// Info makes the types.Info of each package: filled for the source
	// packages, empty for the others (checker.Analyze wants one). nil
	// means every map of types.Info.
	Info func() *types.Info
}

// Program is what Load loaded.
type Program struct {
	Fset *token.FileSet
	// Roots are the packages the patterns match, by import path,
	// including those that could not be listed.
	Roots []*packages.Package
	// Source are the packages type-checked from source: the roots Root
	// kept first (SourceRoots), by import path, then the packages Source
	// chose, by import path.
	Source []*packages.Package
	// All are the roots and every package they import, by ID.
	All map[string]*packages.Package
	// Errors are the list errors of the roots (in the order go list gave
	// them), then the list, parse and type errors of the source packages.
	Errors []string

	nroots int // Source[:nroots] are roots
}

// SourceRoots are the roots type-checked from source, by import path.
func (prog *Program) SourceRoots() []*packages.Package { return prog.Source[:prog.nroots] }

// listMode is what step 1 asks for.
const listMode = packages.NeedName | packages.NeedFiles | packages.NeedImports | packages.NeedDeps | packages.NeedModule

func (c *Config) goConfig(ctx context.Context, mode packages.LoadMode) *packages.Config {
	cfg := &packages.Config{Context: ctx, Dir: c.Dir, Env: c.Env, Mode: mode}
	if len(c.Tags) > 0 {
		cfg.BuildFlags = []string{"-tags=" + strings.Join(c.Tags, ",")}
	}
	cfg.BuildFlags = append(cfg.BuildFlags, c.BuildFlags...)
	return cfg
}

// Load lists the patterns and loads the program: see the package
// documentation. The error is non-nil when the packages cannot be listed
// at all, when the dependencies cannot be compiled or a source file
// cannot be read, or when ctx is done; problems in the packages are
// Program.Errors.
func Load(ctx context.Context, cfg Config, patterns []string, o Options) (*Program, error) {
	listed, err := packages.Load(cfg.goConfig(ctx, listMode), patterns...)
	if err != nil {
		return nil, fmt.Errorf("listing packages: %w", err)
	}
	if o.Info == nil {
		o.Info = newInfo
	}
	prog := &Program{Fset: token.NewFileSet(), All: map[string]*packages.Package{}}
	var visit func(p *packages.Package)
	visit = func(p *packages.Package) {
		if prog.All[p.ID] != nil {
			return
		}
		prog.All[p.ID] = p
		for _, q := range p.Imports {
			visit(q)
		}
	}
	isRoot := map[*packages.Package]bool{}
	for _, p := range listed {
		visit(p)
		if !isRoot[p] {
			isRoot[p] = true
			prog.Roots = append(prog.Roots, p)
			for _, e := range p.Errors {
				prog.Errors = append(prog.Errors, e.Error())
			}
		}
	}
	sort.Slice(prog.Roots, func(i, j int) bool { return prog.Roots[i].PkgPath < prog.Roots[j].PkgPath })
	if o.Listed != nil {
		o.Listed(prog.Roots)
	}

	// Source packages: the roots that listed (and Root keeps), then the
	// main-module packages Source chooses.
	isSource := map[*packages.Package]bool{}
	bad := map[*packages.Package]bool{}
	for _, p := range prog.Roots {
		if len(p.Errors) > 0 || p.Name == "" {
			bad[p] = true
			continue
		}
		if o.Root == nil || o.Root(p) {
			isSource[p] = true
			prog.Source = append(prog.Source, p)
		}
	}
	prog.nroots = len(prog.Source)
	var extra []*packages.Package
	for _, p := range prog.All {
		if !isSource[p] && !bad[p] && p.Module != nil && (p.Module.Main || o.Deps) && len(p.Errors) == 0 && len(p.GoFiles) > 0 {
			extra = append(extra, p)
		}
	}
	sort.Slice(extra, func(i, j int) bool { return extra[i].PkgPath < extra[j].PkgPath })
	for _, p := range extra {
		if o.Source == nil || o.Source(p) {
			isSource[p] = true
			prog.Source = append(prog.Source, p)
		}
	}

	// Step 2 (in the background): export data for the direct imports
	// of source packages that are not source packages themselves,
	// compiled as the build will compile them, so that it reuses them:
	// as for a plugin (-buildmode=plugin) when only plugins import them
	// (roots that are package main and do not link package plugin).
	hostSide := map[*packages.Package]bool{}
	var reach func(p *packages.Package)
	reach = func(p *packages.Package) {
		if !hostSide[p] {
			hostSide[p] = true
			for _, q := range p.Imports {
				reach(q)
			}
		}
	}
	for _, p := range prog.Roots {
		if p.Name != "main" || LinksPlugin(p, nil) {
			reach(p)
		}
	}
	need, pluginNeed := map[string]*packages.Package{}, map[string]*packages.Package{}
	for _, p := range prog.Source {
		for _, q := range p.Imports {
			if !isSource[q] && q.PkgPath != "unsafe" && q.PkgPath != "C" {
				if hostSide[q] {
					need[q.ID] = q
				} else {
					pluginNeed[q.ID] = q
				}
			}
		}
	}
	exportErr := make(chan error, 2)
	go func() { exportErr <- exportFiles(ctx, &cfg, need, false) }()
	go func() { exportErr <- exportFiles(ctx, &cfg, pluginNeed, true) }()

	// Step 3: parse while go list compiles.
	mode := parser.SkipObjectResolution
	if o.ParseComments {
		mode |= parser.ParseComments
	}
	err = prog.parse(ctx, mode)
	err = cmp.Or(err, <-exportErr)
	if err = cmp.Or(err, <-exportErr); err != nil {
		return nil, err
	}
	prog.check(isSource, &cfg, o.Info)
	return prog, nil
}

// exportFiles sets ExportFile of the packages in need, compiled as for
// a plugin when plugin is set (as for a program when the platform has no
// plugins).
func exportFiles(ctx context.Context, cfg *Config, need map[string]*packages.Package, plugin bool) error {
	if len(need) == 0 {
		return nil
	}
	ids := make([]string, 0, len(need))
	for id := range need {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	gc := cfg.goConfig(ctx, packages.NeedName|packages.NeedExportFile)
	if plugin {
		gc.BuildFlags = append(gc.BuildFlags, "-buildmode=plugin")
	}
	pkgs, err := packages.Load(gc, ids...)
	if err != nil && plugin && ctx.Err() == nil {
		return exportFiles(ctx, cfg, need, false)
	}
	if err != nil {
		return fmt.Errorf("compiling dependencies: %w", err)
	}
	for _, p := range pkgs {
		if q := need[p.ID]; q != nil {
			q.ExportFile = p.ExportFile
			if p.ExportFile == "" && len(p.Errors) > 0 {
				q.Errors = append(q.Errors, p.Errors...)
			}
		}
	}
	return nil
}

// parse parses the files of every source package, in parallel.
func (prog *Program) parse(ctx context.Context, mode parser.Mode) error {
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	sem := make(chan struct{}, 2*runtime.GOMAXPROCS(0))
	perrs := make([][]error, len(prog.Source))
	for k, p := range prog.Source {
		p.Fset = prog.Fset
		p.Syntax = make([]*ast.File, len(p.GoFiles))
		p.CompiledGoFiles = p.GoFiles
		perr := make([]error, len(p.GoFiles))
		perrs[k] = perr
		for i, name := range p.GoFiles {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer func() { <-sem; wg.Done() }()
				if ctx.Err() != nil {
					return
				}
				src, err := os.ReadFile(name)
				if err != nil {
					mu.Lock()
					firstErr = cmp.Or(firstErr, err)
					mu.Unlock()
					return
				}
				// Keep what was parsed; errors are reported with the package.
				p.Syntax[i], perr[i] = parser.ParseFile(prog.Fset, name, src, mode)
			}()
		}
	}
	wg.Wait()
	for k, p := range prog.Source {
		for _, err := range perrs[k] {
			if err != nil {
				p.Errors = append(p.Errors, packages.Error{Msg: err.Error(), Kind: packages.ParseError})
			}
		}
	}
	return cmp.Or(ctx.Err(), firstErr)
}

// check type-checks the source packages in dependency order, in
// parallel, importing the others from export data.
func (prog *Program) check(isSource map[*packages.Package]bool, cfg *Config, newInfo func() *types.Info) {
	sizes := types.SizesFor("gc", goarch(cfg.Env))
	var mu sync.Mutex // guards view and the types of export-data packages
	view := map[string]*types.Package{}
	fromExport := map[*packages.Package]bool{}
	for _, p := range prog.All {
		p.Fset = prog.Fset
		p.TypesSizes = sizes
		if p.PkgPath == "unsafe" {
			p.Types = types.Unsafe
			continue
		}
		if !isSource[p] {
			p.Types = types.NewPackage(p.PkgPath, p.Name)
			p.TypesInfo = newInfo()
			view[p.PkgPath] = p.Types
		}
	}
	importExport := func(p *packages.Package) (*types.Package, error) {
		mu.Lock()
		defer mu.Unlock()
		if fromExport[p] {
			return p.Types, nil
		}
		if p.ExportFile == "" {
			p.IllTyped = true
			return nil, fmt.Errorf("no export data for %s", p.PkgPath)
		}
		f, err := os.Open(p.ExportFile)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r, err := gcexportdata.NewReader(f)
		if err != nil {
			return nil, fmt.Errorf("reading %s: %v", p.ExportFile, err)
		}
		tp, err := gcexportdata.Read(r, prog.Fset, view, p.PkgPath)
		delete(view, "go.shape")
		if err != nil {
			return nil, fmt.Errorf("reading export data of %s: %v", p.PkgPath, err)
		}
		p.Types = tp
		fromExport[p] = true
		return tp, nil
	}

	// Each source package waits for the source packages it reaches.
	done := map[*packages.Package]chan struct{}{}
	for _, p := range prog.Source {
		done[p] = make(chan struct{})
	}
	waitFor := func(p *packages.Package) []*packages.Package {
		var out []*packages.Package
		seen := map[*packages.Package]bool{}
		var walk func(q *packages.Package)
		walk = func(q *packages.Package) {
			for _, r := range q.Imports {
				if seen[r] {
					continue
				}
				seen[r] = true
				if isSource[r] {
					out = append(out, r)
				} else {
					walk(r)
				}
			}
		}
		walk(p)
		return out
	}
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for _, p := range prog.Source {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer close(done[p])
			for _, q := range waitFor(p) {
				<-done[q]
			}
			sem <- struct{}{}
			defer func() { <-sem }()
			prog.checkOne(p, isSource, importExport, &mu, view, newInfo())
		}()
	}
	wg.Wait()
	for _, p := range prog.Source {
		for _, e := range p.Errors {
			prog.Errors = append(prog.Errors, e.Error())
		}
	}
}

func (prog *Program) checkOne(p *packages.Package, isSource map[*packages.Package]bool, importExport func(*packages.Package) (*types.Package, error), mu *sync.Mutex, view map[string]*types.Package, info *types.Info) {
	var files []*ast.File
	for _, f := range p.Syntax {
		if f != nil {
			files = append(files, f)
		}
	}
	p.Syntax = files
	conf := &types.Config{
		Importer: importerFunc(func(path string) (*types.Package, error) {
			q := p.Imports[path]
			if q == nil {
				return nil, fmt.Errorf("package %s is not among the imports of %s", path, p.PkgPath)
			}
			if q.PkgPath == "unsafe" {
				return types.Unsafe, nil
			}
			if isSource[q] {
				if q.Types == nil {
					return nil, fmt.Errorf("%s could not be type-checked", q.PkgPath)
				}
				return q.Types, nil
			}
			return importExport(q)
		}),
		FakeImportC: true,
		Sizes:       p.TypesSizes,
		Error: func(err error) {
			if te, ok := err.(types.Error); ok {
				p.TypeErrors = append(p.TypeErrors, te)
			}
		},
	}
	if p.Module != nil && p.Module.GoVersion != "" {
		conf.GoVersion = "go" + p.Module.GoVersion
	}
	tp, _ := conf.Check(p.PkgPath, prog.Fset, files, info)
	p.Types, p.TypesInfo = tp, info
	for _, e := range p.TypeErrors {
		p.Errors = append(p.Errors, packages.Error{Pos: prog.Fset.Position(e.Pos).String(), Msg: e.Msg, Kind: packages.TypeError})
	}
	p.IllTyped = len(p.Errors) > 0
	// Export data of packages that import this one must see these types.
	mu.Lock()
	view[p.PkgPath] = tp
	mu.Unlock()
}

// LinksPlugin reports whether p imports package plugin, directly or not
// (a host, when p is a main package; seen may be nil).
func LinksPlugin(p *packages.Package, seen map[*packages.Package]bool) bool {
	if seen == nil {
		seen = map[*packages.Package]bool{}
	}
	if seen[p] {
		return false
	}
	seen[p] = true
	if p.PkgPath == "plugin" {
		return true
	}
	for _, q := range p.Imports {
		if LinksPlugin(q, seen) {
			return true
		}
	}
	return false
}

type importerFunc func(path string) (*types.Package, error)

func (f importerFunc) Import(path string) (*types.Package, error) { return f(path) }

// newInfo is a types.Info recording everything.
func newInfo() *types.Info {
	return &types.Info{
		Types:        map[ast.Expr]types.TypeAndValue{},
		Defs:         map[*ast.Ident]types.Object{},
		Uses:         map[*ast.Ident]types.Object{},
		Implicits:    map[ast.Node]types.Object{},
		Instances:    map[*ast.Ident]types.Instance{},
		Scopes:       map[ast.Node]*types.Scope{},
		Selections:   map[*ast.SelectorExpr]*types.Selection{},
		FileVersions: map[*ast.File]string{},
	}
}

// goarch is the GOARCH the go command builds for in env.
func goarch(env []string) string {
	for i := len(env) - 1; i >= 0; i-- {
		if v, ok := strings.CutPrefix(env[i], "GOARCH="); ok && v != "" {
			return v
		}
	}
	if env == nil {
		if v := os.Getenv("GOARCH"); v != "" {
			return v
		}
	}
	return runtime.GOARCH
}

package vet

import (
	"cmp"
	"context"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"

	"golang.org/x/tools/go/gcexportdata"
	"golang.org/x/tools/go/packages"
)

// The loader runs `go list` twice and the type checker once per source
// package:
//
//  1. go list -deps (no -export, no -compiled) gives the whole import
//     graph with modules: cheap, and nothing is compiled.
//  2. go list -export on the packages whose types come from export data
//     (the dependencies that are not source packages) compiles them or
//     takes them from the build cache. The source packages themselves
//     are never compiled, unlike packages.Load with NeedTypes, which
//     asks go list for export data of every package.
//  3. Source packages (the pattern roots plus the main-module packages
//     they import, so that analyzers get facts about them) are parsed
//     while (2) runs, then type-checked in parallel in dependency order,
//     importing everything else from export data.
//
// The result is a set of *packages.Package values as checker.Analyze
// expects them: source packages with syntax and types, every other
// package with (possibly partial) types from export data.

// listMode is what step 1 asks for.
const listMode = packages.NeedName | packages.NeedFiles | packages.NeedImports | packages.NeedDeps | packages.NeedModule

type loaded struct {
	fset  *token.FileSet
	roots []*packages.Package // the packages the patterns match
	// source are the packages type-checked from source: roots first.
	source []*packages.Package
	all    map[string]*packages.Package // by ID
	errors []string
}

func goConfig(ctx context.Context, o *Options, mode packages.LoadMode) *packages.Config {
	cfg := &packages.Config{Context: ctx, Dir: o.Dir, Env: o.Env, Mode: mode}
	if len(o.Tags) > 0 {
		cfg.BuildFlags = []string{"-tags=" + strings.Join(o.Tags, ",")}
	}
	cfg.BuildFlags = append(cfg.BuildFlags, o.BuildFlags...)
	return cfg
}

// load loads the packages; listed, when not nil, is called with the
// roots as soon as they are listed (before anything is compiled, parsed
// or type-checked: Run starts the contract inference then).
func load(ctx context.Context, o *Options, listed func(roots []*packages.Package)) (*loaded, error) {
	roots, err := packages.Load(goConfig(ctx, o, listMode), o.Patterns...)
	if err != nil {
		return nil, fmt.Errorf("listing packages: %w", err)
	}
	l := &loaded{fset: token.NewFileSet(), all: map[string]*packages.Package{}}
	var visit func(p *packages.Package)
	visit = func(p *packages.Package) {
		if l.all[p.ID] != nil {
			return
		}
		l.all[p.ID] = p
		for _, q := range p.Imports {
			visit(q)
		}
	}
	isRoot := map[*packages.Package]bool{}
	for _, p := range roots {
		visit(p)
		if !isRoot[p] {
			isRoot[p] = true
			l.roots = append(l.roots, p)
		}
	}
	sort.Slice(l.roots, func(i, j int) bool { return l.roots[i].PkgPath < l.roots[j].PkgPath })
	if listed != nil {
		listed(l.roots)
	}

	// Source packages: the roots, and the main-module packages they
	// reach. Packages with list errors are not analyzed.
	bad := map[*packages.Package]bool{}
	for _, p := range l.roots {
		for _, e := range p.Errors {
			l.errors = append(l.errors, e.Error())
			bad[p] = true
		}
	}
	isSource := map[*packages.Package]bool{}
	for _, p := range l.roots {
		if !bad[p] && p.Name != "" {
			isSource[p] = true
			l.source = append(l.source, p)
		}
	}
	var extra []*packages.Package
	for _, p := range l.all {
		if !isSource[p] && !isRoot[p] && p.Module != nil && p.Module.Main && len(p.Errors) == 0 && len(p.GoFiles) > 0 {
			isSource[p] = true
			extra = append(extra, p)
		}
	}
	sort.Slice(extra, func(i, j int) bool { return extra[i].PkgPath < extra[j].PkgPath })
	l.source = append(l.source, extra...)

	// Step 2 (in the background): export data for the direct imports
	// of source packages that are not source packages themselves.
	need := map[string]*packages.Package{}
	for _, p := range l.source {
		for _, q := range p.Imports {
			if !isSource[q] && q.PkgPath != "unsafe" && q.PkgPath != "C" {
				need[q.ID] = q
			}
		}
	}
	exportErr := make(chan error, 1)
	go func() { exportErr <- exportFiles(ctx, o, need) }()

	// Step 3: parse while go list compiles.
	if err := l.parse(ctx); err != nil {
		<-exportErr
		return nil, err
	}
	if err := <-exportErr; err != nil {
		return nil, err
	}
	l.check(ctx, isSource, o)
	return l, nil
}

// exportFiles sets ExportFile of the packages in need.
func exportFiles(ctx context.Context, o *Options, need map[string]*packages.Package) error {
	if len(need) == 0 {
		return nil
	}
	ids := make([]string, 0, len(need))
	for id := range need {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	pkgs, err := packages.Load(goConfig(ctx, o, packages.NeedName|packages.NeedExportFile), ids...)
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
func (l *loaded) parse(ctx context.Context) error {
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	sem := make(chan struct{}, 2*runtime.GOMAXPROCS(0))
	perrs := make([][]error, len(l.source))
	for k, p := range l.source {
		p.Fset = l.fset
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
				p.Syntax[i], perr[i] = parser.ParseFile(l.fset, name, src, parser.ParseComments|parser.SkipObjectResolution)
			}()
		}
	}
	wg.Wait()
	for k, p := range l.source {
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
func (l *loaded) check(ctx context.Context, isSource map[*packages.Package]bool, o *Options) {
	sizes := types.SizesFor("gc", goarch(o.Env))
	var mu sync.Mutex // guards view and the types of export-data packages
	view := map[string]*types.Package{}
	fromExport := map[*packages.Package]bool{}
	for _, p := range l.all {
		p.Fset = l.fset
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
		tp, err := gcexportdata.Read(r, l.fset, view, p.PkgPath)
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
	for _, p := range l.source {
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
	for _, p := range l.source {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer close(done[p])
			for _, q := range waitFor(p) {
				<-done[q]
			}
			sem <- struct{}{}
			defer func() { <-sem }()
			l.checkOne(p, isSource, importExport, &mu, view)
		}()
	}
	wg.Wait()
	for _, p := range l.source {
		if len(p.Errors) > 0 {
			for _, e := range p.Errors {
				l.errors = append(l.errors, e.Error())
			}
		}
	}
}

func (l *loaded) checkOne(p *packages.Package, isSource map[*packages.Package]bool, importExport func(*packages.Package) (*types.Package, error), mu *sync.Mutex, view map[string]*types.Package) {
	info := newInfo()
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
	tp, _ := conf.Check(p.PkgPath, l.fset, files, info)
	p.Types, p.TypesInfo = tp, info
	for _, e := range p.TypeErrors {
		p.Errors = append(p.Errors, packages.Error{Pos: l.fset.Position(e.Pos).String(), Msg: e.Msg, Kind: packages.TypeError})
	}
	p.IllTyped = len(p.Errors) > 0
	// Export data of packages that import this one must see these types.
	mu.Lock()
	view[p.PkgPath] = tp
	mu.Unlock()
}

type importerFunc func(path string) (*types.Package, error)

func (f importerFunc) Import(path string) (*types.Package, error) { return f(path) }

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

// pkgDir is the directory of a package.
func pkgDir(p *packages.Package) string {
	if p.Dir != "" {
		return p.Dir
	}
	if len(p.GoFiles) > 0 {
		return filepath.Dir(p.GoFiles[0])
	}
	return ""
}

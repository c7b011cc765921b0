package contract

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

// Loading, in the manner of internal/vet (kept separate so that the two
// can evolve independently):
//
//  1. go list -deps (nothing compiled) gives the import graph and modules;
//  2. the source packages are the roots and the packages of the main
//     module(s) they import that link package plugin (only they can call
//     Lookup or wrap it); their other imports (the standard library,
//     other modules, main-module packages that cannot reach plugin) come
//     from export data: go list -export on just those, from the build
//     cache when warm;
//  3. the source packages are parsed while (2) runs, then type-checked in
//     dependency order, in parallel.

const listMode = packages.NeedName | packages.NeedFiles | packages.NeedImports | packages.NeedDeps | packages.NeedModule

type program struct {
	fset   *token.FileSet
	roots  []*packages.Package
	source []*packages.Package // roots first
	errors []string
}

func (o *InferOptions) config(ctx context.Context, mode packages.LoadMode) *packages.Config {
	cfg := &packages.Config{Context: ctx, Dir: o.Dir, Env: o.Env, Mode: mode}
	if len(o.Tags) > 0 {
		cfg.BuildFlags = []string{"-tags=" + strings.Join(o.Tags, ",")}
	}
	return cfg
}

// load lists the patterns and type-checks the source packages. keep
// filters the roots (nil keeps all).
func load(ctx context.Context, o *InferOptions, patterns []string, keep func(p *packages.Package, linksPlugin bool) bool) (*program, error) {
	listed, err := packages.Load(o.config(ctx, listMode), patterns...)
	if err != nil {
		return nil, fmt.Errorf("listing packages: %w", err)
	}
	prog := &program{fset: token.NewFileSet()}
	all := map[string]*packages.Package{}
	var visit func(p *packages.Package)
	visit = func(p *packages.Package) {
		if all[p.ID] != nil {
			return
		}
		all[p.ID] = p
		for _, q := range p.Imports {
			visit(q)
		}
	}
	for _, p := range listed {
		visit(p)
	}
	// linksPlugin: the package is plugin or imports it, directly or not.
	linksPlugin := map[string]bool{}
	var links func(p *packages.Package) bool
	done := map[string]bool{}
	links = func(p *packages.Package) bool {
		if done[p.ID] {
			return linksPlugin[p.ID]
		}
		done[p.ID] = true
		r := p.PkgPath == "plugin"
		for _, q := range p.Imports {
			if links(q) {
				r = true
			}
		}
		linksPlugin[p.ID] = r
		return r
	}
	seen := map[*packages.Package]bool{}
	for _, p := range listed {
		if seen[p] {
			continue
		}
		seen[p] = true
		for _, e := range p.Errors {
			prog.errors = append(prog.errors, e.Error())
		}
		if len(p.Errors) > 0 || p.Name == "" {
			continue
		}
		if keep != nil && !keep(p, links(p)) {
			continue
		}
		prog.roots = append(prog.roots, p)
	}
	sort.Slice(prog.roots, func(i, j int) bool { return prog.roots[i].PkgPath < prog.roots[j].PkgPath })

	isSource := map[*packages.Package]bool{}
	for _, p := range prog.roots {
		isSource[p] = true
		prog.source = append(prog.source, p)
	}
	// The main-module packages the roots reach that link plugin.
	var extra []*packages.Package
	reach := map[*packages.Package]bool{}
	var walk func(p *packages.Package)
	walk = func(p *packages.Package) {
		if reach[p] {
			return
		}
		reach[p] = true
		for _, q := range p.Imports {
			walk(q)
		}
	}
	for _, p := range prog.roots {
		walk(p)
	}
	for p := range reach {
		if !isSource[p] && p.Module != nil && p.Module.Main && len(p.Errors) == 0 && len(p.GoFiles) > 0 && links(p) {
			isSource[p] = true
			extra = append(extra, p)
		}
	}
	sort.Slice(extra, func(i, j int) bool { return extra[i].PkgPath < extra[j].PkgPath })
	prog.source = append(prog.source, extra...)

	need := map[string]*packages.Package{}
	for _, p := range prog.source {
		for _, q := range p.Imports {
			if !isSource[q] && q.PkgPath != "unsafe" && q.PkgPath != "C" {
				need[q.ID] = q
			}
		}
	}
	exportErr := make(chan error, 1)
	go func() { exportErr <- exportFiles(ctx, o, need) }()
	if err := prog.parse(ctx); err != nil {
		<-exportErr
		return nil, err
	}
	if err := <-exportErr; err != nil {
		return nil, err
	}
	prog.check(all, isSource, o)
	return prog, nil
}

func exportFiles(ctx context.Context, o *InferOptions, need map[string]*packages.Package) error {
	if len(need) == 0 {
		return nil
	}
	ids := make([]string, 0, len(need))
	for id := range need {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	pkgs, err := packages.Load(o.config(ctx, packages.NeedName|packages.NeedExportFile), ids...)
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

func (prog *program) parse(ctx context.Context) error {
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	sem := make(chan struct{}, 2*runtime.GOMAXPROCS(0))
	perrs := make([][]error, len(prog.source))
	for k, p := range prog.source {
		p.Fset = prog.fset
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
				p.Syntax[i], perr[i] = parser.ParseFile(prog.fset, name, src, parser.SkipObjectResolution)
			}()
		}
	}
	wg.Wait()
	for k, p := range prog.source {
		for _, err := range perrs[k] {
			if err != nil {
				p.Errors = append(p.Errors, packages.Error{Msg: err.Error(), Kind: packages.ParseError})
			}
		}
	}
	return cmp.Or(ctx.Err(), firstErr)
}

// check type-checks the source packages in dependency order, in
// parallel, importing every other package from export data.
func (prog *program) check(all map[string]*packages.Package, isSource map[*packages.Package]bool, o *InferOptions) {
	sizes := types.SizesFor("gc", goarch(o.Env))
	var mu sync.Mutex // guards view and the export-data packages
	view := map[string]*types.Package{}
	fromExport := map[*packages.Package]bool{}
	for _, p := range all {
		p.Fset = prog.fset
		p.TypesSizes = sizes
		if p.PkgPath == "unsafe" {
			p.Types = types.Unsafe
			continue
		}
		if !isSource[p] {
			p.Types = types.NewPackage(p.PkgPath, p.Name)
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
		tp, err := gcexportdata.Read(r, prog.fset, view, p.PkgPath)
		delete(view, "go.shape")
		if err != nil {
			return nil, fmt.Errorf("reading export data of %s: %v", p.PkgPath, err)
		}
		p.Types = tp
		fromExport[p] = true
		return tp, nil
	}
	done := map[*packages.Package]chan struct{}{}
	for _, p := range prog.source {
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
	for _, p := range prog.source {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer close(done[p])
			for _, q := range waitFor(p) {
				<-done[q]
			}
			sem <- struct{}{}
			defer func() { <-sem }()
			checkOne(prog.fset, p, isSource, importExport, &mu, view)
		}()
	}
	wg.Wait()
	for _, p := range prog.source {
		for _, e := range p.Errors {
			prog.errors = append(prog.errors, e.Error())
		}
	}
}

func checkOne(fset *token.FileSet, p *packages.Package, isSource map[*packages.Package]bool, importExport func(*packages.Package) (*types.Package, error), mu *sync.Mutex, view map[string]*types.Package) {
	info := &types.Info{
		Types:      map[ast.Expr]types.TypeAndValue{},
		Defs:       map[*ast.Ident]types.Object{},
		Uses:       map[*ast.Ident]types.Object{},
		Implicits:  map[ast.Node]types.Object{},
		Instances:  map[*ast.Ident]types.Instance{},
		Selections: map[*ast.SelectorExpr]*types.Selection{},
	}
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
	tp, _ := conf.Check(p.PkgPath, fset, files, info)
	p.Types, p.TypesInfo = tp, info
	for _, e := range p.TypeErrors {
		p.Errors = append(p.Errors, packages.Error{Pos: fset.Position(e.Pos).String(), Msg: e.Msg, Kind: packages.TypeError})
	}
	p.IllTyped = len(p.Errors) > 0
	mu.Lock()
	view[p.PkgPath] = tp
	mu.Unlock()
}

type importerFunc func(path string) (*types.Package, error)

func (f importerFunc) Import(path string) (*types.Package, error) { return f(path) }

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

// Package infer reads a host's source and infers the plugin contract it
// implies (a contract.Contract): it loads the host packages (go/packages),
// indexes their functions and call graph, finds every symbol lookup the
// host can reach, evaluates its name and the path of the plugin it is
// made on, follows the looked-up value and error to the type assertions
// and to what the host does when the symbol is missing, and reads how
// the host lists a folder of plugins. The model, its merging with
// declarations and its rendering are package contract's.
package infer

import (
	"context"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/tools/go/packages"
	"golang.org/x/tools/go/types/typeutil"

	"github.com/pluginctl/pluginctl/internal/contract"
	"github.com/pluginctl/pluginctl/internal/load"
)

// Options say which host packages to read.
type Options struct {
	// Dir is the directory go list runs in ("" = the current one).
	Dir string
	// Patterns are the host packages. Empty means "./...", keeping only
	// the hosts among them: main packages that declare func main and link
	// package plugin (a package main without func main is a plugin). A
	// pattern naming a non-main package analyses all of its functions.
	Patterns []string
	// Env is the go command's environment (nil = os.Environ()).
	Env []string
	// Tags are build tags.
	Tags []string
	// BuildFlags are further go build flags for go list (the build's
	// own, e.g. -trimpath, so that the builds reuse the export data the
	// inference compiles).
	BuildFlags []string
	// Base is the directory positions are relative to; "" means the
	// main module's root (the common directory of the main modules).
	Base string
}

// LoadError is a host package that does not load or type-check.
type LoadError struct{ Errors []string }

func (e *LoadError) Error() string {
	return "loading host packages:\n\t" + strings.Join(e.Errors, "\n\t")
}

// Contract reads the host packages and returns the contract their code
// implies. Positions are relative to the main module's root (to the
// common directory of the main modules in a workspace).
//
// What is found: every call to (*plugin.Plugin).Lookup (or to a Lookup
// method of an interface, or a function value of its type: see isLookup)
// in the code the hosts can reach (the static call graph from main and the init
// functions, through calls, function values and interface method calls),
// in the host packages and in the main-module packages they import that
// link package plugin (pluginapi/loader, say).
//
// The symbol name: a constant (also a named constant such as
// pluginapi.SymbolNew), a local variable only ever assigned constants, or
// the value variable of a range over a literal list of constants. A name
// that is a parameter of the function calling Lookup (a helper such as
// func lookup(p *plugin.Plugin, name string)) is resolved at each call of
// that function, through any number of such helpers. Anything else is an
// Unresolved with its position and the reason.
//
// The plugin: when the *plugin.Plugin comes from plugin.Open with a
// constant path (or filepath.Join / path.Join of constants), directly or
// through helper parameters, the symbols looked up on it are tied to that
// plugin (Entry.Plugins is the path's base name without ".so");
// otherwise they apply to all plugins.
//
// The type: the result of Lookup is followed through assignments,
// conversions, returns (to the caller that passed the name, or to every
// caller) and arguments (into the callee's parameter); every type
// assertion (plain or comma-ok) and every case of a type switch on it
// adds an alternative. Type parameters are instantiated from the call
// that leads to the assertion (func lookup[T any](...) (T, error)).
//
// Required or optional (a heuristic): the "not found" path is the branch
// taken when Lookup's error is non-nil (if err != nil {...}, the else or
// the code after if err == nil {...; return}, a case err != nil:). The
// symbol is required when that path panics or exits (panic, os.Exit,
// log.Fatal, t.Fatal, a helper that always does), skips (continue, break,
// goto), returns from a function without an error result, or returns a
// non-nil error, unless every caller the error reaches tolerates it. It
// is optional when the path returns only nil errors (return nil, nil) or
// falls through. When the error is ignored, the same rules apply to the
// failed comma-ok (if !ok), the nil check or the type switch default; a
// plain assertion panics, so it makes the symbol required. With no
// evidence at all the symbol is required. Any site requiring a symbol
// makes it required.
func Contract(ctx context.Context, o Options) (*contract.Contract, error) {
	patterns := o.Patterns
	var keep func(p *packages.Package) bool // nil: every package named is a host
	if len(patterns) == 0 {
		patterns = []string{"./..."}
		keep = func(p *packages.Package) bool {
			return p.Name == "main" && load.LinksPlugin(p, nil) && declaresFuncMain(p)
		}
	}
	prog, err := loadProgram(ctx, &o, patterns, keep)
	if err != nil {
		return nil, err
	}
	if len(prog.Errors) > 0 {
		return nil, &LoadError{Errors: prog.Errors}
	}
	base := o.Base
	if base == "" {
		base = baseDir(prog)
	}
	return inferProgram(prog, base), nil
}

// declaresFuncMain reports whether a package main declares func main,
// from its files' declarations: one without it is a plugin (that may
// import the framework loading it), never a host.
func declaresFuncMain(p *packages.Package) bool {
	fset := token.NewFileSet()
	for _, name := range p.GoFiles {
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			return true // unknown: as a host, as before
		}
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv == nil && fd.Name.Name == "main" {
				return true
			}
		}
	}
	return false
}

func inferProgram(prog *load.Program, base string) *contract.Contract {
	a := newAnalyzer(prog, base)
	a.buildCallGraph(a.rootFuncs(prog))
	c := &contract.Contract{}
	for _, r := range prog.SourceRoots() {
		c.Hosts = append(c.Hosts, r.PkgPath)
	}
	acc := newAccumulator(a)
	a.eachCall(func(f *fn, call *ast.CallExpr) {
		if !a.isLookup(f.info(), call) || len(call.Args) != 1 {
			return
		}
		name := a.evalName(f, call.Args[0])
		plug := plugItem{}
		if recv := a.lookupRecv(f, call); recv != nil {
			plug = a.evalPlugin(f, recv, 0)
		}
		count := 0
		a.budget = maxWalk
		a.walkUp(f, name, plug, nil, 0, func(name nameItem, plug plugItem, chain []*callSite, nameAt int) {
			if count++; count > maxInstances {
				return
			}
			fl := a.newFlow()
			fl.nameHelpers = chain[:nameAt]
			fl.fromResult(f, call, 0, chain, fk{sym: true, v: &fl.okV})
			fl.fromResult(f, call, 1, chain, fk{v: &fl.errV})
			acc.add(f, call, name, plug, fl)
		})
	})
	acc.finish(c)
	a.namedOpens(c)
	c.Folder = a.inferFolder()
	return contract.Merge(c)
}

func baseDir(prog *load.Program) string {
	var dirs []string
	for _, p := range prog.SourceRoots() {
		if p.Module != nil && p.Module.Dir != "" {
			dirs = append(dirs, filepath.Clean(p.Module.Dir))
		}
	}
	if len(dirs) == 0 {
		return ""
	}
	base := dirs[0]
	for _, d := range dirs[1:] {
		for base != "" && d != base && !strings.HasPrefix(d, base+string(filepath.Separator)) {
			parent := filepath.Dir(base)
			if parent == base {
				return ""
			}
			base = parent
		}
	}
	return base
}

func (a *analyzer) pos(p token.Pos) string {
	if !p.IsValid() {
		return ""
	}
	position := a.fset.Position(p)
	name := position.Filename
	for _, m := range a.mods {
		if rel, ok := strings.CutPrefix(name, m.dir+string(filepath.Separator)); ok {
			return m.prefix + "/" + filepath.ToSlash(rel) + ":" + strconv.Itoa(position.Line)
		}
	}
	if a.base != "" {
		if rel, err := filepath.Rel(a.base, name); err == nil && !strings.HasPrefix(rel, "..") {
			name = rel
		}
	}
	return filepath.ToSlash(name) + ":" + strconv.Itoa(position.Line)
}

// isLookup reports whether call looks a symbol up in a plugin:
// (*plugin.Plugin).Lookup; a method Lookup(string) (plugin.Symbol, error)
// of an interface (a framework's Plugin interface, which *plugin.Plugin
// implements); or a call of a function value of that type (a method
// value p.Lookup, a field or variable holding one) whose body pluginctl
// does not have (a function literal or declared function assigned to a
// variable is followed into instead).
func (a *analyzer) isLookup(info *types.Info, call *ast.CallExpr) bool {
	switch f := typeutil.Callee(info, call).(type) {
	case *types.Func:
		if f.FullName() == "(*plugin.Plugin).Lookup" {
			return true
		}
		recv := f.Signature().Recv()
		return f.Name() == "Lookup" && recv != nil && types.IsInterface(recv.Type()) && isLookupSig(f.Signature())
	case *types.Builtin, *types.TypeName:
		return false
	}
	if a.callee(info, call) != nil {
		return false
	}
	sig, ok := info.TypeOf(call.Fun).Underlying().(*types.Signature)
	return ok && isLookupSig(sig)
}

// lookupRecv returns the plugin expression a Lookup call looks up in:
// p of p.Lookup(name), or of lookup(name) after lookup := p.Lookup (a
// variable assigned that method value once); nil when unknown.
func (a *analyzer) lookupRecv(f *fn, call *ast.CallExpr) ast.Expr {
	switch fun := ast.Unparen(call.Fun).(type) {
	case *ast.SelectorExpr:
		if _, isMethod := f.info().Selections[fun]; isMethod {
			return fun.X
		}
	case *ast.Ident:
		if v, ok := f.info().Uses[fun].(*types.Var); ok {
			if ds := a.defs[v]; len(ds) == 1 && ds[0].tuple < 0 && ds[0].rhs != nil && ds[0].fn == f {
				if sel, ok := ast.Unparen(ds[0].rhs).(*ast.SelectorExpr); ok {
					if s, isMethod := f.info().Selections[sel]; isMethod && s.Kind() == types.MethodVal {
						return sel.X
					}
				}
			}
		}
	}
	return nil
}

// isLookupSig: func(string) (plugin.Symbol, error).
func isLookupSig(sig *types.Signature) bool {
	if sig.Params().Len() != 1 || sig.Results().Len() != 2 || sig.Variadic() {
		return false
	}
	if b, ok := sig.Params().At(0).Type().Underlying().(*types.Basic); !ok || b.Kind() != types.String {
		return false
	}
	n, ok := types.Unalias(sig.Results().At(0).Type()).(*types.Named)
	if !ok || n.Obj().Pkg() == nil || n.Obj().Pkg().Path() != "plugin" || n.Obj().Name() != "Symbol" {
		return false
	}
	return isError(sig.Results().At(1).Type())
}

const (
	maxDepth     = 12   // helpers between a Lookup and the constant name
	maxInstances = 256  // instantiations of one Lookup call
	maxWalk      = 4096 // steps resolving one Lookup call's name and plugin
)

const (
	plugAll       plugKind = iota // any plugin
	plugConst                     // opened from constant paths
	plugRecvParam                 // a *plugin.Plugin parameter
	plugPathExpr                  // opened from a path depending on parameters
)

// walkUp resolves the name and the plugin of a Lookup in f that depend
// on f's parameters, at every reachable call of f, and calls emit with
// each resolution, the chain of calls (innermost first) it went through,
// and how many of them passed the name.
func (a *analyzer) walkUp(f *fn, name nameItem, plug plugItem, chain []*callSite, nameAt int, emit func(nameItem, plugItem, []*callSite, int)) {
	if name.isPar {
		nameAt = len(chain) + 1
	}
	if a.budget <= 0 {
		return
	}
	a.budget--
	if !name.isPar && !plug.isParam() {
		emit(name, plug, chain, min(nameAt, len(chain)))
		return
	}
	callers := a.callers[f]
	if len(callers) == 0 || len(chain) >= maxDepth {
		if name.isPar {
			name = nameItem{reason: fmt.Sprintf("symbol name from parameter %s of %s, which is not called directly", paramName(f, name.param), f.name), pos: name.pos}
		}
		if plug.kind == plugRecvParam {
			plug = plugItem{}
		}
		plug = a.resolvePath(plug, true)
		emit(name, plug, chain, min(nameAt, len(chain)))
		return
	}
	for _, cs := range callers {
		if slices.Contains(chain, cs) {
			continue
		}
		n2 := name
		if name.isPar {
			if arg := argAt(cs, name.param); arg != nil {
				n2 = a.evalName(cs.caller, arg)
			} else {
				n2 = nameItem{reason: fmt.Sprintf("symbol name from parameter %s of %s, called with a form pluginctl does not follow", paramName(f, name.param), f.name), pos: cs.call.Pos()}
			}
		}
		a.walkUp(cs.caller, n2, a.bind(plug, cs, 0), append(slices.Clip(chain), cs), nameAt, emit)
	}
}

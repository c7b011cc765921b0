// Evaluation of the path handed to plugin.Open: which plugin file a
// Lookup is made on.

package infer

import (
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/pluginctl/pluginctl/internal/contract"
)

// maxAlts bounds the alternatives of one evaluated string.
const maxAlts = 32

// unknownStr is the glob of a string pluginctl cannot tell.
var unknownStr = []string{"*"}

// evalStr evaluates the string expression e in f as far as the code
// allows: its possible values, each a glob in which "*" stands for a
// part not known (a flag, a configuration value, a directory listing).
// It follows constants, +, filepath.Join/Abs/Clean/Base, path.Join/
// Clean/Base, fmt.Sprintf with a constant format, local variables (a
// range over a constant list gives one value per element), and helper
// functions returning a string. A parameter of f is the argument at
// env[0] (env is the chain of calls that led to f, innermost first:
// env[0].callee == f); free reports that the value depends on a
// parameter of the outermost function, which no call binds yet.
func (a *analyzer) evalStr(f *fn, e ast.Expr, env []*callSite, depth int) (vals []string, free bool) {
	if depth > 12 {
		return unknownStr, false
	}
	e = ast.Unparen(e)
	info := f.info()
	if tv, ok := info.Types[e]; ok && tv.Value != nil {
		if tv.Value.Kind() == constant.String {
			return []string{constant.StringVal(tv.Value)}, false
		}
		return []string{tv.Value.ExactString()}, false
	}
	switch x := e.(type) {
	case *ast.BinaryExpr:
		if x.Op != token.ADD {
			return unknownStr, false
		}
		l, fl := a.evalStr(f, x.X, env, depth+1)
		r, fr := a.evalStr(f, x.Y, env, depth+1)
		return cross([][]string{l, r}, func(p []string) string { return strings.Join(p, "") }), fl || fr
	case *ast.CallExpr:
		return a.evalStrCall(f, x, env, depth)
	case *ast.Ident:
		v, ok := info.Uses[x].(*types.Var)
		if !ok {
			return unknownStr, false
		}
		if i, ok := paramIndex(f, v); ok {
			if len(env) > 0 && env[0].callee == f {
				if arg := argAt(env[0], i); arg != nil {
					return a.evalStr(env[0].caller, arg, env[1:], depth+1)
				}
				return unknownStr, false
			}
			return unknownStr, true
		}
		ds := a.defs[v]
		if len(ds) == 0 {
			return unknownStr, false
		}
		var out []string
		free := false
		for _, d := range ds {
			sub := env
			if d.fn != f {
				sub = nil
			}
			vs, fr := unknownStr, false
			switch {
			case d.rng != nil:
				if list, ok := a.constList(d.fn, d.rng, 0); ok && len(list) > 0 {
					vs = list
				}
			case d.rhs != nil && d.tuple < 0:
				vs, fr = a.evalStr(d.fn, d.rhs, sub, depth+1)
			case d.rhs != nil && d.tuple == 0:
				if call, ok := ast.Unparen(d.rhs).(*ast.CallExpr); ok && isFunc(d.fn.info(), call, "path/filepath.Abs") {
					vs, fr = a.evalStrCall(d.fn, call, sub, depth)
				}
			}
			out = append(out, vs...)
			free = free || fr
		}
		return compactAlts(out), free
	}
	return unknownStr, false
}

func (a *analyzer) evalStrCall(f *fn, call *ast.CallExpr, env []*callSite, depth int) ([]string, bool) {
	info := f.info()
	args := func() ([][]string, bool) {
		var parts [][]string
		free := false
		for _, arg := range call.Args {
			v, fr := a.evalStr(f, arg, env, depth+1)
			parts = append(parts, v)
			free = free || fr
		}
		return parts, free
	}
	each := func(g func(string) string) ([]string, bool) {
		if len(call.Args) != 1 {
			return unknownStr, false
		}
		v, fr := a.evalStr(f, call.Args[0], env, depth+1)
		var out []string
		for _, s := range v {
			out = append(out, g(s))
		}
		return compactAlts(out), fr
	}
	slash := func(s string) string { return filepath.ToSlash(s) }
	switch {
	case call.Ellipsis.IsValid():
		return unknownStr, false
	case isFunc(info, call, "path/filepath.Join"), isFunc(info, call, "path.Join"):
		parts, free := args()
		return cross(parts, func(p []string) string {
			for i := range p {
				p[i] = slash(p[i])
			}
			return path.Join(p...)
		}), free
	case isFunc(info, call, "path/filepath.Abs"), isFunc(info, call, "path/filepath.Clean"), isFunc(info, call, "path.Clean"):
		// Abs of a relative path is that path under the host's working
		// directory: kept relative, as plugin patterns match it.
		return each(func(s string) string { return path.Clean(slash(s)) })
	case isFunc(info, call, "path/filepath.Base"), isFunc(info, call, "path.Base"):
		return each(func(s string) string { return path.Base(slash(s)) })
	case isFunc(info, call, "path/filepath.FromSlash"), isFunc(info, call, "path/filepath.ToSlash"):
		return each(slash)
	case isFunc(info, call, "fmt.Sprintf"):
		if len(call.Args) == 0 {
			return unknownStr, false
		}
		tv, ok := info.Types[ast.Unparen(call.Args[0])]
		if !ok || tv.Value == nil || tv.Value.Kind() != constant.String {
			return unknownStr, false
		}
		format := constant.StringVal(tv.Value)
		parts, free := args()
		return cross(parts[1:], func(p []string) string { return sprintf(format, p) }), free
	}
	// A source function returning the string: its return values, with
	// its parameters bound by this call.
	g := a.callee(info, call)
	if g == nil || g.sig == nil || g.sig.Results().Len() != 1 || depth > 8 {
		return unknownStr, false
	}
	inner := append([]*callSite{{call: call, caller: f, callee: g}}, env...)
	var out []string
	free := false
	walkOwn(g, func(n ast.Node) bool {
		ret, ok := n.(*ast.ReturnStmt)
		if !ok || len(ret.Results) != 1 {
			return true
		}
		v, fr := a.evalStr(g, ret.Results[0], inner, depth+1)
		out = append(out, v...)
		free = free || fr
		return true
	})
	if len(out) == 0 {
		return unknownStr, false
	}
	return compactAlts(out), free
}

// sprintf formats a constant format with the evaluated arguments: %s,
// %v, %d take the argument's value; any other verb is unknown.
func sprintf(format string, args []string) string {
	var b strings.Builder
	n := 0
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c != '%' {
			b.WriteByte(c)
			continue
		}
		j := i + 1
		for j < len(format) && strings.IndexByte("+-# 0123456789.", format[j]) >= 0 {
			j++
		}
		if j >= len(format) {
			b.WriteString("*")
			break
		}
		switch verb := format[j]; verb {
		case '%':
			b.WriteByte('%')
		case 's', 'v', 'd':
			if n < len(args) {
				b.WriteString(args[n])
			} else {
				b.WriteString("*")
			}
			n++
		default:
			b.WriteString("*")
			n++
		}
		i = j
	}
	return b.String()
}

// cross combines one alternative of each part, for every combination
// (at most maxAlts; beyond, the result is unknown).
func cross(parts [][]string, join func([]string) string) []string {
	total := 1
	for _, p := range parts {
		total *= max(len(p), 1)
		if total > maxAlts {
			return unknownStr
		}
	}
	var out []string
	cur := make([]string, len(parts))
	var rec func(i int)
	rec = func(i int) {
		if i == len(parts) {
			out = append(out, join(slices.Clone(cur)))
			return
		}
		for _, v := range parts[i] {
			cur[i] = v
			rec(i + 1)
		}
	}
	rec(0)
	return compactAlts(out)
}

// compactAlts sorts and deduplicates alternatives, and collapses runs
// of "*" (an unknown part next to another is one unknown part).
func compactAlts(vs []string) []string {
	out := make([]string, 0, len(vs))
	for _, v := range vs {
		for strings.Contains(v, "**") {
			v = strings.ReplaceAll(v, "**", "*")
		}
		out = append(out, v)
	}
	slices.Sort(out)
	out = slices.Compact(out)
	if len(out) > maxAlts {
		return unknownStr
	}
	return out
}

// resolvePath evaluates a deferred path (plugPathExpr): to globs when
// its value does not depend on the parameters of its chain's outermost
// function, or when final (those parameters are then unknown); else it
// stays deferred until walkUp binds them.
func (a *analyzer) resolvePath(it plugItem, final bool) plugItem {
	if it.kind != plugPathExpr {
		return it
	}
	vals, free := a.evalStr(it.pathFn, it.pathExpr, it.env, 0)
	if free && !final {
		return it
	}
	return plugItem{kind: plugConst, paths: vals, origin: it.origin, loop: it.loop}
}

// extend binds the outermost function's parameters at the call cs.
func (a *analyzer) extend(it plugItem, cs *callSite) plugItem {
	it.loop = it.loop || a.inLoop(cs.call)
	outer := it.pathFn
	if len(it.env) > 0 {
		outer = it.env[len(it.env)-1].caller
	}
	if it.kind != plugPathExpr || outer != cs.callee {
		return a.resolvePath(it, true)
	}
	it.env = append(slices.Clip(it.env), cs)
	return a.resolvePath(it, false)
}

// fullName is the plugin a path glob names: the file name without .so,
// under its folder when that is a constant relative path ("sub/plugin1":
// relative to the host's working directory); "" when the file name is
// not known.
func fullName(glob string) string {
	p := path.Clean(filepath.ToSlash(glob))
	base := path.Base(p)
	if strings.Contains(base, "*") || base == "." || base == "/" || base == ".." {
		return ""
	}
	name := strings.TrimSuffix(base, ".so")
	dir := path.Dir(p)
	if dir == "." || strings.HasPrefix(dir, "/") || strings.Contains(dir, "*") || dir == ".." || strings.HasPrefix(dir, "../") {
		return name
	}
	return dir + "/" + name
}

// namedOpens adds a kind without symbols for each plugin the host opens
// by a constant name without looking anything up in it (plugin2-dup.so
// in Go's plugin tests), when it opens others by name: the host does
// open that file.
func (a *analyzer) namedOpens(c *contract.Contract) {
	tied := map[string]bool{}
	for _, k := range c.Kinds {
		if k.Plugins != "" {
			tied[k.Plugins] = true
		}
	}
	if len(tied) == 0 {
		return
	}
	a.eachCall(func(f *fn, call *ast.CallExpr) {
		if len(call.Args) != 1 || !isFunc(f.info(), call, "plugin.Open") {
			return
		}
		vals, free := a.evalStr(f, call.Args[0], nil, 0)
		if free {
			return
		}
		for _, v := range vals {
			name := fullName(v)
			if name == "" || tied[name] || tied[path.Base(name)] {
				continue
			}
			tied[name] = true
			c.Kinds = append(c.Kinds, contract.Kind{Name: name, Plugins: name, Symbols: []string{},
				Sources: []contract.Source{{Kind: contract.SourceLookup, Pos: a.pos(call.Pos()), Plugin: v}}})
		}
	})
}

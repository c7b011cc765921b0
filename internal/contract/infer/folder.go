// The host's rule for the files of a folder it opens: how it lists the
// folder and which names it keeps.

package infer

import (
	"fmt"
	"go/ast"
	"go/token"
	"path"
	"path/filepath"
	"strings"

	"github.com/pluginctl/pluginctl/internal/contract"
)

// listing is a call that lists a folder.
type listing struct {
	how   string
	f     *fn
	call  *ast.CallExpr
	match string // from a glob pattern
}

// inferFolder finds how the host lists the folder of its plugins: a
// listing call (os.ReadDir, filepath.Glob, filepath.Walk/WalkDir,
// fs.WalkDir) in a function that opens plugins (or whose literals do),
// and the filter on the names there (strings.HasSuffix, filepath.Ext
// compared with a constant, strings.EqualFold, strings.ToLower,
// strings.Contains). nil when the host lists no folder and opens no
// plugin in a loop over something unknown.
func (a *analyzer) inferFolder() *contract.Folder {
	var lists []listing
	opensIn := map[*fn]bool{} // top functions opening plugins
	var loopOpens []token.Pos
	a.eachCall(func(f *fn, call *ast.CallExpr) {
		info := f.info()
		switch {
		case isFunc(info, call, "plugin.Open"):
			opensIn[f.top] = true
			if len(call.Args) == 1 && a.opensUnknownInLoop(f, call) {
				loopOpens = append(loopOpens, call.Pos())
			}
		case isFunc(info, call, "os.ReadDir"), isFunc(info, call, "io/ioutil.ReadDir"),
			isFunc(info, call, "(*os.File).ReadDir"), isFunc(info, call, "(*os.File).Readdirnames"), isFunc(info, call, "(*os.File).Readdir"):
			lists = append(lists, listing{how: "readdir", f: f, call: call})
		case isFunc(info, call, "path/filepath.Glob"):
			l := listing{how: "glob", f: f, call: call}
			if len(call.Args) == 1 {
				if vals, _ := a.evalStr(f, call.Args[0], nil, 0); len(vals) == 1 {
					l.match = path.Base(filepath.ToSlash(vals[0]))
				}
			}
			lists = append(lists, l)
		case isFunc(info, call, "path/filepath.Walk"), isFunc(info, call, "path/filepath.WalkDir"), isFunc(info, call, "io/fs.WalkDir"):
			lists = append(lists, listing{how: "walk", f: f, call: call})
		}
	})
	var near []listing
	for _, l := range lists {
		if opensIn[l.f.top] {
			near = append(near, l)
		}
	}
	if len(near) == 0 {
		// The functions that call (up to a few calls away) one that
		// opens plugins: a listing there feeds the opens.
		reach := map[*fn]bool{}
		var up func(g *fn, depth int)
		up = func(g *fn, depth int) {
			if depth > 4 {
				return
			}
			for _, h := range a.nested[g] {
				for _, cs := range a.callers[h] {
					if !reach[cs.caller.top] {
						reach[cs.caller.top] = true
						up(cs.caller.top, depth+1)
					}
				}
			}
		}
		for g := range opensIn {
			reach[g] = true
			up(g, 0)
		}
		for _, l := range lists {
			// In such a function, or in one it calls (Load calling
			// Files, then LoadFiles).
			called := false
			for _, h := range a.nested[l.f.top] {
				for _, cs := range a.callers[h] {
					called = called || reach[cs.caller.top]
				}
			}
			if reach[l.f.top] || called {
				near = append(near, l)
			}
		}
	}
	if len(near) == 0 {
		if len(loopOpens) > 0 {
			return &contract.Folder{Pos: a.pos(loopOpens[0]), Unknown: fmt.Sprintf("the host opens plugins in a loop at %s over files pluginctl cannot tell how it lists", a.pos(loopOpens[0]))}
		}
		return nil
	}
	hows := map[string]bool{}
	for _, l := range near {
		hows[l.how] = true
	}
	if len(hows) > 1 {
		var ps []string
		for _, l := range near {
			ps = append(ps, l.how+" at "+a.pos(l.call.Pos()))
		}
		return &contract.Folder{Pos: a.pos(near[0].call.Pos()), Unknown: "the host lists folders in several ways: " + strings.Join(ps, ", ")}
	}
	l := near[0]
	r := &contract.Folder{How: l.how, Recursive: l.how == "walk", Pos: a.pos(l.call.Pos())}
	if l.how == "glob" {
		if l.match == "" || strings.Contains(l.match, "/") {
			r.Unknown = "the pattern of filepath.Glob at " + r.Pos + " is not a constant pluginctl can read"
		}
		r.Match = l.match
		return r
	}
	var unknown token.Pos
	r.Match, r.FoldCase, unknown = a.nameFilter(l.f.top)
	if unknown.IsValid() {
		r.Unknown = fmt.Sprintf("the host filters the names at %s with a value pluginctl cannot tell", a.pos(unknown))
	}
	return r
}

// nameFilter finds the filter a function (and its literals) applies to
// file names: the pattern and whether it folds case.
func (a *analyzer) nameFilter(top *fn) (string, bool, token.Pos) {
	var match string
	fold := false
	var unknown token.Pos
	constStr := func(f *fn, e ast.Expr) (string, bool) {
		if s, ok := constString(f.info(), e); ok {
			return s, true
		}
		if vals, free := a.evalStr(f, e, nil, 0); !free && len(vals) == 1 && !strings.Contains(vals[0], "*") {
			return vals[0], true
		}
		if !unknown.IsValid() {
			unknown = e.Pos()
		}
		return "", false
	}
	// lowered reports whether e is strings.ToLower(x) or ToUpper(x), and
	// returns x.
	lowered := func(f *fn, e ast.Expr) (ast.Expr, bool) {
		if c, ok := ast.Unparen(e).(*ast.CallExpr); ok && len(c.Args) == 1 &&
			(isFunc(f.info(), c, "strings.ToLower") || isFunc(f.info(), c, "strings.ToUpper")) {
			return c.Args[0], true
		}
		return e, false
	}
	isExt := func(f *fn, e ast.Expr) (bool, bool) {
		e, low := lowered(f, e)
		c, ok := ast.Unparen(e).(*ast.CallExpr)
		return ok && (isFunc(f.info(), c, "path/filepath.Ext") || isFunc(f.info(), c, "path.Ext")), low
	}
	for _, f := range a.nested[top] {
		info := f.info()
		walkOwn(f, func(n ast.Node) bool {
			if match != "" {
				return false
			}
			switch x := n.(type) {
			case *ast.CallExpr:
				switch {
				case len(x.Args) == 2 && isFunc(info, x, "strings.HasSuffix"):
					if c, ok := constStr(f, x.Args[1]); ok {
						_, low := lowered(f, x.Args[0])
						match, fold = "*"+c, low
					}
				case len(x.Args) == 2 && isFunc(info, x, "strings.Contains"):
					if c, ok := constStr(f, x.Args[1]); ok {
						_, low := lowered(f, x.Args[0])
						match, fold = "*"+c+"*", low
					}
				case len(x.Args) == 2 && (isFunc(info, x, "path/filepath.Match") || isFunc(info, x, "path.Match")):
					if c, ok := constStr(f, x.Args[0]); ok {
						_, low := lowered(f, x.Args[1])
						match, fold = c, low
					}
				case len(x.Args) == 2 && isFunc(info, x, "strings.EqualFold"):
					for i, arg := range x.Args {
						if ext, _ := isExt(f, arg); ext {
							if c, ok := constStr(f, x.Args[1-i]); ok {
								match, fold = "*"+c, true
							}
						}
					}
				}
			case *ast.BinaryExpr:
				if x.Op != token.EQL && x.Op != token.NEQ {
					return true
				}
				for _, pair := range [][2]ast.Expr{{x.X, x.Y}, {x.Y, x.X}} {
					if ext, low := isExt(f, pair[0]); ext {
						if c, ok := constStr(f, pair[1]); ok {
							match, fold = "*"+c, low
						}
					}
				}
			case *ast.CaseClause:
				// switch filepath.Ext(name) { case ".so": }
				if sw, ok := a.parent[a.parent[x]].(*ast.SwitchStmt); ok && sw.Tag != nil && len(x.List) > 0 {
					if ext, low := isExt(f, sw.Tag); ext {
						if c, ok := constStr(f, x.List[0]); ok {
							match, fold = "*"+c, low
						}
					}
				}
			}
			return true
		})
	}
	if fold {
		match = strings.ToLower(match)
	}
	if match != "" {
		unknown = token.NoPos
	}
	return match, fold, unknown
}

// opensUnknownInLoop reports whether the plugin.Open call (in f) opens
// files pluginctl cannot name in a loop: its own, or one around a call
// of f.
func (a *analyzer) opensUnknownInLoop(f *fn, call *ast.CallExpr) bool {
	vals, free := a.evalStr(f, call.Args[0], nil, 0)
	known := !free
	for _, v := range vals {
		if fullName(v) == "" {
			known = false
		}
	}
	if known {
		return false
	}
	if a.inLoop(call) {
		return true
	}
	for _, cs := range a.callers[f] {
		if a.inLoop(cs.call) {
			return true
		}
	}
	return false
}

// The apicopy check: every way the API package (or a shared module) can
// reach the host and a plugin from two places: nested modules, replaces,
// vendored copies, go.work, version skew. It reads module files rather
// than packages, unlike every other check; it is one check, kept in one
// file past the usual size.

package vet

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"
	"golang.org/x/tools/go/packages"

	"github.com/pluginctl/pluginctl/internal/load"
	"github.com/pluginctl/pluginctl/internal/modtree"
	"github.com/pluginctl/pluginctl/internal/project"
)

// apicopy is the type identity rule at the module level. A host and its
// plugins must get the API package (and every other package they share)
// from one place: one module graph, one copy on disk. It compares the
// "sides" that can build hosts or plugins under Options.Dir:
//
//   - the main build: the module (or go.work workspace) the patterns were
//     loaded from, as go list resolved it;
//   - every nested module (a directory below Dir with its own go.mod that
//     is not part of the main build) holding a plugin or a host, as its
//     go.mod (and vendor/modules.txt) resolves it.
//
// Findings (Code "apicopy", at the go.mod / go.work / modules.txt line
// that causes them):
//
//	api-copy        a host side and a plugin side get the API package from
//	                different places with different source (error)
//	same-bytes      ... from different places with identical source today
//	                (warning)
//	version-skew    a module the host links resolves to another version (or
//	                replacement) on a plugin side (error)
//	plugin-skew     the same between two plugin sides, when no side holds a
//	                host (warning: one host cannot load both)
//	nested-module   a plugin or host folder with its own go.mod and none of
//	                the above: `pluginctl build ./...` skips it (warning)
//	vendor-drift    the main build's vendored copy of the API package
//	                differs from the module it was vendored from (error)
//	workspace-dup   go.work lists two modules providing the same import
//	                path, or the same module twice (error)
type side struct {
	name    string // directory relative to Dir, "." for the main build
	dir     string // absolute
	gomod   string // go.mod of a nested module
	mf      *modfile.File
	main    bool
	hosts   []string
	plugins []string
	api     *location
	// mods are the module versions the side resolves: path -> version
	// (with "=> replacement" when replaced), and where that comes from.
	mods map[string]modVersion
	// linked are the modules the side's hosts link (main build only;
	// nil: all of mods).
	linked map[string]bool
}

type modVersion struct {
	version string
	file    string
	line    int
}

// location is where a side gets the API package from.
type location struct {
	dir  string // the package directory; "" if unknown
	desc string
	file string // the file:line that decides it
	line int
	text string // that line
}

func apicopy(ctx context.Context, o *Options, l *load.Program, res *Result) []Finding {
	a := &apicopyRun{ctx: ctx, o: o, l: l, api: o.APIPackage, env: o.Env}
	var out []Finding
	mainSide := a.mainSide(res)
	out = append(out, a.workspace()...)
	if mainSide.api != nil {
		out = append(out, a.vendorDrift(mainSide)...)
	}
	nested := a.nestedSides()
	sides := append([]*side{mainSide}, nested...)
	// With a host in sight, plugins are compared with the hosts only;
	// otherwise plugin sides are compared with each other.
	anyHost := false
	for _, s := range sides {
		anyHost = anyHost || len(s.hosts) > 0
	}
	reported := map[*side]bool{}
	for i := range sides {
		for j := i + 1; j < len(sides); j++ {
			x, y := sides[i], sides[j]
			crossing := (len(x.hosts) > 0 && len(y.plugins) > 0) || (len(x.plugins) > 0 && len(y.hosts) > 0)
			if anyHost && !crossing {
				continue
			}
			fs := a.compare(x, y)
			if len(fs) > 0 {
				reported[sides[j]] = true
				if !sides[i].main {
					reported[sides[i]] = true
				}
			}
			out = append(out, fs...)
		}
	}
	for _, s := range nested {
		if reported[s] {
			continue
		}
		what := describeSide(s)
		line, text := 0, ""
		if s.mf.Module != nil && s.mf.Module.Syntax != nil {
			line, text = s.mf.Module.Syntax.Start.Line, "module "+s.mf.Module.Mod.Path
		}
		out = append(out, moduleFinding(o.Dir, "nested-module", s.gomod, line,
			fmt.Sprintf("%s in %s, which has its own go.mod: `pluginctl build` of the main module does not build them, and they resolve their dependencies with their own module graph", what, s.name),
			fmt.Sprintf("remove %s (and its go.sum) so that hosts and plugins are built from one module graph, or build and verify this module on its own", relPath(o.Dir, s.gomod)),
			lineDetail(o.Dir, s.gomod, line, text)))
	}
	return out
}

type apicopyRun struct {
	ctx      context.Context
	o        *Options
	l        *load.Program
	api      string
	env      []string
	modcache string
	mains    []*modfile.File // the main build's go.mod files
	work     *modfile.WorkFile
	workFile string
}

func describeSide(s *side) string {
	var parts []string
	if len(s.plugins) > 0 {
		parts = append(parts, fmt.Sprintf("%d %s", len(s.plugins), plural(len(s.plugins), "plugin")))
	}
	if len(s.hosts) > 0 {
		parts = append(parts, fmt.Sprintf("%d %s", len(s.hosts), plural(len(s.hosts), "host")))
	}
	return strings.Join(parts, " and ")
}

func lineDetail(dir, file string, line int, text string) string {
	if line <= 0 {
		return relPath(dir, file) + ": " + text
	}
	return fmt.Sprintf("%s:%d: %s", relPath(dir, file), line, text)
}

// mainSide describes the main build from the loaded packages.
func (a *apicopyRun) mainSide(res *Result) *side {
	s := &side{name: ".", dir: a.o.Dir, main: true, hosts: res.Hosts, plugins: res.Plugins, mods: map[string]modVersion{}}
	if wf := a.o.Project.GoWork; wf != "" {
		if data, err := os.ReadFile(wf); err == nil {
			if w, err := modfile.ParseWork(wf, data, nil); err == nil {
				a.work, a.workFile = w, wf
			}
		}
	}
	seenMod := map[string]bool{}
	for _, p := range a.l.All {
		if m := p.Module; m != nil && m.Main && m.GoMod != "" && !seenMod[m.GoMod] {
			seenMod[m.GoMod] = true
			if data, err := os.ReadFile(m.GoMod); err == nil {
				if mf, err := modfile.Parse(m.GoMod, data, nil); err == nil {
					a.mains = append(a.mains, mf)
				}
			}
		}
	}
	sort.Slice(a.mains, func(i, j int) bool { return a.mains[i].Syntax.Name < a.mains[j].Syntax.Name })

	var apiPkg *packages.Package
	for _, p := range a.l.All {
		if m := p.Module; m != nil && !m.Main {
			mv := modVersion{version: versionString(m)}
			mv.file, mv.line = a.mainRequireLine(m.Path)
			s.mods[m.Path] = mv
		}
		if p.PkgPath == a.api {
			apiPkg = p
		}
	}
	if len(res.Hosts) > 0 {
		s.linked = map[string]bool{}
		for _, p := range a.l.Roots {
			if slices.Contains(res.Hosts, p.PkgPath) {
				packages.Visit([]*packages.Package{p}, nil, func(d *packages.Package) {
					if d.Module != nil && !d.Module.Main {
						s.linked[d.Module.Path] = true
					}
				})
			}
		}
	}
	if apiPkg == nil || project.PackageDir(apiPkg) == "" {
		return s
	}
	loc := &location{dir: project.PackageDir(apiPkg)}
	m := apiPkg.Module
	switch {
	case m == nil:
		loc.desc = "GOPATH"
	case m.Main:
		loc.desc = "its own module " + m.Path
		loc.file, loc.line, loc.text = m.GoMod, 0, "module "+m.Path
		for _, mf := range a.mains {
			if mf.Syntax.Name == m.GoMod && mf.Module != nil && mf.Module.Syntax != nil {
				loc.line = mf.Module.Syntax.Start.Line
			}
		}
		if a.work != nil {
			for _, u := range a.work.Use {
				if sameDir(filepath.Join(filepath.Dir(a.workFile), u.Path), m.Dir) {
					loc.file, loc.line, loc.text = a.workFile, u.Syntax.Start.Line, "use "+u.Path
				}
			}
		}
	case isUnder(loc.dir, "vendor"):
		loc.desc = fmt.Sprintf("the vendored copy of %s", versionString(m))
		loc.file, loc.line, loc.text = a.modulesTxtLine(loc.dir, m.Path)
	case m.Replace != nil:
		loc.desc = "replacement " + versionString(m)
		loc.file, loc.line, loc.text = a.mainReplaceLine(m.Path)
	default:
		loc.desc = m.Path + "@" + m.Version + " from the module cache"
		loc.file, loc.line = a.mainRequireLine(m.Path)
		loc.text = "require " + m.Path + " " + m.Version
	}
	s.api = loc
	return s
}

func versionString(m *packages.Module) string {
	v := m.Path + " " + m.Version
	if m.Replace != nil {
		r := m.Replace.Path
		if m.Replace.Version != "" {
			r += " " + m.Replace.Version
		} else if m.Replace.Dir != "" {
			r = m.Replace.Dir
		}
		v += " => " + r
	}
	return strings.TrimSpace(v)
}

// mainRequireLine finds the require of mod in the main build's go.mod
// files.
func (a *apicopyRun) mainRequireLine(mod string) (string, int) {
	for _, mf := range a.mains {
		for _, r := range mf.Require {
			if r.Mod.Path == mod && r.Syntax != nil {
				return mf.Syntax.Name, r.Syntax.Start.Line
			}
		}
	}
	if len(a.mains) > 0 {
		return a.mains[0].Syntax.Name, 0
	}
	return "", 0
}

// mainReplaceLine finds the replace of mod: go.work first, then go.mod.
func (a *apicopyRun) mainReplaceLine(mod string) (string, int, string) {
	if a.work != nil {
		for _, r := range a.work.Replace {
			if r.Old.Path == mod {
				return a.workFile, r.Syntax.Start.Line, replaceText(r)
			}
		}
	}
	for _, mf := range a.mains {
		for _, r := range mf.Replace {
			if r.Old.Path == mod {
				return mf.Syntax.Name, r.Syntax.Start.Line, replaceText(r)
			}
		}
	}
	return "", 0, ""
}

func replaceText(r *modfile.Replace) string {
	old := r.Old.Path
	if r.Old.Version != "" {
		old += " " + r.Old.Version
	}
	nw := r.New.Path
	if r.New.Version != "" {
		nw += " " + r.New.Version
	}
	return "replace " + old + " => " + nw
}

// modulesTxtLine finds "# mod ..." in the vendor/modules.txt above dir.
func (a *apicopyRun) modulesTxtLine(dir, mod string) (string, int, string) {
	d := dir
	for !strings.HasSuffix(d, string(filepath.Separator)+"vendor") && filepath.Dir(d) != d {
		d = filepath.Dir(d)
	}
	txt := filepath.Join(d, "modules.txt")
	f, err := os.Open(txt)
	if err != nil {
		return txt, 0, ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		n++
		if strings.HasPrefix(sc.Text(), "# "+mod+" ") {
			return txt, n, sc.Text()
		}
	}
	return txt, 0, ""
}

// nestedSides finds the modules below Dir that are not part of the main
// build and hold plugins or hosts.
func (a *apicopyRun) nestedSides() []*side {
	var inBuild []string
	for _, mf := range a.mains {
		inBuild = append(inBuild, filepath.Dir(mf.Syntax.Name))
	}
	if a.work != nil {
		for _, u := range a.work.Use {
			inBuild = append(inBuild, filepath.Join(filepath.Dir(a.workFile), u.Path))
		}
	}
	var out []*side
	for _, m := range modtree.Find(a.o.Dir, inBuild, a.api+"/loader") {
		if len(m.Hosts)+len(m.Plugins) > 0 {
			s := &side{name: relPath(a.o.Dir, m.Dir), dir: m.Dir, gomod: filepath.Join(m.Dir, "go.mod"), mf: m.File, hosts: m.Hosts, plugins: m.Plugins}
			a.resolveNested(s)
			out = append(out, s)
		}
	}
	return out
}

// resolveNested works out, from go.mod and vendor/modules.txt, where a
// nested module gets the API package and each required module.
func (a *apicopyRun) resolveNested(s *side) {
	s.mods = map[string]modVersion{}
	replaced := func(path, version string) *modfile.Replace {
		var any *modfile.Replace
		for _, r := range s.mf.Replace {
			if r.Old.Path == path {
				if r.Old.Version == version {
					return r
				}
				if r.Old.Version == "" {
					any = r
				}
			}
		}
		return any
	}
	for _, r := range s.mf.Require {
		mv := modVersion{version: r.Mod.Path + " " + r.Mod.Version, file: s.gomod, line: r.Syntax.Start.Line}
		if rep := replaced(r.Mod.Path, r.Mod.Version); rep != nil {
			if rep.New.Version != "" {
				mv.version += " => " + rep.New.Path + " " + rep.New.Version
			} else {
				mv.version += " => " + absFrom(s.dir, rep.New.Path)
			}
			mv.line = rep.Syntax.Start.Line
		}
		s.mods[r.Mod.Path] = mv
	}

	mod := s.mf.Module.Mod.Path
	if a.api == mod || strings.HasPrefix(a.api, mod+"/") {
		line := 0
		if s.mf.Module.Syntax != nil {
			line = s.mf.Module.Syntax.Start.Line
		}
		s.api = &location{dir: filepath.Join(s.dir, filepath.FromSlash(strings.TrimPrefix(strings.TrimPrefix(a.api, mod), "/"))),
			desc: "its own module " + mod, file: s.gomod, line: line, text: "module " + mod}
		return
	}
	// The require of the module providing the API: the longest prefix.
	var req *modfile.Require
	for _, r := range s.mf.Require {
		if (a.api == r.Mod.Path || strings.HasPrefix(a.api, r.Mod.Path+"/")) && (req == nil || len(r.Mod.Path) > len(req.Mod.Path)) {
			req = r
		}
	}
	if !a.modFlag("mod") {
		vdir := filepath.Join(s.dir, "vendor", filepath.FromSlash(a.api))
		if hasGoFiles(vdir) {
			provider := ""
			if req != nil {
				provider = req.Mod.Path
			}
			file, line, text := a.modulesTxtLine(vdir, provider)
			s.api = &location{dir: vdir, desc: "its vendored copy", file: file, line: line, text: text}
			return
		}
	}
	if req == nil {
		return
	}
	sub := filepath.FromSlash(strings.TrimPrefix(strings.TrimPrefix(a.api, req.Mod.Path), "/"))
	if rep := replaced(req.Mod.Path, req.Mod.Version); rep != nil {
		loc := &location{file: s.gomod, line: rep.Syntax.Start.Line, text: replaceText(rep)}
		if rep.New.Version == "" {
			loc.dir = filepath.Join(absFrom(s.dir, rep.New.Path), sub)
			loc.desc = "replacement " + rep.New.Path
		} else {
			loc.dir = a.cacheDir(rep.New.Path, rep.New.Version, sub)
			loc.desc = rep.New.Path + "@" + rep.New.Version + " (replacement) from the module cache"
		}
		s.api = loc
		return
	}
	s.api = &location{dir: a.cacheDir(req.Mod.Path, req.Mod.Version, sub), desc: req.Mod.Path + "@" + req.Mod.Version + " from the module cache",
		file: s.gomod, line: req.Syntax.Start.Line, text: "require " + req.Mod.Path + " " + req.Mod.Version}
}

func absFrom(dir, p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(dir, filepath.FromSlash(p))
}

// modFlag reports whether GOFLAGS sets -mod=value.
func (a *apicopyRun) modFlag(value string) bool {
	for _, kv := range a.env {
		if v, ok := strings.CutPrefix(kv, "GOFLAGS="); ok {
			for _, f := range strings.Fields(v) {
				if strings.TrimLeft(f, "-") == "mod="+value {
					return true
				}
			}
		}
	}
	return false
}

// cacheDir is where the module cache holds path@version/sub ("" if the
// cache location is unknown).
func (a *apicopyRun) cacheDir(path, version, sub string) string {
	if a.modcache == "" {
		for _, kv := range a.env {
			if v, ok := strings.CutPrefix(kv, "GOMODCACHE="); ok && v != "" {
				a.modcache = v
			}
		}
	}
	if a.modcache == "" {
		if out, err := a.o.Project.Go.Output(a.ctx, "env", "GOMODCACHE"); err == nil {
			a.modcache = strings.TrimSpace(string(out))
		}
	}
	ep, err1 := module.EscapePath(path)
	ev, err2 := module.EscapeVersion(version)
	if a.modcache == "" || err1 != nil || err2 != nil {
		return ""
	}
	return filepath.Join(a.modcache, ep+"@"+ev, sub)
}

// compare reports what keeps a host of one side from loading a plugin of
// the other.
func (a *apicopyRun) compare(x, y *side) []Finding {
	crossing := (len(x.hosts) > 0 && len(y.plugins) > 0) || (len(x.plugins) > 0 && len(y.hosts) > 0)
	if !crossing && !(len(x.plugins) > 0 && len(y.plugins) > 0) {
		return nil
	}
	// Report at the nested side (y, after x in order).
	var out []Finding
	who := func(s *side) string {
		if s.main {
			return "the main build"
		}
		return s.name
	}
	consequence := "a host refuses plugins built on the other side (\"plugin was built with a different version of package %s\")"
	if !crossing {
		consequence = "one host cannot load plugins of both (\"plugin was built with a different version of package %s\")"
	}
	if x.api != nil && y.api != nil && !sameDir(x.api.dir, y.api.dir) {
		same, known := sameSource(x.api.dir, y.api.dir)
		cat, msg := "api-copy", fmt.Sprintf("%s (%s) gets %s from %s, %s (%s) from %s: two copies of the API package; "+consequence,
			who(y), describeSide(y), a.api, y.api.desc, who(x), describeSide(x), x.api.desc, a.api)
		if known && same {
			cat = "same-bytes"
			msg = fmt.Sprintf("%s (%s) gets %s from %s, %s (%s) from %s: two copies, identical today, so -trimpath builds still load together; they will drift apart",
				who(y), describeSide(y), a.api, y.api.desc, who(x), describeSide(x), x.api.desc)
		}
		out = append(out, moduleFinding(a.o.Dir, cat, y.api.file, y.api.line, msg,
			fmt.Sprintf("build hosts and plugins from one module graph (remove %s, or make both sides resolve %s to the same module and directory)", relPath(a.o.Dir, y.gomod), a.api),
			lineDetail(a.o.Dir, y.api.file, y.api.line, y.api.text),
			lineDetail(a.o.Dir, x.api.file, x.api.line, x.api.text)))
	}
	// Shared modules at other versions.
	paths := make([]string, 0, len(y.mods))
	for p := range y.mods {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		if a.api == p || strings.HasPrefix(a.api, p+"/") {
			continue // the API's module: reported above
		}
		yv, xv := y.mods[p], x.mods[p]
		if xv.version == "" || xv.version == yv.version {
			continue
		}
		if crossing && x.linked != nil && len(x.hosts) > 0 && !x.linked[p] {
			continue // the host does not link it
		}
		cat := "version-skew"
		if !crossing {
			cat = "plugin-skew"
		}
		out = append(out, moduleFinding(a.o.Dir, cat, yv.file, yv.line,
			fmt.Sprintf("%s resolves %s to %s, %s to %s: "+consequence, who(y), p, strings.TrimPrefix(yv.version, p+" "), who(x), strings.TrimPrefix(xv.version, p+" "), p),
			fmt.Sprintf("require the same version of %s on both sides (go get %s@VERSION), or build them from one module", p, p),
			lineDetail(a.o.Dir, yv.file, yv.line, "require "+yv.version),
			lineDetail(a.o.Dir, xv.file, xv.line, "require "+xv.version)))
	}
	return out
}

func sameDir(a, b string) bool {
	if a == "" || b == "" {
		return a == b
	}
	if filepath.Clean(a) == filepath.Clean(b) {
		return true
	}
	ea, err1 := filepath.EvalSymlinks(a)
	eb, err2 := filepath.EvalSymlinks(b)
	return err1 == nil && err2 == nil && ea == eb
}

func isUnder(dir, elem string) bool {
	for _, e := range strings.Split(filepath.ToSlash(dir), "/") {
		if e == elem {
			return true
		}
	}
	return false
}

func hasGoFiles(dir string) bool {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return false
	}
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".go") && !strings.HasSuffix(e.Name(), "_test.go") {
			return true
		}
	}
	return false
}

// sameSource compares the non-test Go files of two package directories;
// known is false when either cannot be read.
func sameSource(a, b string) (same, known bool) {
	ha, ok1 := hashGoFiles(a)
	hb, ok2 := hashGoFiles(b)
	if !ok1 || !ok2 {
		return false, false
	}
	return bytes.Equal(ha, hb), true
}

func hashGoFiles(dir string) ([]byte, bool) {
	if dir == "" {
		return nil, false
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, false
	}
	h := sha256.New()
	n := 0
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return nil, false
		}
		fmt.Fprintf(h, "%s %d\n", name, len(data))
		h.Write(data)
		n++
	}
	return h.Sum(nil), n > 0
}

// vendorDrift compares the main build's vendored API package with the
// module it was vendored from.
func (a *apicopyRun) vendorDrift(s *side) []Finding {
	loc := s.api
	if !isUnder(loc.dir, "vendor") || loc.line == 0 {
		return nil
	}
	// "# path version [=> replacement [version]]"
	f := strings.Fields(strings.TrimPrefix(loc.text, "# "))
	if len(f) < 2 {
		return nil
	}
	modPath, version := f[0], f[1]
	sub := filepath.FromSlash(strings.TrimPrefix(strings.TrimPrefix(a.api, modPath), "/"))
	var src, desc string
	if i := slices.Index(f, "=>"); i >= 0 && i+1 < len(f) {
		switch {
		case i+2 < len(f):
			src, desc = a.cacheDir(f[i+1], f[i+2], sub), f[i+1]+"@"+f[i+2]
		default:
			root := filepath.Dir(filepath.Dir(loc.file)) // the module holding vendor/
			src, desc = filepath.Join(absFrom(root, f[i+1]), sub), f[i+1]
		}
	} else {
		src, desc = a.cacheDir(modPath, version, sub), modPath+"@"+version
	}
	same, known := sameSource(loc.dir, src)
	if !known || same {
		return nil
	}
	return []Finding{moduleFinding(a.o.Dir, "vendor-drift", loc.file, loc.line,
		fmt.Sprintf("the vendored copy of %s (%s) differs from %s, which it was vendored from: a host or plugin built from the module instead of this vendor tree gets another copy of the API package",
			a.api, relPath(a.o.Dir, loc.dir), desc),
		"do not edit vendored files: change the module and run go mod vendor",
		lineDetail(a.o.Dir, loc.file, loc.line, loc.text))}
}

// workspace checks go.work: the same module twice, or two modules
// providing the same package import path.
func (a *apicopyRun) workspace() []Finding {
	if a.work == nil {
		return nil
	}
	type use struct {
		u    *modfile.Use
		dir  string
		path string
	}
	var uses []use
	base := filepath.Dir(a.workFile)
	for _, u := range a.work.Use {
		dir := absFrom(base, u.Path)
		data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err != nil {
			continue
		}
		uses = append(uses, use{u, dir, modfile.ModulePath(data)})
	}
	var out []Finding
	for i := range uses {
		for j := range uses {
			x, y := uses[i], uses[j]
			if i == j || x.path == "" || y.path == "" {
				continue
			}
			if x.path == y.path && i < j {
				out = append(out, moduleFinding(a.o.Dir, "workspace-dup", a.workFile, y.u.Syntax.Start.Line,
					fmt.Sprintf("go.work uses module %s twice (%s and %s): every package of it exists in two copies", x.path, x.u.Path, y.u.Path),
					"use one of them: drop a use line from go.work",
					lineDetail(a.o.Dir, a.workFile, x.u.Syntax.Start.Line, "use "+x.u.Path),
					lineDetail(a.o.Dir, a.workFile, y.u.Syntax.Start.Line, "use "+y.u.Path)))
				continue
			}
			// y's module path is inside x's: does x also have y's packages?
			sub, ok := strings.CutPrefix(y.path, x.path+"/")
			if !ok {
				continue
			}
			if dup := a.firstDup(x.dir, filepath.Join(x.dir, filepath.FromSlash(sub)), y.dir, y.path); dup != "" {
				what := "package " + dup
				if dup == a.api || strings.HasPrefix(dup, a.api+"/") || strings.HasPrefix(a.api, y.path) {
					what = "the API package " + a.api
				}
				out = append(out, moduleFinding(a.o.Dir, "workspace-dup", a.workFile, y.u.Syntax.Start.Line,
					fmt.Sprintf("go.work uses %s (module %s) and %s (module %s), which both provide %s: two copies of one import path (the go command reports an ambiguous import)",
						x.u.Path, x.path, y.u.Path, y.path, what),
					fmt.Sprintf("keep one copy: delete %s from %s, or drop the use of %s", filepath.ToSlash(sub), x.u.Path, y.u.Path),
					lineDetail(a.o.Dir, a.workFile, x.u.Syntax.Start.Line, "use "+x.u.Path),
					lineDetail(a.o.Dir, a.workFile, y.u.Syntax.Start.Line, "use "+y.u.Path)))
			}
		}
	}
	return out
}

// firstDup returns the first import path (preferring the API package)
// that module y (at ydir, path ypath) provides and that the outer module
// also has at xsub (a directory inside the outer module rooted at xroot,
// not inside another module).
func (a *apicopyRun) firstDup(xroot, xsub, ydir, ypath string) string {
	if sameDir(xsub, ydir) {
		return ""
	}
	// xsub must not be inside another module below xroot.
	for d := xsub; d != xroot && strings.HasPrefix(d, xroot); d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return ""
		}
	}
	var dups []string
	filepath.WalkDir(ydir, func(path string, d os.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return nil
		}
		if path != ydir && (modtree.Skipped(d.Name()) || fileExists(filepath.Join(path, "go.mod"))) {
			return filepath.SkipDir
		}
		rel, _ := filepath.Rel(ydir, path)
		other := filepath.Join(xsub, rel)
		if hasGoFiles(path) && hasGoFiles(other) && !fileExists(filepath.Join(other, "go.mod")) {
			ip := ypath
			if rel != "." {
				ip += "/" + filepath.ToSlash(rel)
			}
			dups = append(dups, ip)
		}
		return nil
	})
	for _, d := range dups {
		if d == a.api {
			return d
		}
	}
	if len(dups) > 0 {
		return dups[0]
	}
	return ""
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

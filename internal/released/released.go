// Package released reproduces the build of a host program that is at hand
// only as a binary (a released gateway, an unpacked container image):
// everything plugin.Open compares is recorded in the binary's Go build
// info (toolchain, build settings, the version of every module it links),
// and this package turns it into what a go build needs to compile other
// packages exactly as the host's were compiled: the toolchain
// (GOTOOLCHAIN), the environment and flags, and a temporary module (or
// workspace) file that pins every module the host links to the host's
// version. The user's go.mod and go.sum are read, never written.
//
// What cannot be reproduced is named (Host.Limits, Module.Reason), never
// guessed; the final word is always a fingerprint comparison of what was
// built with the host (package internal/artifact).
package released

import (
	"bytes"
	"cmp"
	"fmt"
	"maps"
	"os"
	"path"
	"path/filepath"
	"runtime/debug"
	"slices"
	"sort"
	"strings"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/semver"

	"github.com/pluginctl/pluginctl/internal/artifact"
)

// Host is a host binary as its build info says it was built.
type Host struct {
	// Path is the binary as given; File what artifact.Read found in it.
	Path string
	File *artifact.File
	// GoVersion is the toolchain ("go1.27.3"), without experiments.
	GoVersion string
	// Settings are the build settings by key.
	Settings map[string]string
	// Main is the host's main module; Deps the modules it links, by path.
	Main debug.Module
	Deps map[string]*debug.Module
}

// Error is a host whose build cannot be reproduced at all.
type Error struct {
	Host, Msg, Fix string
}

func (e *Error) Error() string {
	s := "host " + e.Host + ": " + e.Msg
	if e.Fix != "" {
		s += "\n\t" + e.Fix
	}
	return s
}

// Read reads a host binary.
func Read(path string) (*Host, error) {
	f, err := artifact.Read(path)
	if err != nil {
		return nil, &Error{Host: path, Msg: err.Error(), Fix: "give the Go program that loads the plugins"}
	}
	return New(path, f)
}

// New is the host binary at path that f was read from, or why its build
// cannot be reproduced.
func New(path string, f *artifact.File) (*Host, error) {
	if f.Kind != artifact.KindExecutable || f.BuildInfo == nil {
		return nil, &Error{Host: path, Msg: fmt.Sprintf("is a %s, not a Go program", f.Kind), Fix: "give the Go program that loads the plugins"}
	}
	bi := f.BuildInfo
	h := &Host{Path: path, File: f, Settings: map[string]string{}, Main: bi.Main, Deps: map[string]*debug.Module{}}
	h.GoVersion, _, _ = strings.Cut(bi.GoVersion, " ")
	for _, s := range bi.Settings {
		h.Settings[s.Key] = s.Value
	}
	for _, d := range bi.Deps {
		h.Deps[d.Path] = d
	}
	switch {
	case !strings.HasPrefix(h.GoVersion, "go1.") || strings.Contains(h.GoVersion, "devel") || strings.ContainsAny(h.GoVersion, "-+"):
		return nil, &Error{Host: path, Msg: fmt.Sprintf("was built by %s, not a released Go toolchain that GOTOOLCHAIN can select", bi.GoVersion),
			Fix: "build the plugins with the very toolchain that built the host"}
	case h.Settings["CGO_ENABLED"] != "1":
		return nil, &Error{Host: path, Msg: "was built with CGO_ENABLED=0: its plugin.Open always fails (\"plugin: not implemented\"), it loads no plugin"}
	case h.Settings["-compiler"] != "" && h.Settings["-compiler"] != "gc":
		return nil, &Error{Host: path, Msg: "was built with -compiler=" + h.Settings["-compiler"] + "; only gc builds can be reproduced"}
	case len(f.Fingerprints) == 0:
		return nil, &Error{Host: path, Msg: "carries no package fingerprints: it does not link package plugin, it loads no plugin",
			Fix: "give the Go program that loads the plugins"}
	}
	return h, nil
}

// SHA256 is the host binary's content hash.
func (h *Host) SHA256() string { return h.File.SHA256() }

// Toolchain is the GOTOOLCHAIN value that selects the host's toolchain:
// "local" when the local go command is that version.
func (h *Host) Toolchain(localVersion string) string {
	if localVersion == h.GoVersion {
		return "local"
	}
	return h.GoVersion
}

// Env is the environment that reproduces the host's toolchain and the
// settings recorded as environment variables (GOAMD64, GOEXPERIMENT,
// CGO_CFLAGS, ...). GOFLAGS is emptied: Flags says everything.
func (h *Host) Env(localVersion string) []string {
	env := []string{"GOTOOLCHAIN=" + h.Toolchain(localVersion), "GOFLAGS=", "CGO_ENABLED=1",
		"GOEXPERIMENT=" + h.Settings["GOEXPERIMENT"], "GOOS=" + h.Settings["GOOS"], "GOARCH=" + h.Settings["GOARCH"]}
	for _, k := range slices.Sorted(maps.Keys(h.Settings)) {
		switch {
		case k == "CGO_ENABLED" || k == "GOEXPERIMENT" || k == "GOOS" || k == "GOARCH" || k == "DefaultGODEBUG":
		case IsEnvName(k):
			env = append(env, k+"="+h.Settings[k])
		}
	}
	return env
}

// Flag is one go build flag reproduced from the host's build settings.
type Flag struct {
	// Name is the flag ("-race", "-tags"); Value its value ("true" for a
	// boolean that is set, "" for one that is not).
	Name, Value string
}

// Arg is the flag as a go build argument.
func (f Flag) Arg() string {
	switch f.Name {
	case "-race", "-msan", "-asan", "-trimpath":
		return fmt.Sprintf("%s=%v", f.Name, f.Value == "true")
	}
	return f.Name + "=" + f.Value
}

// Flags are the go build flags that reproduce what of the host's build
// loading depends on: the boolean ones always (so that nothing in the go
// env file changes them), tags and pgo as recorded (-pgo=off when none
// was: no default.pgo of a plugin's directory), -gcflags and -asmflags
// when their pattern can match a package a plugin shares with the host,
// and -ldflags without -s, -w, -X and -buildid. left describes the
// host's flags that are not copied, and why.
func (h *Host) Flags() (out []Flag, left []string) {
	for _, k := range []string{"-race", "-msan", "-asan", "-trimpath"} {
		v := ""
		if h.Settings[k] == "true" {
			v = "true"
		}
		out = append(out, Flag{k, v})
	}
	if v := h.Settings["-tags"]; v != "" {
		out = append(out, Flag{"-tags", v})
	}
	for _, k := range []string{"-gcflags", "-asmflags"} {
		v := h.Settings[k]
		if v == "" {
			continue
		}
		pf := ParsePackageFlag(v)
		switch {
		case pf.Pattern == "":
			left = append(left, fmt.Sprintf("%s %q (no pattern: it applies to the host's main package only, which no plugin links)", k, v))
		case pf.Relative():
			left = append(left, fmt.Sprintf("%s %q (a directory pattern of the host's build: it names the host's own packages, which --host-src builds from source)", k, v))
		default:
			out = append(out, Flag{k, v})
		}
	}
	if v := h.Settings["-ldflags"]; v != "" {
		pf := ParsePackageFlag(v)
		kept, dropped := stripLinkFlags(pf.Flags)
		if len(dropped) > 0 {
			left = append(left, fmt.Sprintf("-ldflags %s (they change no package fingerprint; a plugin keeps its symbols and DWARF, so that its types can be checked)", strings.Join(dropped, " ")))
		}
		if len(kept) > 0 {
			pf.Flags = joinFlags(kept)
			out = append(out, Flag{"-ldflags", pf.String()})
		}
	}
	if v, ok := h.Settings["-pgo"]; ok {
		out = append(out, Flag{"-pgo", v})
	} else {
		out = append(out, Flag{"-pgo", "off"})
	}
	return out, left
}

// Args are Flags as go build arguments, with -buildvcs=false.
func (h *Host) Args() []string {
	var a []string
	flags, _ := h.Flags()
	for _, f := range flags {
		a = append(a, f.Arg())
	}
	return append(a, "-buildvcs=false")
}

// Limits name what of the host's build cannot be reproduced on this
// machine, whatever the module files: a host built without -trimpath
// (the build machine's directories are in its fingerprints), a PGO
// profile that is not here, another GOOS/GOARCH.
func (h *Host) Limits() []string {
	var out []string
	if h.Settings["-trimpath"] != "true" {
		out = append(out, "the host was built without -trimpath: the build machine's directories (its GOROOT, module cache and checkout) are part of its package fingerprints, so packages compiled anywhere else differ; rebuild the host with -trimpath")
	}
	if p := h.Settings["-pgo"]; p != "" && p != "off" {
		if _, err := os.Stat(p); err != nil {
			out = append(out, fmt.Sprintf("the host was built with the profile -pgo=%s, which is not on this machine: every package it optimized differs", p))
		}
	}
	return out
}

// Devel reports whether the host was built from a checkout, not with go
// install M@v: its main module has no version ("(devel)"), or one the go
// command stamped from the checkout's VCS (build info with vcs settings,
// Go 1.24 and later). Either way its packages were compiled as main-module
// packages, whose fingerprints carry no version.
func (h *Host) Devel() bool {
	return h.Main.Version == "" || h.Main.Version == "(devel)" || h.Settings["vcs"] != ""
}

// ModuleReason says why the packages of the host's module path cannot be
// reproduced from the module proxy: "" when they can. The host's main
// module can when it has a version (go install M@v); a dependency
// replaced by a directory cannot; one without a checksum (vendored) is
// built from the proxy's copy and named.
func (h *Host) ModuleReason(path string) string {
	if path == h.Main.Path {
		if h.Devel() {
			return fmt.Sprintf("%s is the host's own main module, built from a checkout (devel): its packages carry no version in the fingerprints and match only when built from the host's source at its revision%s as a workspace module (--host-src DIR)",
				path, h.revision())
		}
		return ""
	}
	d := h.Deps[path]
	if d == nil {
		return ""
	}
	if d.Replace != nil && d.Replace.Version == "" {
		return fmt.Sprintf("the host replaced %s %s by the directory %s, whose contents are not recorded", d.Path, d.Version, d.Replace.Path)
	}
	return ""
}

func (h *Host) revision() string {
	if r := h.Settings["vcs.revision"]; r != "" {
		return " (" + h.Settings["vcs"] + " " + r + ")"
	}
	return ""
}

// Unsummed lists the modules the host links without a checksum in its
// build info: it was built from a vendor directory (or a GOFLAGS=-mod=mod
// checkout), so their source may differ from the module proxy's.
func (h *Host) Unsummed() []string {
	var out []string
	for _, d := range h.Deps {
		if m := cmp.Or(d.Replace, d); m.Sum == "" && m.Version != "" {
			out = append(out, d.Path+" "+d.Version)
		}
	}
	sort.Strings(out)
	return out
}

// ModuleOf returns the host's module that provides package pkg, "" for
// the standard library.
func (h *Host) ModuleOf(pkg string) string {
	for p := pkg; p != "." && p != "/"; p = path.Dir(p) { // the longest first
		if p == h.Main.Path || h.Deps[p] != nil {
			return p
		}
	}
	return ""
}

// VersionOf returns the host's version of module path ("(devel)" for its
// main module), with the replacement, "" when the host does not link it.
func (h *Host) VersionOf(path string) string {
	if path == h.Main.Path {
		if h.Devel() {
			return "(devel)"
		}
		return h.Main.Version
	}
	d := h.Deps[path]
	if d == nil {
		return ""
	}
	if d.Replace != nil {
		return d.Version + " => " + strings.TrimSpace(d.Replace.Path+" "+d.Replace.Version)
	}
	return d.Version
}

// Pin is what a temporary module file did to one module.
type Pin struct {
	Path string
	// Was is the version the user's go.mod required ("" if none), with
	// its replacement; Now the host's.
	Was, Now string
}

// ModFiles are the temporary module files of one build for a host.
type ModFiles struct {
	// Dir holds them; the caller removes it.
	Dir string
	// GoMod is the temporary go.mod (-modfile), "" in workspace mode;
	// GoWork the temporary go.work (GOWORK), "" otherwise.
	GoMod, GoWork string
	// Pins are the modules of the user's go.mod moved to the host's
	// version (or replacement), sorted by path.
	Pins []Pin
	// Notes say what else was changed: a toolchain line dropped, a go
	// line lowered, a replace of the user's overridden.
	Notes []string
}

// Args are the go build (and go list) arguments that use the files.
func (m *ModFiles) Args() []string {
	if m.GoMod != "" {
		// -mod=mod: go may complete the temporary go.mod and go.sum
		// (never the user's), fetching go.mod files it lacks.
		return []string{"-mod=mod", "-modfile=" + m.GoMod}
	}
	return []string{"-mod=readonly"}
}

// Env is the environment that uses the files.
func (m *ModFiles) Env() []string {
	if m.GoWork != "" {
		return []string{"GOWORK=" + m.GoWork}
	}
	return []string{"GOWORK=off"}
}

// WriteModFiles writes, into a new temporary directory, the module files
// that build the module at modRoot (its go.mod and go.sum are only read)
// against h: every module the host links required and replaced at the
// host's version (or the host's versioned replacement), a toolchain line
// dropped, a go line above the host's toolchain lowered to it. With
// hostSrc (the host's source checkout), a go.work instead, using the
// module and hostSrc, so that the host's own packages are main-module
// packages on both sides; pins are then replace directives of the
// go.work.
func (h *Host) WriteModFiles(modRoot, hostSrc string) (*ModFiles, error) {
	gomodPath := filepath.Join(modRoot, "go.mod")
	data, err := os.ReadFile(gomodPath)
	if err != nil {
		return nil, fmt.Errorf("reading go.mod: %w", err)
	}
	f, err := modfile.Parse(gomodPath, data, nil)
	if err != nil {
		return nil, err
	}
	if f.Module == nil {
		return nil, fmt.Errorf("%s: no module directive", gomodPath)
	}
	sum, err := os.ReadFile(filepath.Join(modRoot, "go.sum"))
	if err != nil && !os.IsNotExist(err) {
		return nil, fmt.Errorf("reading go.sum: %w", err)
	}
	dir, err := os.MkdirTemp("", "pluginctl-for-")
	if err != nil {
		return nil, err
	}
	ok := false
	defer func() {
		if !ok {
			os.RemoveAll(dir)
		}
	}()
	m := &ModFiles{Dir: dir}
	hostLang := strings.TrimPrefix(h.GoVersion, "go")

	// The host's modules, sorted, with the version (and replacement) to use.
	var targets []target
	for _, d := range h.Deps {
		if h.ModuleReason(d.Path) != "" {
			continue
		}
		r := cmp.Or(d.Replace, d) // the module built: the replacement, if any
		targets = append(targets, target{path: d.Path, newPath: r.Path, newVersion: r.Version, sum: r.Sum})
	}
	if !h.Devel() && h.Main.Path != f.Module.Mod.Path {
		targets = append(targets, target{path: h.Main.Path, newPath: h.Main.Path, newVersion: h.Main.Version, sum: h.Main.Sum})
	}
	sort.Slice(targets, func(i, j int) bool { return targets[i].path < targets[j].path })

	// go.sum: the user's, then the host's module checksums.
	var sumBuf bytes.Buffer
	sumBuf.Write(sum)
	if len(sum) > 0 && !bytes.HasSuffix(sum, []byte("\n")) {
		sumBuf.WriteByte('\n')
	}
	for _, t := range targets {
		if t.sum != "" {
			fmt.Fprintf(&sumBuf, "%s %s %s\n", t.newPath, t.newVersion, t.sum)
		}
	}
	// Pinned: every module of the host but the plugins' own, and what the
	// user's go.mod said of it.
	targets = slices.DeleteFunc(targets, func(t target) bool { return t.path == f.Module.Mod.Path })
	for _, t := range targets {
		was := ""
		for _, r := range f.Require {
			if r.Mod.Path == t.path {
				was = r.Mod.Version
			}
		}
		for _, r := range f.Replace {
			if r.Old.Path == t.path {
				was = strings.TrimSpace(was + " => " + strings.TrimSpace(r.New.Path+" "+r.New.Version))
			}
		}
		now := strings.TrimSpace(t.newPath + " " + t.newVersion)
		if t.newPath == t.path {
			now = t.newVersion
		}
		if was != "" && was != now {
			m.Pins = append(m.Pins, Pin{Path: t.path, Was: was, Now: now})
		}
	}
	if hostSrc != "" {
		err := h.writeWork(m, f, modRoot, hostSrc, hostLang, sumBuf.Bytes(), targets)
		ok = err == nil
		return m, err
	}

	if f.Toolchain != nil {
		m.Notes = append(m.Notes, fmt.Sprintf("go.mod's `toolchain %s` line is ignored: the host's toolchain %s builds", f.Toolchain.Name, h.GoVersion))
		f.DropToolchainStmt()
	}
	if f.Go != nil && semver.Compare("v"+f.Go.Version, "v"+hostLang) > 0 {
		m.Notes = append(m.Notes, fmt.Sprintf("go.mod says go %s, newer than the host's %s: built at go %s (language features above it do not compile)", f.Go.Version, h.GoVersion, hostLang))
		if err := f.AddGoStmt(hostLang); err != nil {
			return nil, err
		}
	}
	for _, t := range targets {
		for _, r := range slices.Clone(f.Replace) {
			if r.Old.Path == t.path {
				if modfile.IsDirectoryPath(r.New.Path) {
					m.Notes = append(m.Notes, fmt.Sprintf("go.mod's replace of %s by the directory %s is overridden by the host's %s", t.path, r.New.Path, h.VersionOf(t.path)))
				}
				if err := f.DropReplace(r.Old.Path, r.Old.Version); err != nil {
					return nil, err
				}
			}
		}
		// The host's version is required, so that the build list has
		// it, and replaced, so that no other requirement raises it.
		ver := t.newVersion
		if t.newPath != t.path {
			ver = h.Deps[t.path].Version
		}
		if err := f.AddRequire(t.path, ver); err != nil {
			return nil, err
		}
		if err := f.AddReplace(t.path, "", t.newPath, t.newVersion); err != nil {
			return nil, err
		}
	}
	f.Cleanup()
	out, err := f.Format()
	if err != nil {
		return nil, err
	}
	m.GoMod = filepath.Join(dir, "go.mod")
	if err := os.WriteFile(m.GoMod, out, 0o644); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "go.sum"), sumBuf.Bytes(), 0o644); err != nil {
		return nil, err
	}
	ok = true
	return m, nil
}

// target is a module of the host with the version (and replacement) a
// build for it uses.
type target struct{ path, newPath, newVersion, sum string }

// writeWork writes the go.work of a build with the host's source, with
// the targets replaced.
func (h *Host) writeWork(m *ModFiles, f *modfile.File, modRoot, hostSrc, hostLang string, sum []byte, targets []target) error {
	srcMod, err := os.ReadFile(filepath.Join(hostSrc, "go.mod"))
	if err != nil {
		return &Error{Host: h.Path, Msg: fmt.Sprintf("--host-src %s has no go.mod: %v", hostSrc, err), Fix: "give the directory of the host's module, checked out at the revision it was built from"}
	}
	if p := modfile.ModulePath(srcMod); p != h.Main.Path {
		return &Error{Host: h.Path, Msg: fmt.Sprintf("--host-src %s is module %q, the host was built in module %s", hostSrc, p, h.Main.Path),
			Fix: "give the directory of the host's module, checked out at the revision it was built from" + h.revision()}
	}
	absMod, err := filepath.Abs(modRoot)
	if err != nil {
		return err
	}
	absSrc, err := filepath.Abs(hostSrc)
	if err != nil {
		return err
	}
	w := &modfile.WorkFile{Syntax: &modfile.FileSyntax{}}
	if err := w.AddGoStmt(hostLang); err != nil {
		return err
	}
	w.AddUse(absMod, "")
	w.AddUse(absSrc, "")
	for _, t := range targets {
		if err := w.AddReplace(t.path, "", t.newPath, t.newVersion); err != nil {
			return err
		}
	}
	// A requirement of the host's module at a version would make go read
	// that version's go.mod: it is the workspace module.
	for _, r := range f.Require {
		if r.Mod.Path == h.Main.Path {
			if err := w.AddReplace(r.Mod.Path, r.Mod.Version, absSrc, ""); err != nil {
				return err
			}
		}
	}
	w.Cleanup()
	m.GoWork = filepath.Join(m.Dir, "go.work")
	if err := os.WriteFile(m.GoWork, modfile.Format(w.Syntax), 0o644); err != nil {
		return err
	}
	// go.work.sum: the user's and the host source's go.sum, and the
	// host's module checksums (go reads each module's go.sum too).
	srcSum, _ := os.ReadFile(filepath.Join(hostSrc, "go.sum"))
	all := append(append(append([]byte(nil), sum...), '\n'), srcSum...)
	if err := os.WriteFile(filepath.Join(m.Dir, "go.work.sum"), all, 0o644); err != nil {
		return err
	}
	if f.Go != nil && semver.Compare("v"+f.Go.Version, "v"+hostLang) > 0 {
		return &Error{Host: h.Path, Msg: fmt.Sprintf("the plugins' go.mod says go %s, newer than the host's toolchain %s: in a workspace with the host's source it cannot be lowered", f.Go.Version, h.GoVersion),
			Fix: fmt.Sprintf("lower the go line to %s or below", hostLang)}
	}
	return nil
}

// IsEnvName tells build settings that are environment variables (GOARCH,
// GOAMD64, CGO_CFLAGS, ...).
func IsEnvName(k string) bool {
	return k != "" && strings.Trim(k, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") == ""
}

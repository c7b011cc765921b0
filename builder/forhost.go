package builder

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/mod/modfile"

	"github.com/pluginctl/pluginctl/internal/artifact"
	"github.com/pluginctl/pluginctl/internal/gocmd"
	"github.com/pluginctl/pluginctl/internal/manifest"
	"github.com/pluginctl/pluginctl/internal/released"
)

// ForHost builds the plugins of the current module for a host that is at
// hand only as a binary (a released gateway, say): with the host's
// toolchain, its build settings and, through a temporary module file, the
// host's version of every module it links. The user's go.mod and go.sum
// are never touched. Hosts of the module are not built.
type ForHost struct {
	// Host is the host binary.
	Host string
	// HostSrc is the host's source checkout (its module root), needed
	// when the plugins import packages of the host's own main module and
	// the host was built from a checkout (a "(devel)" main module): it is
	// used as a workspace module, so that those packages are main-module
	// packages on both sides.
	HostSrc string
	// SetFlags names the Options.Flags the user set explicitly ("race",
	// "tags", "gcflags", "ldflags", "trimpath"): one that contradicts the
	// host's build is refused.
	SetFlags []string
	// Offline reads the host's contract from the module cache only:
	// nothing is downloaded to read it.
	Offline bool
}

// ForHostError is a build for a host that cannot give plugins the host
// loads: what cannot be reproduced, or artifacts whose fingerprints
// differ from the host's. Nothing was written to the output directory.
type ForHostError struct {
	Host string
	Msg  string
	// Detail lists the evidence; Fix what to do.
	Detail []string
	Fix    string
}

// ExitCode is 1: like a failed build, not a usage error.
func (e *ForHostError) ExitCode() int { return 1 }

func (e *ForHostError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "building for host %s: %s", e.Host, e.Msg)
	for _, d := range e.Detail {
		b.WriteString("\n\t" + d)
	}
	if e.Fix != "" {
		b.WriteString("\n\tfix: " + e.Fix)
	}
	return b.String()
}

// forHost is a build for a host in progress.
type forHost struct {
	o     *ForHost
	host  *released.Host
	mods  *released.ModFiles
	notes []string
	// userGo is the go command before the host's environment was added.
	userGo *gocmd.Go
}

// prepareFor reads the host, refuses contradicting flags, and writes the
// temporary module files. The caller calls cleanup.
func prepareFor(o *Options) (*forHost, error) {
	fo := o.For
	h, err := released.Read(fo.Host)
	if err := cannotLoad(fo.Host, h); err != nil {
		return nil, err
	}
	if err != nil {
		var re *released.Error
		if errors.As(err, &re) {
			return nil, &EnvError{Msg: re.Error()}
		}
		return nil, err
	}
	if err := checkHostPlatform(fo.Host, h); err != nil { // cross.go
		return nil, err
	}
	if err := checkForFlags(o.Flags, fo.SetFlags, h); err != nil {
		return nil, err
	}
	root, err := moduleRoot(o.Dir)
	if err != nil {
		return nil, err
	}
	fh := &forHost{o: fo, host: h}
	fh.notes = append(fh.notes, h.Limits()...)
	if _, left := h.Flags(); len(left) > 0 {
		fh.notes = append(fh.notes, "left out of the plugins' build, as loading does not depend on them: "+strings.Join(left, "; "))
	}
	if u := h.Unsummed(); len(u) > 0 {
		fh.notes = append(fh.notes, "the host records no checksum for "+strings.Join(u, ", ")+" (built from a vendor directory?): built from the module proxy's copy, which the fingerprint check then proves or refutes")
	}
	if err := fh.checkOwnModule(root); err != nil {
		return nil, err
	}
	mods, err := h.WriteModFiles(root, fo.HostSrc)
	if err != nil {
		var re *released.Error
		if errors.As(err, &re) {
			return nil, &EnvError{Msg: re.Error()}
		}
		return nil, &ModError{Err: err}
	}
	fh.mods = mods
	fh.notes = append(fh.notes, mods.Notes...)
	return fh, nil
}

// cannotLoad refuses, up front, a host that loads no plugin (whatever its
// platform): h is the host as read, nil when it could not be.
func cannotLoad(path string, h *released.Host) error {
	f := (*artifact.File)(nil)
	if h != nil {
		f = h.File
	} else if af, err := artifact.Read(path); err == nil {
		f = af
	}
	if f == nil {
		return nil
	}
	if why := f.CannotLoadPlugins(); why != "" {
		return &ForHostError{
			Host: path, Msg: "the host cannot load any plugin (host-cannot-load-plugins): " + why,
			Fix: "rebuild the host with CGO_ENABLED=1, dynamically linked: Go loads plugins only through cgo and the system's dynamic loader",
		}
	}
	return nil
}

func (fh *forHost) cleanup() {
	if fh.mods != nil {
		os.RemoveAll(fh.mods.Dir)
	}
}

// env is the environment of every go command of the build.
func (fh *forHost) env() []string {
	return append(fh.host.Env(""), fh.mods.Env()...)
}

// checkOwnModule refuses, before anything is built, plugins whose module
// requires the host's own (devel) main module without its source: its
// packages cannot be reproduced from any version.
func (fh *forHost) checkOwnModule(root string) error {
	h := fh.host
	if !h.Devel() || fh.o.HostSrc != "" {
		return nil
	}
	data, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		return fmt.Errorf("reading go.mod: %w", err)
	}
	if !strings.Contains(string(data), h.Main.Path) {
		return nil
	}
	if modfile.ModulePath(data) == h.Main.Path {
		return &EnvError{Msg: fmt.Sprintf("this is the host's own module %s: build it with `pluginctl build`, not --for", h.Main.Path)}
	}
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(strings.TrimPrefix(strings.TrimSpace(line), "require"))
		if len(f) >= 1 && f[0] == h.Main.Path {
			return &ForHostError{
				Host: fh.o.Host,
				Msg:  "the plugins use the host's own main module " + h.Main.Path + ", which cannot be reproduced without its source",
				Detail: []string{h.ModuleReason(h.Main.Path),
					"go.mod requires " + strings.Join(f, " ") + "; the host has " + h.Main.Path + " (devel)"},
				Fix: "check out the host's source at the revision it was built from and give its module directory: pluginctl build --for " + fh.o.Host + " --host-src DIR",
			}
		}
	}
	return nil
}

// moduleRoot finds the go.mod at or above dir.
func moduleRoot(dir string) (string, error) {
	d, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for {
		if fileExists(filepath.Join(d, "go.mod")) {
			return d, nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", &EnvError{Msg: "not inside a Go module: no go.mod in this directory or any parent", Fix: "run pluginctl build --for in the plugins' module"}
		}
		d = parent
	}
}

// checkForFlags refuses the flags the user set that contradict the host.
func checkForFlags(f Flags, set []string, h *released.Host) error {
	has := map[string]string{}
	flags, _ := h.Flags()
	for _, fl := range flags {
		has[fl.Name] = fl.Value
	}
	var bad []string
	for _, name := range set {
		var mine, hosts string
		switch name {
		case "race":
			mine, hosts = strconv.FormatBool(f.Race), strconv.FormatBool(has["-race"] == "true")
		case "trimpath":
			mine, hosts = strconv.FormatBool(f.Trimpath), strconv.FormatBool(has["-trimpath"] == "true")
		case "tags":
			mine, hosts = strings.Join(f.Tags, ","), has["-tags"]
		case "gcflags":
			mine, hosts = f.GCFlags, has["-gcflags"]
		case "ldflags":
			mine, hosts = f.LDFlags, has["-ldflags"]
		default:
			continue
		}
		if mine != hosts {
			bad = append(bad, fmt.Sprintf("--%s %s: the host was built with -%s %s", name, quoteOr(mine), name, quoteOr(hosts)))
		}
	}
	if len(bad) > 0 {
		return &EnvError{
			Msg: "--for takes the build settings from the host, and these flags contradict them:\n\t" + strings.Join(bad, "\n\t"),
			Fix: "drop the flags: a plugin built with other settings than its host does not load in it",
		}
	}
	return nil
}

func quoteOr(s string) string {
	if s == "" {
		return "(none)"
	}
	return fmt.Sprintf("%q", s)
}

// explainCompile adds to a failed compile what the build changed: the
// modules pinned to the host's versions, those the compiler output names
// first.
func (fh *forHost) explainCompile(err error) error {
	var ce *CompileError
	if !errors.As(err, &ce) {
		return err
	}
	var out strings.Builder
	for _, f := range ce.Failures {
		out.WriteString(f.Output)
	}
	text := out.String()
	var named, others []string
	for _, p := range fh.mods.Pins {
		line := fmt.Sprintf("%s: the plugins' go.mod has %s, the host links %s", p.Path, p.Was, p.Now)
		last := p.Path[strings.LastIndex(p.Path, "/")+1:]
		if strings.Contains(text, p.Path) || strings.Contains(text, last+".") {
			named = append(named, line)
		} else {
			others = append(others, line)
		}
	}
	e := &ForHostError{Host: fh.o.Host, Msg: "the plugins do not compile with the host's toolchain " + fh.host.GoVersion + " and module versions"}
	switch {
	case len(named) > 0:
		e.Detail = append(e.Detail, "the compiler's errors involve:")
		e.Detail = append(e.Detail, named...)
		e.Fix = "make the plugins compile against the host's versions (go get MODULE@VERSION in the plugins' module, then fix the code)"
	case len(others) > 0:
		e.Detail = append(e.Detail, "modules moved to the host's versions:")
		e.Detail = append(e.Detail, others...)
		e.Fix = "make the plugins compile against the host's versions and toolchain"
	default:
		e.Fix = "make the plugins compile with " + fh.host.GoVersion
	}
	for _, f := range ce.Failures {
		e.Detail = append(e.Detail, fmt.Sprintf("building %s %s failed:", f.Kind, f.Package))
		for _, l := range strings.Split(strings.TrimSpace(f.Output), "\n") {
			e.Detail = append(e.Detail, "    "+l)
		}
	}
	e.Detail = append(e.Detail, fh.notes...)
	return e
}

// check compares every staged plugin with the host: the toolchain, and
// the fingerprint of every package both link. A difference names the
// package, its module and both versions, and what could not be
// reproduced.
func (fh *forHost) check(stage string, ts []*target) error {
	h := fh.host.File
	var detail []string
	for _, t := range ts {
		rel := artifactRel(t)
		f, err := artifact.Read(filepath.Join(stage, rel))
		if err != nil {
			return fmt.Errorf("reading %s back: %w", rel, err)
		}
		if f.BuildInfo.GoVersion != h.BuildInfo.GoVersion {
			detail = append(detail, fmt.Sprintf("%s: built by %s, the host by %s", rel, f.BuildInfo.GoVersion, h.BuildInfo.GoVersion))
			continue
		}
		pkgs, _ := f.FingerprintDiff(h)
		for _, pkg := range pkgs {
			mod := fh.host.ModuleOf(pkg)
			switch {
			case mod == "":
				detail = append(detail, fmt.Sprintf("%s: %s (standard library) differs", rel, pkg))
			default:
				line := fmt.Sprintf("%s: %s (module %s, host %s", rel, pkg, mod, fh.host.VersionOf(mod))
				if r := fh.host.ModuleReason(mod); r != "" {
					line += "): " + r
				} else {
					line += ", plugin " + versionIn(f, mod) + ") differs"
				}
				detail = append(detail, line)
			}
		}
	}
	if len(detail) == 0 {
		return nil
	}
	e := &ForHostError{
		Host: fh.o.Host, Msg: "the plugins built do not match the host's package fingerprints: the host would refuse them",
		Detail: append(detail, fh.notes...),
		Fix:    "see above what could not be reproduced; `pluginctl verify --host HOST` explains each package",
	}
	return e
}

// versionIn is the version of module mod in f's build info.
func versionIn(f *artifact.File, mod string) string {
	if f.BuildInfo.Main.Path == mod {
		return "(main module)"
	}
	for _, d := range f.BuildInfo.Deps {
		if d.Path == mod {
			if d.Replace != nil {
				return d.Version + " => " + strings.TrimSpace(d.Replace.Path+" "+d.Replace.Version)
			}
			return d.Version
		}
	}
	return "(not linked)"
}

// record is the host as the manifest records it: by absolute path and
// sha256 (verify finds it there, or is given it with --host, and checks
// the sum). The artifacts name no host: a manifest's host paths are
// inside its folder, and a released host is not.
func (fh *forHost) record() *manifest.HostRecord {
	abs, err := filepath.Abs(fh.o.Host)
	if err != nil {
		abs = fh.o.Host
	}
	r := &manifest.HostRecord{Path: abs, SHA256: fh.host.SHA256(), GoVersion: fh.host.GoVersion, Notes: fh.notes}
	for _, p := range fh.mods.Pins {
		r.Pinned = append(r.Pinned, manifest.PinnedModule{Path: p.Path, GoMod: p.Was, Host: p.Now})
	}
	return r
}

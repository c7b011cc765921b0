package probe

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/pluginctl/pluginctl/internal/artifact"
	"github.com/pluginctl/pluginctl/internal/gocmd"
	"github.com/pluginctl/pluginctl/internal/released"
)

// Released says how a probe built from a host's build info alone mirrors
// the host: which of the host's packages it has with the host's very
// fingerprint, and which not, and why.
type Released struct {
	// HostSrc is the host's source checkout used as a workspace module,
	// "" when none was given.
	HostSrc string
	// Reproduced counts the host's packages the probe has with the
	// host's fingerprint; Unreproduced are the others, each "pkg: why".
	Reproduced   int
	Unreproduced []string
	// Notes are what else could not be reproduced (no -trimpath, ...).
	Notes []string
}

// UnreproducedPackages returns the import paths of r.Unreproduced.
func (r *Released) UnreproducedPackages() map[string]bool {
	out := map[string]bool{}
	for _, u := range r.Unreproduced {
		p, _, _ := strings.Cut(u, ": ")
		out[p] = true
	}
	return out
}

// releasedDir is the probe module's directory name and the last element
// of its module path, below the host's main module path (so that the
// host module's internal packages are importable from it).
const releasedDir = "pluginctl_probe"

// NothingReproducedError says that no probe can stand in for the host:
// the dynamic check cannot run, the static check is all there is.
type NothingReproducedError struct {
	Host   string
	Reason string
}

func (e *NothingReproducedError) Error() string {
	return "the dynamic check cannot mirror host " + e.Host + " from its build info: " + e.Reason
}

// BuildReleased builds a probe for a host whose source is not at hand,
// from its build info alone: in a temporary module that requires every
// module the host links at the host's version, with the host's toolchain
// and build settings, blank-importing every package of the host it can
// import. With hostSrc (the host's module checkout), the host's own
// packages are built as a workspace module too. The probe is then
// compared with the host package by package; it is cached by the host's
// sha256. A *NothingReproducedError means the probe cannot stand in for
// the host at all.
func BuildReleased(ctx context.Context, cfg Config, hostSrc string) (*Probe, error) {
	hostAbs, err := filepath.Abs(cfg.Host)
	if err != nil {
		return nil, err
	}
	h, err := released.Read(cfg.Host)
	if err != nil {
		return nil, &NothingReproducedError{Host: cfg.Host, Reason: err.Error()}
	}
	apiPkg, types := cfg.apiAndTypes()
	g := cfg.Go
	if g == nil {
		g = &gocmd.Go{}
	}
	if g, err = forTarget(cfg.Host, h.Settings, g); err != nil { // another platform's (emulate.go)
		return nil, err
	}
	if hostSrc != "" {
		if hostSrc, err = filepath.Abs(hostSrc); err != nil {
			return nil, err
		}
	}
	cacheDir, err := cfg.cacheDir()
	if err != nil {
		return nil, err
	}
	key := hashOf(append([]string{"released", h.SHA256(), hostSrc, apiPkg, generatorVersion(), g.Binary}, types...)...)
	entry := filepath.Join(cacheDir, "released-"+key[:24])
	validated := filepath.Join(cacheDir, "validated", "released-"+key[:32]+".json")
	if p, ok := loadValidated(validated); ok && p.Released != nil {
		p.Host = hostAbs
		return p, nil
	}
	unlock, err := lockEntry(ctx, cfg.Host, entry)
	if err != nil {
		return nil, err
	}
	defer unlock()

	// The probe's module: nothing but a go line; the module files that
	// pin the host's versions are written beside it.
	modDir := filepath.Join(entry, releasedDir)
	if err := os.MkdirAll(modDir, 0o755); err != nil {
		return nil, err
	}
	probePkg := h.Main.Path + "/" + releasedDir
	files := probeFiles()
	files["go.mod"] = []byte("module " + probePkg + "\n\ngo " + strings.TrimPrefix(h.GoVersion, "go") + "\n")
	if err := writeFiles(modDir, files); err != nil {
		return nil, err
	}
	mods, err := h.WriteModFiles(modDir, hostSrc)
	if err != nil {
		return nil, &NothingReproducedError{Host: cfg.Host, Reason: err.Error()}
	}
	defer os.RemoveAll(mods.Dir)

	// What the probe imports: every package of the host it can import.
	rel := &Released{HostSrc: hostSrc, Notes: h.Limits()}
	hostPkgs := slices.Sorted(maps.Keys(h.File.Fingerprints))
	skipped := map[string]string{}
	var imports []string
	for _, pkg := range hostPkgs {
		if pkg == "main" || strings.HasPrefix(pkg, "vendor/") || strings.Contains(pkg, "/vendor/") {
			continue
		}
		mod := h.ModuleOf(pkg)
		if mod == h.Main.Path && hostSrc != "" {
			// from the workspace module
		} else if r := h.ModuleReason(mod); r != "" && mod != "" {
			skipped[pkg] = r
			continue
		}
		if parent, ok := internalParent(pkg); ok && probePkg != parent && !strings.HasPrefix(probePkg, parent+"/") {
			continue // linked through the packages that import it
		}
		imports = append(imports, pkg)
	}

	lp := listed{ImportPath: h.File.BuildInfo.Path, Name: "main", Imports: imports, Deps: hostPkgs}
	tcs := classifyTypes(types, lp)
	env := append(h.Env(""), mods.Env()...)
	gb := (&gocmd.Go{Binary: g.Binary, Dir: modDir, Env: g.Env}).With(env...)
	out := filepath.Join(entry, "probe")
	args := append(append(mods.Args(), h.Args()...), "-o", out, ".")
	start := time.Now()
	var gen *generated
	for attempt := 0; ; attempt++ {
		lp.Imports = imports
		if gen, err = generate(h.File.BuildInfo, lp, apiPkg, tcs); err != nil {
			return nil, err
		}
		if err := writeIfChanged(filepath.Join(modDir, "main.go"), gen.src, 0o644); err != nil {
			return nil, err
		}
		if _, err = gb.Output(ctx, "build", args...); err == nil {
			break
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		var ge *gocmd.Error
		if !errors.As(err, &ge) || attempt >= 6 {
			return nil, &NothingReproducedError{Host: cfg.Host, Reason: "building the probe failed: " + firstLines(err.Error(), 6)}
		}
		// A package the probe cannot import (a module the proxy does
		// not serve, a package that does not build here) is left out
		// and named; anything else fails the probe.
		if markUncompilable(tcs, gen.lines, ge.Stderr) {
			continue
		}
		bad := blamedImports(ge.Stderr, imports)
		if len(bad) == 0 {
			return nil, &NothingReproducedError{Host: cfg.Host, Reason: "building the probe failed: " + firstLines(ge.Stderr, 6)}
		}
		for pkg, why := range bad {
			skipped[pkg] = "not built: " + why
			imports = slices.DeleteFunc(imports, func(s string) bool { return s == pkg })
		}
	}
	buildTime := time.Since(start)

	pf, err := artifact.Read(out)
	if err != nil {
		return nil, &EnvError{Host: cfg.Host, Msg: "reading the probe back: " + err.Error(), Err: err}
	}
	if pf.BuildInfo.GoVersion != h.File.BuildInfo.GoVersion {
		return nil, &NothingReproducedError{Host: cfg.Host, Reason: fmt.Sprintf("the probe was built by %s, the host by %s", pf.BuildInfo.GoVersion, h.File.BuildInfo.GoVersion)}
	}
	hs, ps := settingsOf(h.File.BuildInfo), settingsOf(pf.BuildInfo)
	for _, k := range diffKeys(hs, ps) {
		if k == "vcs" || strings.HasPrefix(k, "vcs.") || k == "-buildmode" || k == "-ldflags" {
			continue
		}
		if (k == "-gcflags" || k == "-asmflags") && mainOnly(hs[k]) && mainOnly(ps[k]) {
			continue // the main packages' own flags: no other package is compiled with them
		}
		rel.Notes = append(rel.Notes, fmt.Sprintf("build setting %s: host %s, probe %s", k, quotedOr(hs, k), quotedOr(ps, k)))
	}
	differ, missing := pf.FingerprintDiff(h.File)
	why := map[string]string{}
	for _, pkg := range missing {
		why[pkg] = "not linked by the probe"
	}
	for _, pkg := range differ {
		why[pkg] = "compiled differently (standard library)"
		if mod := h.ModuleOf(pkg); mod != "" {
			why[pkg] = fmt.Sprintf("compiled differently from module %s %s", mod, h.VersionOf(mod))
		}
	}
	for _, pkg := range hostPkgs {
		switch {
		case pkg == "main":
		case why[pkg] == "":
			rel.Reproduced++
		case skipped[pkg] != "":
			rel.Unreproduced = append(rel.Unreproduced, pkg+": "+skipped[pkg])
		default:
			rel.Unreproduced = append(rel.Unreproduced, pkg+": "+why[pkg])
		}
	}
	if why["runtime"] != "" {
		reason := "even package runtime differs from the host's"
		if len(rel.Notes) > 0 {
			reason += ": " + strings.Join(rel.Notes, "; ")
		}
		return nil, &NothingReproducedError{Host: cfg.Host, Reason: reason}
	}
	p := &Probe{
		Path: out, Host: hostAbs, HostInfo: h.File.BuildInfo, Package: h.File.BuildInfo.Path, Dir: modDir,
		ProbeImports: gen.named, Source: gen.src, ProbePackage: probePkg, BuildTime: buildTime,
		BuildFlags: args, Toolchain: h.GoVersion, Types: tcs, Released: rel,
	}
	if slices.Contains(hostPkgs, apiPkg) {
		p.APIPackage = apiPkg
	}
	storeValidated(validated, p)
	return p, nil
}

// blamedImports returns the probe's imports a failed build names (as a
// whole word of a line of its error), with the line.
func blamedImports(stderr string, imports []string) map[string]string {
	want := map[string]bool{}
	for _, imp := range imports {
		want[imp] = true
	}
	out := map[string]string{}
	for _, line := range strings.Split(stderr, "\n") {
		for _, w := range strings.Fields(line) {
			w = strings.Trim(w, "\"';:,()`")
			if want[w] {
				if _, ok := out[w]; !ok {
					out[w] = strings.TrimSpace(line)
				}
			}
		}
	}
	return out
}

func firstLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = append(lines[:n], "...")
	}
	return strings.Join(lines, "\n")
}

// mainOnly reports whether a -gcflags/-asmflags value ("": unset)
// applies to the main package only (no pattern).
func mainOnly(v string) bool {
	return released.ParsePackageFlag(v).Pattern == ""
}

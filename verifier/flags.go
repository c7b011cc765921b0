package verifier

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/pluginctl/pluginctl/internal/artifact"
	"github.com/pluginctl/pluginctl/internal/released"
)

// Per-package flags (-gcflags, -asmflags) are judged where they apply, as
// cmd/go applies them: without a pattern only to the packages on the
// command line (a program's or a plugin's main package, which the other
// side never links), with one to the packages it matches. A difference
// that applies to no package both files link changes no fingerprint
// plugin.Open compares: it is no finding.

// perPackage are the settings that apply per package.
var perPackage = []string{"-gcflags", "-asmflags"}

// flagPackages returns, for setting k, the packages both files link
// that are compiled with other flags on each side, sorted.
func flagPackages(k string, f, h *artifact.File) []string {
	fp, hp := released.ParsePackageFlag(settingsMap(f.BuildInfo)[k]), released.ParsePackageFlag(settingsMap(h.BuildInfo)[k])
	fm, hm := f.BuildInfo.Main.Path, h.BuildInfo.Main.Path
	var out []string
	for pkg := range f.Fingerprints {
		if _, ok := h.Fingerprints[pkg]; !ok || pkg == "main" {
			continue
		}
		if fp.For(pkg, fm, false) != hp.For(pkg, hm, false) {
			out = append(out, pkg)
		}
	}
	sort.Strings(out)
	return out
}

// judgeFlags drops from the setting differences (settingDiffs lines) the
// per-package flags that apply to no shared package, and says to which
// shared packages the others apply.
func judgeFlags(diffs []string, f, h *artifact.File) []string {
	if f.BuildInfo == nil || h.BuildInfo == nil {
		return diffs
	}
	var out []string
	for _, d := range diffs {
		k, _, _ := strings.Cut(d, ":")
		if !slices.Contains(perPackage, k) {
			out = append(out, d)
			continue
		}
		pkgs := flagPackages(k, f, h)
		if len(pkgs) == 0 {
			continue // applies to no package both link
		}
		out = append(out, fmt.Sprintf("%s (applies differently to %d shared package(s): %s)", d, len(pkgs), firstN(pkgs, 5)))
	}
	return out
}

func firstN(s []string, n int) string {
	if len(s) <= n {
		return strings.Join(s, ", ")
	}
	return strings.Join(s[:n], ", ") + fmt.Sprintf(", and %d more", len(s)-n)
}

package verifier

import (
	"fmt"
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
	fv, hv := setting(f, k), setting(h, k)
	if fv == hv {
		return nil
	}
	fp, hp := released.ParsePackageFlag(fv), released.ParsePackageFlag(hv)
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

func setting(f *artifact.File, k string) string {
	if f.BuildInfo == nil {
		return ""
	}
	for _, s := range f.BuildInfo.Settings {
		if s.Key == k {
			return s.Value
		}
	}
	return ""
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
		if !isPerPackage(k) {
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

func isPerPackage(k string) bool {
	for _, p := range perPackage {
		if k == p {
			return true
		}
	}
	return false
}

func firstN(s []string, n int) string {
	if len(s) <= n {
		return strings.Join(s, ", ")
	}
	return strings.Join(s[:n], ", ") + fmt.Sprintf(", and %d more", len(s)-n)
}

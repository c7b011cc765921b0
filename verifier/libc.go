package verifier

import (
	"fmt"
	"slices"
	"strings"

	"github.com/pluginctl/pluginctl/internal/artifact"
	"github.com/pluginctl/pluginctl/internal/diag"
)

// Deploy-target checks: what a plugin needs from the C side of the
// machine, against what its host needs there. The host runs on the
// deploy machine, so that machine has the host's C library and at least
// the GLIBC symbol versions the host requires; a plugin that requires a
// newer one (it was linked on a newer glibc), or another C library, fails
// there with "version `GLIBC_2.38' not found" although it loads on the
// build machine. The dynamic check, running on the build machine, cannot
// see this: these problems are no disagreement with it.

// LibcMismatch: the plugin needs another C library than the host, or
// newer GLIBC symbol versions than the host requires.
const LibcMismatch diag.Code = "libc-mismatch"

// ExtraLibrary warns that the plugin needs shared libraries (DT_NEEDED)
// the host does not: the deploy machine must have them.
const ExtraLibrary diag.Code = "extra-library"

// MissingLibrary: dlopen fails because a shared library the plugin needs
// (DT_NEEDED) cannot be found where it is opened. It is the deploy
// environment's failure (install the library, set LD_LIBRARY_PATH), not
// the plugin's or pluginctl's: never not-a-plugin, never a disagreement.
const MissingLibrary diag.Code = "missing-library"

// LoaderEnvironment: dlopen fails for another reason of the machine's C
// side (a missing symbol version of libc, an undefined C symbol, a
// library of another class): the environment, not the plugin file.
const LoaderEnvironment diag.Code = "loader-environment"

// deployTargetCodes are the problems only the deploy machine shows.
var deployTargetCodes = map[diag.Code]bool{LibcMismatch: true, ExtraLibrary: true, MissingLibrary: true, LoaderEnvironment: true}

// compareLibc compares the C-side needs of a plugin with its host's.
func compareLibc(pl, hl *artifact.Libc) []diag.Problem {
	var ps []diag.Problem
	switch {
	case pl.Flavor != "" && hl.Flavor != "" && pl.Flavor != hl.Flavor:
		ps = append(ps, diag.Problem{
			Code: LibcMismatch, Severity: diag.Error,
			Message: fmt.Sprintf("linked against %s, the host against %s: it does not load where the host runs", pl.Flavor, hl.Flavor),
			Detail: []string{
				"plugin needs " + orNone(pl.Needed),
				"host   needs " + orNone(hl.Needed) + interpNote(hl),
			},
			Fix: fmt.Sprintf("build the plugin on a %s system like the host's (the host's build image), with `pluginctl build --for HOST`", hl.Flavor),
		})
	case pl.GlibcMax != "" && hl.GlibcMax != "" && artifact.CompareGlibc(pl.GlibcMax, hl.GlibcMax) > 0:
		detail := []string{fmt.Sprintf("plugin requires %s, host requires at most %s", pl.GlibcMax, hl.GlibcMax),
			"symbols above the host's: " + firstN(pl.SymbolsAbove(hl.GlibcMax), 8)}
		ps = append(ps, diag.Problem{
			Code: LibcMismatch, Severity: diag.Error,
			Message: fmt.Sprintf("requires glibc symbol version %s, the host only %s: where the host runs on an older glibc, loading fails with \"version `%s' not found\"", pl.GlibcMax, hl.GlibcMax, pl.GlibcMax),
			Detail:  detail,
			Fix:     fmt.Sprintf("build the plugin on a system whose glibc is not newer than the deploy machine's (the host's build image), or avoid the C functions above %s", hl.GlibcMax),
		})
	}
	var extra []string
	for _, n := range pl.Needed {
		if !slices.Contains(hl.Needed, n) && !isLibcName(n) {
			extra = append(extra, n)
		}
	}
	if len(extra) > 0 {
		ps = append(ps, diag.Problem{
			Code: ExtraLibrary, Severity: diag.Warning,
			Message: "needs shared libraries the host does not: " + strings.Join(extra, ", "),
			Detail:  []string{"plugin needs " + orNone(pl.Needed), "host   needs " + orNone(hl.Needed)},
			Fix:     "make sure the deploy machine (or image) has them, or link them statically",
		})
	}
	return ps
}

func interpNote(l *artifact.Libc) string {
	if l.Interp == "" {
		return ""
	}
	return " (interpreter " + l.Interp + ")"
}

// isLibcName tells the C library itself, which the libc-mismatch check
// covers.
func isLibcName(n string) bool {
	return n == "libc.so.6" || n == "libc.so" || strings.HasPrefix(n, "libc.musl-")
}

package verifier

import (
	"fmt"
	"sort"

	"github.com/pluginctl/pluginctl/internal/artifact"
)

// Diff is what differs between two builds (two plugins, or a host and a
// plugin), as far as loading them together is concerned.
type Diff struct {
	A, B string `json:"-"`
	// GoVersion is "a, b" when the toolchains differ.
	GoVersion string `json:"go_version,omitempty"`
	// Settings are the build settings that differ ("key: a X, b Y").
	Settings []string `json:"settings,omitempty"`
	// Modules are the modules whose versions differ.
	Modules []string `json:"modules,omitempty"`
	// Packages are the packages both link whose fingerprints differ:
	// plugin.Open refuses the pair for each of them.
	Packages []string `json:"packages,omitempty"`
	// OnlyA and OnlyB count the packages only one side links.
	OnlyA int `json:"only_a"`
	OnlyB int `json:"only_b"`
}

// Empty reports whether nothing that matters differs.
func (d *Diff) Empty() bool {
	return d.GoVersion == "" && len(d.Settings) == 0 && len(d.Modules) == 0 && len(d.Packages) == 0
}

// Compare diffs two artifacts read with artifact.Read.
func Compare(a, b *artifact.File) *Diff {
	d := &Diff{A: a.Path, B: b.Path}
	if a.BuildInfo != nil && b.BuildInfo != nil {
		if a.BuildInfo.GoVersion != b.BuildInfo.GoVersion {
			d.GoVersion = a.BuildInfo.GoVersion + ", " + b.BuildInfo.GoVersion
		}
		d.Settings = settingDiffs(a.BuildInfo, b.BuildInfo, "a", "b")
		av, bv := map[string]string{}, map[string]string{}
		for _, m := range a.BuildInfo.Deps {
			_, av[m.Path] = moduleOf(m.Path, a.BuildInfo)
		}
		for _, m := range b.BuildInfo.Deps {
			_, bv[m.Path] = moduleOf(m.Path, b.BuildInfo)
		}
		for p, v := range av {
			if w, ok := bv[p]; ok && w != v {
				d.Modules = append(d.Modules, fmt.Sprintf("%s: a %s, b %s", p, v, w))
			}
		}
		sort.Strings(d.Modules)
	}
	d.Packages = mismatchedPackages(a, b)
	for p := range a.Fingerprints {
		if _, ok := b.Fingerprints[p]; !ok {
			d.OnlyA++
		}
	}
	for p := range b.Fingerprints {
		if _, ok := a.Fingerprints[p]; !ok {
			d.OnlyB++
		}
	}
	return d
}

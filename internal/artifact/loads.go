package artifact

import (
	"fmt"
	"slices"
)

// CannotLoadPlugins says why the Go program f can load no plugin at all,
// "" when nothing tells so: built with CGO_ENABLED=0 (its plugin.Open
// always fails with "plugin: not implemented"), or linked statically, with
// no program interpreter (musl's dlopen fails with "Dynamic loading not
// supported"; glibc's loads the plugin, whose runtime then throws "no
// plugin module data", measured). It is for hosts, of any platform.
func (f *File) CannotLoadPlugins() string {
	if f.Kind != KindExecutable || f.BuildInfo == nil {
		return ""
	}
	for _, s := range f.BuildInfo.Settings {
		if s.Key == "CGO_ENABLED" && s.Value != "1" {
			return fmt.Sprintf("it was built with CGO_ENABLED=%s: its plugin.Open always fails with \"plugin: not implemented\"", s.Value)
		}
	}
	if l, err := f.Libc(); err == nil && l.Interp == "" {
		return "it is linked statically (no program interpreter: -extldflags=-static, a static musl build): no plugin loads into it (musl: \"Dynamic loading not supported\"; glibc: \"fatal error: runtime: no plugin module data\")"
	}
	return ""
}

// FingerprintDiff compares f's package fingerprints with host's, as
// plugin.Open compares a plugin's with its host's: differ are the
// packages both link with other fingerprints (plugin.Open refuses f for
// any of them), missing those host links and f does not (which a
// plugin may lack, and a probe that mirrors host must not). Package
// main is never compared: every program has its own. Both are sorted
// by import path. Every comparison of fingerprints goes through it.
func (f *File) FingerprintDiff(host *File) (differ, missing []string) {
	for pkg, hp := range host.Fingerprints {
		fp, ok := f.Fingerprints[pkg]
		switch {
		case pkg == "main":
		case !ok:
			missing = append(missing, pkg)
		case fp != hp:
			differ = append(differ, pkg)
		}
	}
	slices.Sort(differ)
	slices.Sort(missing)
	return differ, missing
}

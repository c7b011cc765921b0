// Package version reports pluginctl's own version, from the module version
// the binary was built at ("devel" for a build from a checkout).
package version

import "runtime/debug"

// Version returns pluginctl's version. It is deterministic: it never
// includes a time or a path, since it is embedded in every artifact.
func Version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}

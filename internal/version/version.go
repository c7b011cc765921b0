// Package version reports pluginctl's own version, from the module version
// the binary was built at ("devel" for a build from a checkout).
package version

import (
	"fmt"
	"os"
	"runtime/debug"
	"sync"
)

// Version returns pluginctl's version. It is deterministic: it never
// includes a time or a path, since it is embedded in every artifact.
func Version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}

// ToolID identifies the running binary (its path, size and modification
// time), so that what an older build of pluginctl cached is not reused by
// a rebuilt one, whose version may read the same ("devel").
var ToolID = sync.OnceValue(func() string {
	exe, err := os.Executable()
	if err != nil {
		return ""
	}
	fi, err := os.Stat(exe)
	if err != nil {
		return exe
	}
	return fmt.Sprintf("%s %d %d", exe, fi.Size(), fi.ModTime().UnixNano())
})

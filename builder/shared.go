// The artifacts kept in a GOCACHEPROG cache program, so that machines
// sharing the program (a CI fleet) share pluginctl's links as they share
// the go command's compiles.

package builder

import "github.com/pluginctl/pluginctl/internal/cacheprog"

// sharedKey is the key of t's artifact in the cache program. It leaves
// out the project's directory (the run's configKey has none): go build
// accepts a seed only when its build ID is the one it would link, so an
// entry from another checkout path is used exactly when it is the same.
func (b *run) sharedKey(t *target) [32]byte {
	return cacheprog.Key("artifact", b.configKey, string(t.Kind), t.ImportPath)
}

package cachedir

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"time"

	"github.com/pluginctl/pluginctl/internal/fsutil"
	"github.com/pluginctl/pluginctl/internal/version"
)

// Key is the part of a cache entry's name that identifies the kind of
// entry (e.g. "artifact-facts/v4") and the running binary
// (version.ToolID): a rebuilt pluginctl reads no entry an older one wrote.
func Key(kind string) string {
	h := sha256.Sum256([]byte(kind + "\n" + version.ToolID()))
	return hex.EncodeToString(h[:6])
}

// TouchAfter is how old an entry's modification time may grow before
// ReadEntry marks it used again: a cache's trim removes the entries not
// used for days, and marking each use would cost a write per read.
const TouchAfter = time.Hour

// ReadEntry reads the cache entry at path, of at most limit bytes, and
// marks it used (its modification time) when it was last marked more than
// TouchAfter ago; false when it cannot be read.
func ReadEntry(path string, limit int64) ([]byte, bool) {
	data, mod, err := fsutil.ReadRegularModTime(path, limit)
	if err != nil {
		return nil, false
	}
	if now := time.Now(); now.Sub(mod) > TouchAfter {
		os.Chtimes(path, now, now)
	}
	return data, true
}

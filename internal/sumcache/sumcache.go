// Package sumcache remembers the SHA-256 of artifact files by their
// identity on disk, as git's index does: a file whose device, inode, size,
// modification time and change time are all unchanged is not read and
// hashed again. The change time cannot be set back by anyone but root, so
// a replaced or rewritten file always misses the cache.
package sumcache

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"github.com/pluginctl/pluginctl/internal/cachedir"
	"github.com/pluginctl/pluginctl/internal/fsutil"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
)

// Cache is a directory of remembered sums; the zero value remembers nothing.
type Cache struct{ Dir string }

// Default is the cache in the user cache directory, or none when there is
// no such directory or PLUGINCTL_CACHE is "off".
func Default() Cache { return Cache{Dir: cachedir.For(cachedir.Sums)} }

// Identity describes the file at path as it is now: what Lookup compares.
// A reader takes it before reading a file and remembers the sum with
// PutAs, so that a file changed while it was read is not remembered.
func Identity(path string) (string, bool) {
	fi, err := os.Stat(path)
	if err != nil || !fi.Mode().IsRegular() {
		return "", false
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return "", false
	}
	return fmt.Sprintf("%d %d %d %d.%d %d.%d", st.Dev, st.Ino, st.Size, st.Mtim.Sec, st.Mtim.Nsec, st.Ctim.Sec, st.Ctim.Nsec), true
}

// SameContents reports whether identities a and b (from Identity) are of
// the same file with the same size and modification time, whatever their
// change times: as before and after a hard link to it was made, which
// changes only the change time. Writing the file changes its modification
// time, unless the writer sets it back on purpose.
func SameContents(a, b string) bool {
	fa, fb := strings.Fields(a), strings.Fields(b)
	return len(fa) == 5 && len(fb) == 5 && slices.Equal(fa[:4], fb[:4])
}

// maxEntry bounds an entry read back: real ones are a line.
const maxEntry = 4096

func (c Cache) entry(path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		return ""
	}
	h := sha256.Sum256([]byte(abs))
	return filepath.Join(c.Dir, hex.EncodeToString(h[:16]))
}

// Lookup returns the remembered sum of the file at path, if its identity
// has not changed since Put, and that identity.
func (c Cache) Lookup(path string) (sum, id string, ok bool) {
	if c.Dir == "" {
		return "", "", false
	}
	id, ok = Identity(path)
	if !ok {
		return "", "", false
	}
	data, err := fsutil.ReadRegular(c.entry(path), maxEntry)
	if err != nil {
		return "", "", false
	}
	gotID, sum, ok := strings.Cut(strings.TrimSpace(string(data)), "\n")
	if !ok || gotID != id || len(sum) != 64 {
		return "", "", false
	}
	return sum, id, true
}

// Put remembers sum for the file at path as it is now. Errors are
// ignored: it is only a cache.
func (c Cache) Put(path, sum string) {
	if id, ok := Identity(path); ok {
		c.PutAs(path, id, sum)
	}
}

// PutAs remembers sum for the file at path if its identity is still id
// (from Identity, taken before the file was read).
func (c Cache) PutAs(path, id, sum string) {
	if c.Dir == "" {
		return
	}
	if now, ok := Identity(path); !ok || now != id || os.MkdirAll(c.Dir, 0o755) != nil {
		return
	}
	fsutil.WriteFileAtomic(c.entry(path), []byte(id+"\n"+sum+"\n"), 0o644)
}

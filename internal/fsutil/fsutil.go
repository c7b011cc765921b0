// Package fsutil has the file operations pluginctl needs to never leave a
// partial file behind: atomic writes and link-or-copy.
package fsutil

import (
	"os"
	"path/filepath"
)

// Trace, set by tests only, is told of every file written by
// WriteFileAtomic ("write") and opened for reading by OpenRegular or
// ReadRegular ("read"): the files pluginctl's own process writes and reads
// back (artifacts, manifests, cache entries), whatever the caller.
var Trace func(op, name string)

// WriteFileAtomic writes data to a temporary file beside name and renames
// it into place, so readers see the old or the new content, never a mix.
func WriteFileAtomic(name string, data []byte, perm os.FileMode) error {
	if Trace != nil {
		Trace("write", name)
	}
	return replace(name, perm, func(f *os.File) error {
		_, err := f.Write(data)
		return err
	})
}

// replace fills a temporary file beside name with fill, gives it perm and
// renames it to name; on failure it removes it.
func replace(name string, perm os.FileMode, fill func(*os.File) error) error {
	f, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".tmp*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	err = fill(f)
	if err == nil {
		err = f.Chmod(perm)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, name)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}

// LinkOrCopy makes dst a hard link to src, or a copy (Clone) when
// linking fails (another file system). dst is replaced atomically.
func LinkOrCopy(src, dst string) error {
	tmp := dst + ".tmp-link"
	os.Remove(tmp)
	if err := os.Link(src, tmp); err != nil {
		return Clone(src, dst)
	}
	if err := os.Rename(tmp, dst); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

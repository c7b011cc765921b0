package fsutil

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
	"time"
)

// NotRegularError reports a path that is not a regular file where one is
// needed: a directory, a named pipe, a device, a socket, a symbolic link.
type NotRegularError struct {
	Path string
	Mode fs.FileMode
}

func (e *NotRegularError) Error() string {
	return fmt.Sprintf("%s is %s, not a regular file", e.Path, Describe(e.Mode))
}

// Describe names the kind of file a mode stands for, with its article:
// "a directory", "a named pipe (FIFO)", "a character device"...
func Describe(m fs.FileMode) string {
	switch {
	case m.IsRegular():
		return "a regular file"
	case m.IsDir():
		return "a directory"
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	}
	return "a special file (" + m.Type().String() + ")"
}

// TooLargeError reports a file larger than a reader accepts.
type TooLargeError struct {
	Path  string
	Limit int64
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("%s is larger than %d bytes", e.Path, e.Limit)
}

// OpenRegular opens name for reading without ever blocking: the open is
// non-blocking (a named pipe without a writer does not hang it) and the
// opened file must be a regular file (fstat, so that what was checked is
// what was opened; a symbolic link to /dev/zero is a character device). A
// file that is not regular gives a *NotRegularError.
func OpenRegular(name string) (*os.File, fs.FileInfo, error) {
	if Trace != nil {
		Trace("read", name)
	}
	f, err := os.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, nil, &NotRegularError{Path: name, Mode: fi.Mode()}
	}
	return f, fi, nil
}

// ReadRegular reads a regular file of at most limit bytes (see
// OpenRegular); a larger file gives a *TooLargeError, having read no more
// than limit+1 bytes of it.
func ReadRegular(name string, limit int64) ([]byte, error) {
	data, _, err := ReadRegularModTime(name, limit)
	return data, err
}

// ReadRegularModTime is ReadRegular, also returning the file's
// modification time.
func ReadRegularModTime(name string, limit int64) ([]byte, time.Time, error) {
	f, fi, err := OpenRegular(name)
	if err != nil {
		return nil, time.Time{}, err
	}
	defer f.Close()
	if fi.Size() > limit {
		return nil, time.Time{}, &TooLargeError{Path: name, Limit: limit}
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, time.Time{}, err
	}
	if int64(len(data)) > limit {
		return nil, time.Time{}, &TooLargeError{Path: name, Limit: limit}
	}
	return data, fi.ModTime(), nil
}

// CheckReplaceable returns nil when name does not exist or is a regular
// file, which an atomic write may replace, and a *NotRegularError when it
// is anything else (a directory, a named pipe, a device, a symbolic link):
// replacing those would destroy what the user meant to keep.
func CheckReplaceable(name string) error {
	fi, err := os.Lstat(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() {
		return &NotRegularError{Path: name, Mode: fi.Mode()}
	}
	return nil
}

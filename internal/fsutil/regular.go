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
	if Trace != nil {
		Trace("read", name)
	}
	if data, mod, ok := readRaw(name, limit); ok {
		return data, mod, nil
	}
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

// readRaw is ReadRegularModTime's common case through the system calls
// alone (open, fstat, read, close): os.File's set-up for the runtime's
// poller costs more than reading a small file (the static check reads two
// cache entries per artifact). false sends every other case (an error, a
// file that is not regular, is too large or grew while read, an
// interrupted call) to the general path, which tells them apart.
func readRaw(name string, limit int64) ([]byte, time.Time, bool) {
	fd, err := syscall.Open(name, syscall.O_RDONLY|syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil, time.Time{}, false
	}
	defer syscall.Close(fd)
	var st syscall.Stat_t
	if syscall.Fstat(fd, &st) != nil || st.Mode&syscall.S_IFMT != syscall.S_IFREG || st.Size < 0 || st.Size > limit {
		return nil, time.Time{}, false
	}
	buf := make([]byte, st.Size+1)
	n := 0
	for n < len(buf) {
		k, err := syscall.Read(fd, buf[n:])
		if err != nil || k < 0 {
			return nil, time.Time{}, false
		}
		if k == 0 {
			return buf[:n], time.Unix(st.Mtim.Unix()), true
		}
		n += k
	}
	return nil, time.Time{}, false
}

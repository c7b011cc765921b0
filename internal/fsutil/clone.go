package fsutil

import (
	"io"
	"os"
	"syscall"
)

// ficlone is the Linux FICLONE ioctl: the destination shares the source's
// blocks copy-on-write (btrfs, XFS, bcachefs), so a later write to one
// never shows in the other.
const ficlone = 0x40049409

// Clone makes dst an independent copy of src: a reflink where the file
// system supports it, else a copy (copy_file_range, in the kernel). Unlike
// a hard link, writing to one file in place never changes the other. dst
// is replaced atomically and gets src's permission bits.
func Clone(src, dst string) error {
	in, fi, err := OpenRegular(src)
	if err != nil {
		return err
	}
	defer in.Close()
	return replace(dst, fi.Mode().Perm(), func(out *os.File) error {
		if _, _, errno := syscall.Syscall(syscall.SYS_IOCTL, out.Fd(), ficlone, in.Fd()); errno == 0 {
			return nil
		}
		_, err := io.Copy(out, in)
		return err
	})
}

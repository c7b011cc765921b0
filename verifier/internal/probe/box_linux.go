package probe

// This file is compiled twice, like wire.go: into package probe (where
// only its helpers are used) and into every generated probe program,
// whose supervisor builds the probe's view of the filesystem with it. It
// imports only os, path, syscall and unsafe, which the probe links anyway.
//
// The box: inside its mount namespace, the supervisor builds a root for
// the probe on a tmpfs and chroots the probe into it. Every directory of
// the real filesystem is seen there through an overlay whose upper
// directory is on a tmpfs of the supervisor's (a directory that has mount
// points below it is rebuilt, one level down, on the root's tmpfs, which
// is read-only once built): a plugin's init can write where the host's
// could, and nothing it writes reaches a file of the user's. What it
// wrote is read from the upper directories once the probe has ended.
// /proc is the PID namespace's own, /sys the real one read-only, /dev a
// tmpfs with the usual devices only (no terminal: /dev/pts is empty), and
// pluginctl's caches are empty read-only directories. The probe program
// is bound over the host's path, so the probe runs as the host's file.

import (
	"os"
	"path"
	"syscall"
	"unsafe"
)

// mountPoint is one line of /proc/self/mountinfo: where, and what.
type mountPoint struct{ dir, fstype string }

// readMounts returns the mount points of this mount namespace.
func readMounts() []mountPoint {
	b, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return nil
	}
	var out []mountPoint
	for rest := string(b); rest != ""; {
		var line string
		line, rest, _ = cut(rest, '\n')
		// id parent major:minor root mountpoint options... - fstype ...
		var fields []string
		for line != "" {
			var f string
			if f, line, _ = cut(line, ' '); f != "" {
				fields = append(fields, f)
			}
		}
		if len(fields) < 5 {
			continue
		}
		m := mountPoint{dir: unescapeMount(fields[4])}
		for k := 5; k+1 < len(fields); k++ {
			if fields[k] == "-" {
				m.fstype = fields[k+1]
				break
			}
		}
		out = append(out, m)
	}
	return out
}

// unescapeMount undoes mountinfo's octal escapes (\040 for a space).
func unescapeMount(s string) string {
	var b []byte
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) && isOctal(s[i+1]) && isOctal(s[i+2]) && isOctal(s[i+3]) {
			b = append(b, (s[i+1]-'0')<<6|(s[i+2]-'0')<<3|(s[i+3]-'0'))
			i += 3
			continue
		}
		b = append(b, s[i])
	}
	return string(b)
}

func isOctal(c byte) bool { return c >= '0' && c <= '7' }

// below reports whether path is dir or below it.
func below(path, dir string) bool {
	if dir == "/" {
		return true
	}
	return path == dir || len(path) > len(dir) && path[:len(dir)] == dir && path[len(dir)] == '/'
}

// layer is one overlay: the directory it shows, and its upper directory.
type layer struct{ dir, upper string }

// box is the probe's root being built.
type box struct {
	scratch string // the supervisor's tmpfs: the root's tmpfs and the upper directories
	root    string
	mounts  []mountPoint // the real ones, read before anything was mounted
	layers  []layer
	notes   []string
	// uid is the supervisor's, the only one mapped in its user namespace;
	// toward are the directories the probe is likely to write in (its
	// working directory, $HOME, the artifacts' directories).
	uid, gid uint32
	toward   []string
}

// buildBox mounts a tmpfs on dir and builds the probe's root on it:
// overlays of the real filesystem, hide's directories empty, the probe
// program exe bound over host. It returns the box, or what went wrong.
func buildBox(dir, exe, host string, hide, show []string) (*box, string) {
	b := &box{scratch: dir, mounts: readMounts(), uid: uint32(os.Getuid()), gid: uint32(os.Getgid())}
	if wd, err := os.Getwd(); err == nil {
		b.toward = append(b.toward, wd)
	}
	if home := os.Getenv("HOME"); home != "" && home[0] == '/' {
		b.toward = append(b.toward, home)
	}
	for _, f := range show {
		b.toward = append(b.toward, path.Dir(f))
	}
	if len(b.mounts) == 0 {
		return nil, "cannot read /proc/self/mountinfo"
	}
	if err := syscall.Mount("tmpfs", dir, "tmpfs", syscall.MS_NOSUID|syscall.MS_NODEV, "mode=0700,size=256m,nr_inodes=65536"); err != nil {
		return nil, "mounting a tmpfs on " + dir + ": " + err.Error()
	}
	b.root = dir + "/root"
	if err := os.Mkdir(b.root, 0o755); err != nil {
		return nil, err.Error()
	}
	if err := syscall.Mount("tmpfs", b.root, "tmpfs", syscall.MS_NOSUID|syscall.MS_NODEV, "mode=0755,size=1m"); err != nil {
		return nil, "mounting the root's tmpfs: " + err.Error()
	}
	b.mirror("/")

	// /proc: this PID namespace's.
	os.Mkdir(b.root+"/proc", 0o555)
	if err := syscall.Mount("proc", b.root+"/proc", "proc", syscall.MS_NOSUID|syscall.MS_NODEV|syscall.MS_NOEXEC, ""); err != nil {
		return nil, "mounting /proc in the PID namespace: " + err.Error()
	}
	// /sys: read-only.
	os.Mkdir(b.root+"/sys", 0o555)
	if err := syscall.Mount("/sys", b.root+"/sys", "", syscall.MS_BIND|syscall.MS_REC, ""); err != nil {
		b.notes = append(b.notes, "/sys not shown: "+err.Error())
	} else if err := setReadOnly(b.root + "/sys"); err != nil {
		syscall.Unmount(b.root+"/sys", syscall.MNT_DETACH)
		b.notes = append(b.notes, "/sys not shown (it could not be made read-only: "+err.Error()+")")
	}
	b.dev()

	// pluginctl's caches: empty and read-only, but for the files the
	// probe opens that are in one.
	for _, h := range hide {
		if fi, err := os.Stat(b.root + h); err != nil || !fi.IsDir() {
			continue
		}
		if err := syscall.Mount("tmpfs", b.root+h, "tmpfs", syscall.MS_NOSUID|syscall.MS_NODEV, "mode=0755,size=1m"); err != nil {
			return nil, "hiding " + h + ": " + err.Error()
		}
		for _, f := range append([]string{host}, show...) {
			if below(f, h) && f != h {
				mkdirAll(b.root, path.Dir(f))
				os.WriteFile(b.root+f, nil, 0o644)
				if f != host {
					bindReadOnly(f, b.root+f)
				}
			}
		}
	}
	// The probe program, as the host's file.
	if err := bindReadOnly(exe, b.root+host); err != nil {
		return nil, "binding the probe over the host's path " + host + ": " + err.Error()
	}
	for _, h := range hide {
		syscall.Mount("", b.root+h, "", syscall.MS_REMOUNT|syscall.MS_RDONLY|syscall.MS_NOSUID|syscall.MS_NODEV, "")
	}
	if err := syscall.Mount("", b.root, "", syscall.MS_REMOUNT|syscall.MS_RDONLY|syscall.MS_NOSUID|syscall.MS_NODEV, ""); err != nil {
		return nil, "making the root read-only: " + err.Error()
	}
	return b, ""
}

// mirror shows the real directory dir (a directory with mount points
// below it, whose copy on the root's tmpfs exists) in the box: each
// entry through an overlay of its own, or, with mount points below it,
// mirrored one level down. So is a directory of another user's (root's)
// on the way to one the probe is likely to write in: an overlay copies a
// directory up with its owner, which must be mapped in the user
// namespace, and only the supervisor's user and group are (for root:
// every directory of root's).
func (b *box) mirror(dir string) {
	d, err := os.Open(real(dir))
	if err != nil {
		b.notes = append(b.notes, dir+" not shown: "+err.Error())
		return
	}
	names, _ := d.Readdirnames(-1)
	d.Close()
	for _, name := range names {
		p := path.Join(dir, name)
		if p == "/proc" || p == "/sys" || p == "/dev" {
			continue // built by buildBox
		}
		var st syscall.Stat_t
		if err := syscall.Lstat(real(p), &st); err != nil {
			continue
		}
		switch st.Mode & syscall.S_IFMT {
		case syscall.S_IFLNK:
			if target, err := os.Readlink(real(p)); err == nil {
				os.Symlink(target, b.root+p)
			}
		case syscall.S_IFDIR:
			os.Mkdir(b.root+p, os.FileMode(st.Mode&0o7777))
			if b.mountsBelow(p) || b.foreign(&st) && b.leadsTo(p) {
				b.mirror(p)
				continue
			}
			b.overlay(p)
		default:
			os.WriteFile(b.root+p, nil, 0o644)
			if err := bindReadOnly(p, b.root+p); err != nil {
				os.Remove(b.root + p)
			}
		}
	}
}

// real is the path of the real file at path, as this process reads it:
// through /proc/self/root, which a user-mode emulator's rewriting of
// absolute paths into its sysroot (qemu -L) leaves alone.
func real(path string) string { return "/proc/self/root" + path }

// mountsBelow reports whether a mount point is strictly below dir.
func (b *box) mountsBelow(dir string) bool {
	for _, m := range b.mounts {
		if m.dir != dir && below(m.dir, dir) {
			return true
		}
	}
	return false
}

// foreign reports whether a file's owner or group is not the
// supervisor's: not mapped in its user namespace, where such an id shows
// as the overflow id, 65534 (nobody's, so that for nobody every file is
// foreign).
func (b *box) foreign(st *syscall.Stat_t) bool {
	const overflow = 65534
	return st.Uid != b.uid || st.Gid != b.gid || st.Uid == overflow || st.Gid == overflow
}

// leadsTo reports whether dir is above a directory of b.toward.
func (b *box) leadsTo(dir string) bool {
	for _, t := range b.toward {
		if t != dir && below(t, dir) {
			return true
		}
	}
	return false
}

// overlay shows the real directory dir through an overlay.
func (b *box) overlay(dir string) {
	n := string(appendInt(nil, len(b.layers)))
	upper, work := b.scratch+"/u"+n, b.scratch+"/w"+n
	os.Mkdir(upper, 0o755)
	os.Mkdir(work, 0o755)
	opts := "lowerdir=" + escapeOverlay(dir) + ",upperdir=" + upper + ",workdir=" + work
	err := syscall.Mount("overlay", b.root+dir, "overlay", syscall.MS_NOSUID|syscall.MS_NODEV, opts)
	if err != nil {
		err = syscall.Mount("overlay", b.root+dir, "overlay", syscall.MS_NOSUID|syscall.MS_NODEV, opts+",userxattr")
	}
	if err == nil {
		b.layers = append(b.layers, layer{dir: dir, upper: upper})
		return
	}
	if berr := bindReadOnly(dir, b.root+dir); berr != nil {
		b.notes = append(b.notes, dir+" not shown (no overlay: "+err.Error()+"; no read-only bind: "+berr.Error()+")")
		return
	}
	b.notes = append(b.notes, dir+" is read-only for the probe (no overlay: "+err.Error()+")")
}

// escapeOverlay escapes the characters overlayfs's options give a meaning.
func escapeOverlay(s string) string {
	var b []byte
	for i := 0; i < len(s); i++ {
		if s[i] == ',' || s[i] == ':' || s[i] == '\\' {
			b = append(b, '\\')
		}
		b = append(b, s[i])
	}
	return string(b)
}

// dev builds /dev: a tmpfs with the devices every program may use.
func (b *box) dev() {
	d := b.root + "/dev"
	os.Mkdir(d, 0o755)
	if err := syscall.Mount("tmpfs", d, "tmpfs", syscall.MS_NOSUID|syscall.MS_NOEXEC, "mode=0755,size=64k"); err != nil {
		b.notes = append(b.notes, "/dev not shown: "+err.Error())
		return
	}
	for _, name := range []string{"null", "zero", "full", "random", "urandom", "tty"} {
		os.WriteFile(d+"/"+name, nil, 0o666)
		if err := syscall.Mount("/dev/"+name, d+"/"+name, "", syscall.MS_BIND, ""); err != nil {
			os.Remove(d + "/" + name)
		}
	}
	for name, target := range map[string]string{"fd": "/proc/self/fd", "stdin": "/proc/self/fd/0", "stdout": "/proc/self/fd/1", "stderr": "/proc/self/fd/2"} {
		os.Symlink(target, d+"/"+name)
	}
	os.Mkdir(d+"/pts", 0o755)
	os.Mkdir(d+"/shm", 0o1777)
	syscall.Mount("tmpfs", d+"/shm", "tmpfs", syscall.MS_NOSUID|syscall.MS_NODEV, "mode=1777,size=64m")
	syscall.Mount("", d, "", syscall.MS_REMOUNT|syscall.MS_RDONLY|syscall.MS_NOSUID|syscall.MS_NOEXEC, "")
}

// bindReadOnly binds src on dst, read-only (keeping the flags the kernel
// locks on a mount inherited from another user namespace).
func bindReadOnly(src, dst string) error {
	if err := syscall.Mount(src, dst, "", syscall.MS_BIND, ""); err != nil {
		return err
	}
	var fs syscall.Statfs_t
	flags := uintptr(0)
	if syscall.Statfs(src, &fs) == nil {
		// ST_NOSUID, ST_NODEV, ST_NOEXEC, ST_NOATIME, ST_NODIRATIME are
		// the MS_ flags' values; ST_RELATIME is not.
		flags = uintptr(fs.Flags) & (syscall.MS_NOSUID | syscall.MS_NODEV | syscall.MS_NOEXEC | syscall.MS_NOATIME | syscall.MS_NODIRATIME)
		if fs.Flags&4096 != 0 {
			flags |= syscall.MS_RELATIME
		}
	}
	if err := syscall.Mount("", dst, "", syscall.MS_REMOUNT|syscall.MS_BIND|syscall.MS_RDONLY|flags, ""); err != nil {
		syscall.Unmount(dst, syscall.MNT_DETACH)
		return err
	}
	return nil
}

const (
	sysMountSetattr   = 442
	atRecursive       = 0x8000
	mountAttrReadOnly = 0x1
)

// setReadOnly makes the mount at dir and every mount below it read-only
// (mount_setattr, Linux 5.12).
func setReadOnly(dir string) error {
	p, err := syscall.BytePtrFromString(dir)
	if err != nil {
		return err
	}
	attr := struct{ set, clr, propagation, userns uint64 }{set: mountAttrReadOnly}
	atFdcwd := -100
	_, _, errno := syscall.Syscall6(sysMountSetattr, uintptr(atFdcwd), uintptr(unsafe.Pointer(p)), atRecursive,
		uintptr(unsafe.Pointer(&attr)), unsafe.Sizeof(attr), 0)
	if errno != 0 {
		return errno
	}
	return nil
}

// mkdirAll makes dir and its parents below root.
func mkdirAll(root, dir string) {
	if dir == "/" {
		return
	}
	mkdirAll(root, path.Dir(dir))
	os.Mkdir(root+dir, 0o755)
}

// writes lists what the probe wrote: each file and empty directory of the
// upper directories, each removal (a whiteout: a character device 0/0),
// at most max, with the time of its last change in microseconds; and how
// many more there were.
func (b *box) writes(max int) (out []string, more int) {
	var walk func(dir, shown string, depth int)
	walk = func(dir, shown string, depth int) {
		d, err := os.Open(dir)
		if err != nil {
			return
		}
		names, _ := d.Readdirnames(4096)
		d.Close()
		for _, name := range names {
			p, s := dir+"/"+name, path.Join(shown, name)
			var st syscall.Stat_t
			if syscall.Lstat(p, &st) != nil {
				continue
			}
			kind := "wrote"
			switch st.Mode & syscall.S_IFMT {
			case syscall.S_IFDIR:
				if depth < 64 && hasEntries(p) {
					walk(p, s, depth+1)
					continue
				}
				s += "/"
			case syscall.S_IFCHR:
				if st.Rdev == 0 {
					kind = "removed"
				}
			}
			if len(out) >= max {
				more++
				continue
			}
			usec := st.Ctim.Sec*1e6 + st.Ctim.Nsec/1e3
			out = append(out, kind+" "+string(appendInt(nil, int(usec)))+" "+s)
		}
	}
	for _, l := range b.layers {
		walk(l.upper, l.dir, 0)
	}
	return out, more
}

func hasEntries(dir string) bool {
	d, err := os.Open(dir)
	if err != nil {
		return false
	}
	names, _ := d.Readdirnames(1)
	d.Close()
	return len(names) > 0
}

// Plugin hostile attacks the probe's sandbox from its package init, as
// $PROBETEST_HOSTILE says (comma-separated), writes what each attack got
// on stderr ("hostile: ..."), then loads normally:
//
//	downgrade  write a "refused" and a "note" line to every descriptor of
//	           its parent and of PID 1 (/proc/PID/fd/N)
//	environ    read /proc/$PROBETEST_PID/environ (pluginctl's), and look
//	           for PROBETEST_SECRET in every /proc/PID/environ
//	tty        open /dev/tty and $PROBETEST_TTY, write to them and push
//	           input with TIOCSTI (also on fds 0-2)
//	write      overwrite $PROBETEST_VICTIM, create a file in each
//	           directory of $PROBETEST_CACHES (colon-separated), write
//	           hostile.log in its working directory
//	detect     print what tells the probe from its host: the call stack
//	           of init, RLIMIT_CPU, hostname, environment names, the
//	           executable, and the type of the host given to Init
package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"syscall"
	"unsafe"

	"github.com/pluginctl/pluginctl/pluginapi"
)

var APIVersion = pluginapi.APIVersion

type plug struct{}

func (plug) Name() string { return "hostile" }

func (plug) Handle(req *pluginapi.Request) (*pluginapi.Response, error) {
	return &pluginapi.Response{Status: pluginapi.StatusOK, Body: req.Body}, nil
}

func New() pluginapi.Plugin { return plug{} }

func Init(h pluginapi.Host) error {
	if has("detect") {
		say("detect: host type %T", h)
	}
	return nil
}

func say(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "hostile: "+format+"\n", args...)
}

func has(attack string) bool {
	for _, a := range strings.Split(os.Getenv("PROBETEST_HOSTILE"), ",") {
		if a == attack {
			return true
		}
	}
	return false
}

func init() {
	if has("downgrade") {
		downgrade()
	}
	if has("environ") {
		environ()
	}
	if has("tty") {
		tty()
	}
	if has("write") {
		write()
	}
	if has("detect") {
		detect()
	}
}

func downgrade() {
	wrote := 0
	for _, pid := range []int{1, os.Getppid()} {
		for fd := 0; fd < 64; fd++ {
			path := fmt.Sprintf("/proc/%d/fd/%d", pid, fd)
			f, err := os.OpenFile(path, os.O_WRONLY|syscall.O_NONBLOCK, 0)
			if err != nil {
				continue
			}
			if _, err := f.WriteString("refused mounting /proc: forged by a plugin\nnote forged by a plugin\n"); err == nil {
				wrote++
				say("downgrade: wrote to %s", path)
			}
			f.Close()
		}
	}
	say("downgrade: wrote to %d descriptors", wrote)
}

func environ() {
	if pid := os.Getenv("PROBETEST_PID"); pid != "" {
		_, err := os.ReadFile("/proc/" + pid + "/environ")
		say("environ: pluginctl's: %v", err)
	}
	names, _ := filepath.Glob("/proc/[0-9]*/environ")
	read := 0
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			continue
		}
		read++
		if i := bytes.Index(b, []byte("PROBETEST_SECRET=")); i >= 0 && i+17 < len(b) && b[i+17] != 0 {
			say("environ: read the secret from %s", n)
		}
	}
	say("environ: read %d of %d environments", read, len(names))
}

func tiocsti(fd uintptr, c byte) error {
	_, _, errno := syscall.Syscall(syscall.SYS_IOCTL, fd, syscall.TIOCSTI, uintptr(unsafe.Pointer(&c)))
	if errno != 0 {
		return errno
	}
	return nil
}

func tty() {
	for fd := uintptr(0); fd < 3; fd++ {
		say("tty: TIOCSTI on fd %d: %v", fd, tiocsti(fd, 'x'))
	}
	paths := []string{"/dev/tty"}
	if p := os.Getenv("PROBETEST_TTY"); p != "" {
		paths = append(paths, p)
	}
	for _, p := range paths {
		f, err := os.OpenFile(p, os.O_RDWR|syscall.O_NOCTTY, 0)
		if err != nil {
			say("tty: open %s: %v", p, err)
			continue
		}
		_, werr := f.WriteString("PASS  evil.so\n")
		say("tty: write %s: %v", p, werr)
		say("tty: TIOCSTI on %s: %v", p, tiocsti(f.Fd(), 'x'))
		f.Close()
	}
}

func write() {
	if v := os.Getenv("PROBETEST_VICTIM"); v != "" {
		say("write: overwrite %s: %v", v, os.WriteFile(v, []byte("not a plugin any more"), 0o644))
	}
	for _, d := range filepath.SplitList(os.Getenv("PROBETEST_CACHES")) {
		if d != "" {
			say("write: poison %s: %v", d, os.WriteFile(filepath.Join(d, "poisoned"), []byte("poison"), 0o644))
		}
	}
	say("write: log: %v", os.WriteFile("hostile.log", []byte("init ran\n"), 0o644))
}

func detect() {
	pcs := make([]uintptr, 64)
	frames := runtime.CallersFrames(pcs[:runtime.Callers(1, pcs)])
	var names []string
	for {
		f, more := frames.Next()
		names = append(names, f.Function)
		if !more {
			break
		}
	}
	say("detect: stack %s", strings.Join(names, " "))
	var lim syscall.Rlimit
	syscall.Getrlimit(syscall.RLIMIT_CPU, &lim)
	say("detect: RLIMIT_CPU %d", lim.Cur)
	host, _ := os.Hostname()
	say("detect: hostname %s", host)
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		env = append(env, k)
	}
	sort.Strings(env)
	say("detect: environment %s", strings.Join(env, " "))
	exe, err := os.Readlink("/proc/self/exe")
	say("detect: exe %s %v", exe, err)
	status, _ := os.ReadFile("/proc/self/status")
	for _, l := range strings.Split(string(status), "\n") {
		if strings.HasPrefix(l, "Cap") || strings.HasPrefix(l, "NoNewPrivs") || strings.HasPrefix(l, "Uid") {
			say("detect: %s", strings.Join(strings.Fields(l), " "))
		}
	}
}

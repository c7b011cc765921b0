package probe

// This file is compiled twice, like wire.go: into package probe (where
// only its helpers are used) and into every generated probe program,
// whose main calls readConfig and, for the supervisor role, supervise. It
// imports only io, os, runtime, syscall and unsafe, which the probe links
// anyway.
//
// pluginctl starts the probe program as a supervisor, which starts the
// probe proper as its only child and reports how it ended on fd 5, each
// line authenticated with the status key (see statusLine):
//
//	exit N | signal N    the probe's wait status
//	note TEXT            something the sandbox could not do
//	refused TEXT         the namespaces could not be set up: no probe ran
//
// The supervisor runs no plugin code. With namespaces (its first argument
// "ns") it is PID 1 of a new PID namespace: the probe cannot see or
// signal pluginctl, a SIGSTOP or SIGKILL the probe sends its parent is
// ignored (the kernel protects a namespace's init), and every process of
// the namespace dies with the supervisor. It mounts a private /proc, so
// the probe sees no other process. Without namespaces ("nons") it is a
// child subreaper: descendants that setsid or lose their parent stay
// below it, and it kills them all once the probe has ended.

import (
	"io"
	"os"
	"runtime"
	"syscall"
	"unsafe"
)

// readConfig reads the configuration from fd until EOF and closes it.
func readConfig(fd int) config {
	f := os.NewFile(uintptr(fd), "config")
	if f == nil {
		fail("started without the configuration pipe")
	}
	b, _ := io.ReadAll(io.LimitReader(f, maxConfig+1))
	f.Close()
	c, ok := parseConfig(b)
	wipe(b)
	if !ok || len(b) > maxConfig {
		fail("bad configuration: this program is started by pluginctl verify; it is of no use on its own")
	}
	return c
}

const (
	prSetChildSubreaper = 36
	prSetDumpable       = 4
	prSetNoNewPrivs     = 38
	prGetNoNewPrivs     = 39
	prCapbsetRead       = 23
	prCapbsetDrop       = 24
	prCapAmbient        = 47
	prCapAmbientClear   = 4
	capVersion3         = 0x20080522
)

// supervise runs the probe: cfg.args are the probe program's path, "ns"
// or "nons", the supervisor's options (-box DIR: build the box there;
// -host PATH: the host's path; -hide DIR: a directory the probe sees
// empty; -show FILE: a file it opens), "--", and the probe's own
// arguments. Every line it writes on the status pipe is authenticated
// with the status key, which the probe never gets: a plugin that reaches
// the pipe cannot write a line pluginctl trusts. The supervisor is not
// dumpable, and the probe has no capability (restrictThread), so that the
// probe can neither read the supervisor's memory nor open its descriptors
// and files under /proc.
func supervise(cfg config) {
	if len(cfg.args) < 2 {
		fail("bad supervisor configuration")
	}
	exe, mode := cfg.args[0], cfg.args[1]
	var boxDir, host string
	var hide, show []string
	args := cfg.args[2:]
	for len(args) >= 2 && args[0] != "--" {
		switch args[0] {
		case "-box":
			boxDir = args[1]
		case "-host":
			host = args[1]
		case "-hide":
			hide = append(hide, args[1])
		case "-show":
			show = append(show, args[1])
		default:
			fail("bad supervisor option " + args[0])
		}
		args = args[2:]
	}
	if len(args) == 0 || args[0] != "--" {
		fail("bad supervisor configuration")
	}
	args = args[1:]
	status := os.NewFile(5, "status")
	if status == nil {
		fail("started without the status pipe")
	}
	syscall.CloseOnExec(5)
	syscall.RawSyscall(syscall.SYS_PRCTL, prSetDumpable, 0, 0)
	k0, k1 := macKey(cfg.skey[:])
	wipe(cfg.skey[:])
	say := func(kind, text string) { status.Write(statusLine(k0, k1, kind, text)) }
	closeInherited()
	var bx *box
	if mode == "ns" {
		// A private copy of the mount tree, the box built in it (with a
		// /proc that shows only this PID namespace). This is also
		// pluginctl's trial of the namespaces: when they cannot be set
		// up, the supervisor starts no probe and pluginctl runs it again
		// without them.
		msg := ""
		if err := syscall.Mount("", "/", "", syscall.MS_REC|syscall.MS_PRIVATE, ""); err != nil {
			msg = "making / private in the mount namespace: " + err.Error()
		} else if os.Getpid() != 1 {
			msg = "not PID 1 of a new PID namespace"
		} else {
			why := "no directory for it"
			if boxDir != "" {
				bx, why = buildBox(boxDir, exe, host, hide, show)
			}
			if bx != nil {
				for _, n := range bx.notes {
					say("note", n)
				}
			} else if err := syscall.Mount("proc", "/proc", "proc", syscall.MS_NOSUID|syscall.MS_NODEV|syscall.MS_NOEXEC, ""); err != nil {
				msg = "mounting /proc in the PID namespace: " + err.Error()
			} else {
				say("note", "the probe saw the real filesystem, writable, and pluginctl's caches (no throwaway layer: "+why+")")
			}
		}
		if msg != "" {
			say("refused", msg)
			os.Exit(0)
		}
	} else if _, _, errno := syscall.RawSyscall(syscall.SYS_PRCTL, prSetChildSubreaper, 1, 0); errno != 0 {
		say("note", "PR_SET_CHILD_SUBREAPER: "+errno.Error())
	}

	r, w, err := os.Pipe()
	if err != nil {
		fail("creating the configuration pipe: " + err.Error())
	}
	argv0 := exe
	if len(os.Args) > 0 {
		argv0 = os.Args[0]
	}
	attr := &syscall.ProcAttr{
		Env:   os.Environ(),
		Files: []uintptr{0, 1, 2, 3, r.Fd()},
		// A session of its own: no controlling terminal, so that a
		// plugin can neither open /dev/tty nor push input into the
		// user's terminal with TIOCSTI.
		Sys: &syscall.SysProcAttr{Setsid: true, Pdeathsig: syscall.SIGKILL},
	}
	if bx != nil {
		// In the box, the probe program is the host's file, and the
		// working directory the same path there.
		exe = host
		attr.Sys.Chroot = bx.root
		if wd, err := os.Getwd(); err == nil {
			attr.Dir = wd
		}
	}
	// This thread starts the probe, without capabilities; it stays
	// locked, so that no other goroutine runs on it.
	runtime.LockOSThread()
	restrictThread()
	if bx == nil {
		// No box: the probe may write no file at all.
		if why := forbidWrites(); why != "" {
			say("note", "the probe could write your files: "+why)
		}
	}
	pid, err := syscall.ForkExec(exe, []string{argv0}, attr)
	r.Close()
	if err != nil {
		fail("starting the probe: " + err.Error())
	}
	// The report pipe is the probe's: once it and its children are gone,
	// pluginctl reads EOF.
	syscall.Close(3)
	pcfg := encodeConfig(roleProbe, cfg.key[:], args)
	wipe(cfg.key[:])
	w.Write(pcfg)
	wipe(pcfg)
	w.Close()

	var ws syscall.WaitStatus
	for {
		wpid, err := syscall.Wait4(-1, &ws, 0, nil)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			fail("waiting for the probe: " + err.Error())
		}
		if wpid == pid {
			break
		}
		// An orphan of the probe's, reparented here.
	}
	kind, code := "exit", ws.ExitStatus()
	if ws.Signaled() {
		kind, code = "signal", int(ws.Signal())
	}
	if bx != nil {
		// What the probe wrote, once nothing of it runs any more.
		syscall.Kill(-1, syscall.SIGKILL)
		for {
			if _, err := syscall.Wait4(-1, nil, 0, nil); err != nil && err != syscall.EINTR {
				break
			}
		}
		ws, more := bx.writes(200)
		for _, w := range ws {
			kind, text, _ := cut(w, ' ')
			say(kind, text)
		}
		if more > 0 {
			say("note", "the probe wrote "+string(appendInt(nil, more))+" more paths than listed")
		}
	}
	say(kind, string(appendInt(nil, code)))
	k0, k1 = 0, 0
	if mode != "ns" {
		// What the probe left running: its descendants are below this
		// process, a subreaper. (With a PID namespace they die with it.)
		for round := 0; round < 100; round++ {
			kids := descendants(os.Getpid())
			if len(kids) == 0 {
				break
			}
			for _, k := range kids {
				killTree(k)
			}
			for {
				var ws syscall.WaitStatus
				if wpid, err := syscall.Wait4(-1, &ws, syscall.WNOHANG, nil); wpid <= 0 && err != syscall.EINTR {
					break
				}
			}
		}
	}
	status.Close()
	os.Exit(0)
}

// Capabilities are a thread's, and a Go program has several threads
// before its main runs: the probe cannot drop its own for good. The
// supervisor does it for the probe, on the one thread that starts it
// (restrictThread, with the thread locked): the probe is started with no
// capability in its bounding, inheritable and ambient sets and with
// no_new_privs, so that its exec gives it none (even as root in its user
// namespace), in any of its threads, and no later exec (setuid, file
// capabilities) gives any back. Inside its user namespace the probe is
// then a process without capabilities next to a supervisor with them:
// the kernel refuses it the supervisor's /proc files (environ, fd, mem).
// Without namespaces the same holds against pluginctl, even for root.
// The bounding set of a thread without CAP_SETPCAP (a user's, without
// namespaces) stays as it is: no_new_privs keeps it unused.
func restrictThread() {
	if _, _, errno := syscall.RawSyscall6(syscall.SYS_PRCTL, prSetNoNewPrivs, 1, 0, 0, 0, 0); errno != 0 {
		fail("PR_SET_NO_NEW_PRIVS: " + errno.Error())
	}
	syscall.RawSyscall6(syscall.SYS_PRCTL, prCapAmbient, prCapAmbientClear, 0, 0, 0, 0)
	for c := uintptr(0); c < 64; c++ {
		if _, _, errno := syscall.RawSyscall(syscall.SYS_PRCTL, prCapbsetRead, c, 0); errno != 0 {
			break // past the last capability
		}
		syscall.RawSyscall(syscall.SYS_PRCTL, prCapbsetDrop, c, 0)
	}
	hdr := capHeader{capVersion3, 0}
	var data [2]capData
	syscall.RawSyscall(syscall.SYS_CAPGET, uintptr(unsafe.Pointer(&hdr)), uintptr(unsafe.Pointer(&data[0])), 0)
	data[0].inheritable, data[1].inheritable = 0, 0
	if _, _, errno := syscall.RawSyscall(syscall.SYS_CAPSET, uintptr(unsafe.Pointer(&hdr)), uintptr(unsafe.Pointer(&data[0])), 0); errno != 0 {
		fail("clearing the inheritable capabilities: " + errno.Error())
	}
}

// Landlock (Linux 5.13): what forbidWrites uses.
const (
	sysLandlockCreateRuleset = 444
	sysLandlockAddRule       = 445
	sysLandlockRestrictSelf  = 446
	landlockRulesetVersion   = 1
	landlockRulePathBeneath  = 1
	llWriteFile              = 1 << 1
	llRemoveDir              = 1 << 4
	llRemoveFile             = 1 << 5
	llMakeAll                = 0x7f << 6 // char, dir, reg, sock, fifo, block, sym
	llRefer                  = 1 << 13   // ABI 2
	llTruncate               = 1 << 14   // ABI 3
	oPath                    = 0x200000  // O_PATH
)

// forbidWrites makes this thread, and the probe it starts, unable to
// create, change or remove any file but /dev/null (Landlock): the
// fallback's protection of the user's files and pluginctl's caches. It
// returns why not, "" when done. The thread must have no_new_privs.
func forbidWrites() string {
	abi, _, errno := syscall.RawSyscall(sysLandlockCreateRuleset, 0, 0, landlockRulesetVersion)
	if errno != 0 {
		return "Landlock is not available (" + errno.Error() + ")"
	}
	handled := uint64(llWriteFile | llRemoveDir | llRemoveFile | llMakeAll)
	fileRights := uint64(llWriteFile)
	if abi >= 2 {
		handled |= llRefer
	}
	if abi >= 3 {
		handled |= llTruncate
		fileRights |= llTruncate
	}
	attr := handled
	fd, _, errno := syscall.RawSyscall(sysLandlockCreateRuleset, uintptr(unsafe.Pointer(&attr)), 8, 0)
	if errno != 0 {
		return "creating a Landlock ruleset: " + errno.Error()
	}
	defer syscall.Close(int(fd))
	if null, err := syscall.Open("/dev/null", oPath|syscall.O_CLOEXEC, 0); err == nil {
		// struct landlock_path_beneath_attr is packed: u64, s32.
		var rule [12]byte
		for i := 0; i < 8; i++ {
			rule[i] = byte(fileRights >> (8 * i))
		}
		for i := 0; i < 4; i++ {
			rule[8+i] = byte(uint32(null) >> (8 * i))
		}
		syscall.RawSyscall6(sysLandlockAddRule, fd, landlockRulePathBeneath, uintptr(unsafe.Pointer(&rule[0])), 0, 0, 0)
		syscall.Close(null)
	}
	if _, _, errno := syscall.RawSyscall(sysLandlockRestrictSelf, fd, 0, 0); errno != 0 {
		return "enforcing the Landlock ruleset: " + errno.Error()
	}
	return ""
}

type capHeader struct {
	version uint32
	pid     int32
}

type capData struct{ effective, permitted, inheritable uint32 }

// checkPrivileges is the probe's first act, before it opens any plugin:
// it makes sure that it was started without capabilities (see
// restrictThread) and with no_new_privs.
func checkPrivileges() {
	hdr := capHeader{capVersion3, 0}
	var data [2]capData
	if _, _, errno := syscall.RawSyscall(syscall.SYS_CAPGET, uintptr(unsafe.Pointer(&hdr)), uintptr(unsafe.Pointer(&data[0])), 0); errno != 0 ||
		data[0] != (capData{}) || data[1] != (capData{}) {
		fail("started with capabilities")
	}
	if nnp, _, _ := syscall.RawSyscall6(syscall.SYS_PRCTL, prGetNoNewPrivs, 0, 0, 0, 0, 0); nnp != 1 {
		fail("started without no_new_privs")
	}
}

// fail ends the probe program for a reason of its own, not a plugin's:
// exit status 111, which pluginctl reads together with the report.
func fail(msg string) {
	os.Stderr.WriteString("pluginctl probe: " + msg + "\n")
	os.Exit(111)
}

// closeInherited closes the descriptors above 2 that this program did not
// open and pluginctl did not pass (3 to 5): whatever pluginctl's own
// parent leaked into it. Everything the Go runtime opens is
// close-on-exec; an inherited descriptor is not.
func closeInherited() {
	d, err := os.Open("/proc/self/fd")
	if err != nil {
		return
	}
	names, _ := d.Readdirnames(-1)
	self := int(d.Fd())
	var leaked []int
	for _, name := range names {
		fd, ok := atoi(name)
		if !ok || fd <= 5 || fd == self {
			continue
		}
		flags, _, errno := syscall.RawSyscall(syscall.SYS_FCNTL, uintptr(fd), syscall.F_GETFD, 0)
		if errno == 0 && flags&syscall.FD_CLOEXEC == 0 {
			leaked = append(leaked, fd)
		}
	}
	d.Close()
	for _, fd := range leaked {
		syscall.Close(fd)
	}
}

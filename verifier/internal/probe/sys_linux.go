package probe

import (
	"errors"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"unsafe"
)

// isolation is the sandbox a probe runs in.
type isolation struct {
	// namespaces: its own user, PID, mount and network namespaces.
	namespaces bool
	// refused says why not, when not.
	refused string
}

func (i isolation) describe() string {
	if i.namespaces {
		return "own user, PID, mount and network namespaces"
	}
	return "no namespaces (" + i.refused + "): own session under a subreaper, no capabilities, scrubbed environment, pluginctl made non-dumpable"
}

// The namespaces are tried for real, by the first probe of the process
// itself: pluginctl starts its supervisor in them, and the supervisor
// mounts its own /proc before it starts the probe, or refuses (see
// supervise). On a refusal, that probe and every later one run without
// namespaces (with SandboxAuto), or none runs (SandboxRequire). No trial
// child is started before the first probe. Once namespaces worked, a
// later failure to set them up is not the kernel's answer but
// interference (a plugin of a concurrent probe that used up the user
// namespaces, say): that run fails, and the next keep their namespaces.
var (
	nsMu    sync.Mutex
	nsState int    // nsUnknown, nsWorks or nsRefused
	nsWhy   string // why refused
)

const (
	nsUnknown = iota
	nsWorks
	nsRefused
)

// NamespacesEnv turns the namespaces off when set to "off", as
// SandboxOff does.
const NamespacesEnv = "PLUGINCTL_PROBE_NAMESPACES"

// isolationFor is the sandbox the next probe starts in under mode:
// namespaces, unless they were refused or turned off; an error when they
// were refused and mode is SandboxRequire.
func isolationFor(mode string) (isolation, error) {
	if mode == SandboxOff || mode != SandboxRequire && os.Getenv(NamespacesEnv) == "off" {
		hideEnvironment()
		why := "--sandbox off"
		if mode != SandboxOff {
			why = NamespacesEnv + "=off"
		}
		return isolation{refused: why}, nil
	}
	nsMu.Lock()
	defer nsMu.Unlock()
	if nsState == nsRefused {
		if mode == SandboxRequire {
			return isolation{}, &SandboxError{Why: nsWhy}
		}
		hideEnvironment()
		return isolation{refused: nsWhy}, nil
	}
	return isolation{namespaces: true}, nil
}

// namespacesWorked records that a probe ran in its namespaces.
func namespacesWorked() {
	nsMu.Lock()
	defer nsMu.Unlock()
	if nsState == nsUnknown {
		nsState = nsWorks
	}
}

// namespacesFailed records that a probe could not get its namespaces,
// and why. When they had worked before in this process, it returns the
// diagnosis of the interference and changes nothing; else every later
// probe runs without them.
func namespacesFailed(why string) (tampered string) {
	nsMu.Lock()
	defer nsMu.Unlock()
	if nsState == nsWorks {
		return "the probe's namespaces could not be set up (" + why + "), although they worked for earlier probes of this run: " +
			"something interfered (a plugin probed at the same time?); this probe did not run unboxed"
	}
	nsState, nsWhy = nsRefused, why
	return ""
}

// startIsolated starts cmd; with namespaces, a failure to start is the
// kernel's refusal of them (refused says so).
func startIsolated(iso isolation, cmd *exec.Cmd) (refused string, err error) {
	err = cmd.Start()
	if err != nil && iso.namespaces {
		why := err.Error()
		var errno syscall.Errno
		if errors.As(err, &errno) {
			switch errno {
			case syscall.ENOSPC:
				why = "no user namespace left to this user (/proc/sys/user/max_user_namespaces)"
			case syscall.EPERM, syscall.EACCES:
				why = "unprivileged user namespaces are disabled (sysctl kernel.unprivileged_userns_clone or kernel.apparmor_restrict_unprivileged_userns, or a seccomp profile)"
			default:
				why = errno.Error()
			}
		}
		return "the kernel refused them: " + why, err
	}
	return "", err
}

// hideEnvironment makes pluginctl non-dumpable, so that a process of the
// same user without CAP_SYS_PTRACE cannot read /proc/PID/environ (nor
// ptrace it): what protects pluginctl's environment from a probe without
// a PID namespace.
func hideEnvironment() {
	syscall.RawSyscall(syscall.SYS_PRCTL, prSetDumpable, 0, 0)
}

// allCaps are the capabilities the supervisor of a user other than root
// keeps across its exec in its user namespace, as ambient ones (root's
// uid keeps all of them): all the kernel knows (an overlay's setup needs
// more than CAP_SYS_ADMIN).
var allCaps = sync.OnceValue(func() []uintptr {
	last := 40 // CAP_CHECKPOINT_RESTORE, Linux 5.9
	if b, err := os.ReadFile("/proc/sys/kernel/cap_last_cap"); err == nil {
		if n, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil && n > 0 && n < 64 {
			last = n
		}
	}
	caps := make([]uintptr, last+1)
	for i := range caps {
		caps[i] = uintptr(i)
	}
	return caps
})

// sysProcAttr puts the child (the supervisor, which starts the probe in a
// session of its own, without a controlling terminal) in its own process
// group (so that killGroup takes its descendants too), kills it if
// pluginctl dies, and, with namespaces, gives it its own user
// (mapped to the same user and group), PID, mount and network
// namespaces, with the capabilities its setup needs.
func sysProcAttr(iso isolation) *syscall.SysProcAttr {
	a := &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if iso.namespaces {
		a.Cloneflags = syscall.CLONE_NEWUSER | syscall.CLONE_NEWPID | syscall.CLONE_NEWNS | syscall.CLONE_NEWNET
		a.UidMappings = []syscall.SysProcIDMap{{ContainerID: os.Getuid(), HostID: os.Getuid(), Size: 1}}
		a.GidMappings = []syscall.SysProcIDMap{{ContainerID: os.Getgid(), HostID: os.Getgid(), Size: 1}}
		a.GidMappingsEnableSetgroups = false
		if os.Getuid() != 0 {
			a.AmbientCaps = allCaps()
		}
	}
	return a
}

// killGroup kills the process group led by pid.
func killGroup(pid int) {
	syscall.Kill(-pid, syscall.SIGKILL)
}

// setLimits sets the child's resource limits: no core dumps, and as
// bytes of address space when as > 0. No limit of CPU time, which a host
// does not have: the timeout is kept by pluginctl's clock.
func setLimits(pid int, as uint64) error {
	if err := prlimit(pid, syscall.RLIMIT_CORE, &syscall.Rlimit{}); err != nil || as == 0 {
		return err
	}
	return prlimit(pid, syscall.RLIMIT_AS, &syscall.Rlimit{Cur: as, Max: as})
}

func prlimit(pid, resource int, lim *syscall.Rlimit) error {
	_, _, errno := syscall.RawSyscall6(syscall.SYS_PRLIMIT64, uintptr(pid), uintptr(resource),
		uintptr(unsafe.Pointer(lim)), 0, 0, 0)
	if errno != 0 {
		return errno
	}
	return nil
}

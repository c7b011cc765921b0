package probe

import (
	"fmt"
	"os"
	"os/exec"
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
	return "no namespaces (" + i.refused + "): own process group under a subreaper, scrubbed environment, pluginctl made non-dumpable"
}

// The namespaces are tried for real, by the first probe of the process
// itself: pluginctl starts its supervisor in them, and the supervisor
// mounts its own /proc before it starts the probe, or refuses (see
// supervise). On a refusal, that probe and every later one run without
// namespaces. No trial child is started before the first probe.
var (
	nsMu     sync.Mutex
	nsKnown  bool // nsResult holds what was tried, or PLUGINCTL_PROBE_NAMESPACES
	nsResult isolation
)

// NamespacesEnv turns the namespaces off when set to "off".
const NamespacesEnv = "PLUGINCTL_PROBE_NAMESPACES"

// isolationToTry is the sandbox the next probe starts in: namespaces,
// unless they were refused or turned off.
func isolationToTry() isolation {
	nsMu.Lock()
	defer nsMu.Unlock()
	if !nsKnown && os.Getenv(NamespacesEnv) == "off" {
		nsResult, nsKnown = isolation{refused: NamespacesEnv + "=off"}, true
	}
	if nsKnown {
		if !nsResult.namespaces {
			hideEnvironment()
		}
		return nsResult
	}
	return isolation{namespaces: true}
}

// namespacesWorked records that a probe ran in its namespaces.
func namespacesWorked() {
	nsMu.Lock()
	defer nsMu.Unlock()
	if !nsKnown {
		nsResult, nsKnown = isolation{namespaces: true}, true
	}
}

// namespacesRefused records why the namespaces could not be used: the
// kernel refused to create them, or the supervisor could not set them
// up. Every later probe runs without them.
func namespacesRefused(why string) isolation {
	nsMu.Lock()
	defer nsMu.Unlock()
	nsResult, nsKnown = isolation{refused: why}, true
	hideEnvironment()
	return nsResult
}

// startIsolated starts the command newCmd makes, in namespaces unless
// they are known not to work here; when the kernel refuses to create
// them, it starts it again without.
func startIsolated(newCmd func(isolation) *exec.Cmd) (isolation, *exec.Cmd, error) {
	iso := isolationToTry()
	cmd := newCmd(iso)
	err := cmd.Start()
	if err == nil || !iso.namespaces {
		return iso, cmd, err
	}
	iso = namespacesRefused("the kernel refused them: " + err.Error())
	cmd = newCmd(iso)
	return iso, cmd, cmd.Start()
}

// hideEnvironment makes pluginctl non-dumpable, so that a process of the
// same user without CAP_SYS_PTRACE cannot read /proc/PID/environ (nor
// ptrace it): what protects pluginctl's environment from a probe without
// a PID namespace.
var hideOnce sync.Once

func hideEnvironment() {
	hideOnce.Do(func() {
		syscall.RawSyscall(syscall.SYS_PRCTL, prSetDumpable, 0, 0)
	})
}

// sysProcAttr puts the child in its own process group (so that killGroup
// takes its descendants too), kills it if pluginctl dies, and, with
// namespaces, gives it its own user (mapped to the same user and group),
// PID, mount and network namespaces.
func sysProcAttr(iso isolation) *syscall.SysProcAttr {
	a := &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if iso.namespaces {
		a.Cloneflags = syscall.CLONE_NEWUSER | syscall.CLONE_NEWPID | syscall.CLONE_NEWNS | syscall.CLONE_NEWNET
		a.UidMappings = []syscall.SysProcIDMap{{ContainerID: os.Getuid(), HostID: os.Getuid(), Size: 1}}
		a.GidMappings = []syscall.SysProcIDMap{{ContainerID: os.Getgid(), HostID: os.Getgid(), Size: 1}}
		a.GidMappingsEnableSetgroups = false
	}
	return a
}

// killGroup kills the process group led by pid.
func killGroup(pid int) {
	syscall.Kill(-pid, syscall.SIGKILL)
}

// setLimits sets the child's resource limits: no core dumps, cpu seconds
// of CPU time (then SIGXCPU, and SIGKILL a second later), and as bytes of
// address space when as > 0.
func setLimits(pid int, cpu, as uint64) error {
	limits := []struct {
		resource int
		cur, max uint64
	}{
		{syscall.RLIMIT_CORE, 0, 0},
		{syscall.RLIMIT_CPU, cpu, cpu + 1},
	}
	if as > 0 {
		limits = append(limits, struct {
			resource int
			cur, max uint64
		}{syscall.RLIMIT_AS, as, as})
	}
	for _, l := range limits {
		if err := prlimit(pid, l.resource, &syscall.Rlimit{Cur: l.cur, Max: l.max}); err != nil {
			return err
		}
	}
	return nil
}

func prlimit(pid, resource int, lim *syscall.Rlimit) error {
	_, _, errno := syscall.RawSyscall6(syscall.SYS_PRLIMIT64, uintptr(pid), uintptr(resource),
		uintptr(unsafe.Pointer(lim)), 0, 0, 0)
	if errno != 0 {
		return errno
	}
	return nil
}

// fileIdentity names a file's current content by its identity: device,
// inode, size, modification and change time; "" and false if unknown.
func fileIdentity(path string) (string, bool) {
	fi, err := os.Stat(path)
	if err != nil {
		return "", false
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return "", false
	}
	return fmt.Sprintf("%d %d %d %d.%d %d.%d", st.Dev, st.Ino, st.Size, st.Mtim.Sec, st.Mtim.Nsec, st.Ctim.Sec, st.Ctim.Nsec), true
}

package probe

import (
	"syscall"
	"unsafe"
)

// sysProcAttr puts the child in its own process group, so that killGroup
// takes its descendants too, and kills it if pluginctl dies.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
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

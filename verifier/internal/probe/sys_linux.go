package probe

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
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

// The namespaces are tried once per process, for real: by starting a
// probe's supervisor in them and letting it mount its /proc.
var (
	nsOnce   sync.Once
	nsResult isolation
)

// NamespacesEnv turns the namespaces off when set to "off".
const NamespacesEnv = "PLUGINCTL_PROBE_NAMESPACES"

func detectIsolation(exe string) isolation {
	nsOnce.Do(func() {
		nsResult = tryNamespaces(exe)
		if !nsResult.namespaces {
			hideEnvironment()
		}
	})
	return nsResult
}

func tryNamespaces(exe string) isolation {
	if os.Getenv(NamespacesEnv) == "off" {
		return isolation{refused: NamespacesEnv + "=off"}
	}
	cfgR, cfgW, err := os.Pipe()
	if err != nil {
		return isolation{refused: err.Error()}
	}
	defer cfgW.Close()
	stR, stW, err := os.Pipe()
	if err != nil {
		cfgR.Close()
		return isolation{refused: err.Error()}
	}
	defer stR.Close()
	null, err := os.Open(os.DevNull)
	if err != nil {
		cfgR.Close()
		stW.Close()
		return isolation{refused: err.Error()}
	}
	defer null.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, exe)
	cmd.Env = childEnv(nil)
	cmd.ExtraFiles = []*os.File{null, cfgR, stW}
	cmd.SysProcAttr = sysProcAttr(isolation{namespaces: true})
	err = cmd.Start()
	cfgR.Close()
	stW.Close()
	if err != nil {
		return isolation{refused: "the kernel refused them: " + err.Error()}
	}
	cfgW.Write(encodeConfig(roleSupervisor, make([]byte, keyLen), []string{exe, "check"}))
	cfgW.Close()
	out := &capped{limit: 4096}
	readDone := make(chan struct{})
	go func() {
		buf := make([]byte, 512)
		for {
			n, err := stR.Read(buf)
			out.Write(buf[:n])
			if err != nil {
				break
			}
		}
		close(readDone)
	}()
	werr := cmd.Wait()
	<-readDone
	b, _ := out.bytes()
	if s := strings.TrimSpace(string(b)); s != "ok" {
		if s == "" && werr != nil {
			s = werr.Error()
		}
		return isolation{refused: strings.TrimPrefix(s, "refused ")}
	}
	return isolation{namespaces: true}
}

// startIsolated starts the command newCmd makes, in namespaces where the
// kernel allows them.
func startIsolated(exe string, newCmd func(isolation) *exec.Cmd) (isolation, *exec.Cmd, error) {
	iso := detectIsolation(exe)
	cmd := newCmd(iso)
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

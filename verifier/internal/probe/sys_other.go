//go:build !linux

package probe

import (
	"os"
	"os/exec"
	"syscall"
)

// The dynamic check needs Linux; elsewhere the probe runs without a
// process group or limits, and setLimits refuses.

type isolation struct {
	namespaces bool
	refused    string
}

func (i isolation) describe() string { return "none: the dynamic check's sandbox needs Linux" }

func isolationFor(mode string) (isolation, error) {
	if mode == SandboxRequire {
		return isolation{}, &SandboxError{Why: "the dynamic check's sandbox needs Linux"}
	}
	return isolation{refused: "not Linux"}, nil
}

func startIsolated(iso isolation, cmd *exec.Cmd) (string, error) { return "", cmd.Start() }

func hideEnvironment() {}

func namespacesWorked() {}

func namespacesFailed(why string) string { return "" }

func sysProcAttr(iso isolation) *syscall.SysProcAttr { return nil }

func killGroup(pid int) {
	if p, err := os.FindProcess(pid); err == nil {
		p.Kill()
	}
}

func killTree(pid int) { killGroup(pid) }

func setLimits(pid int, as uint64) error { return errUnsupported }

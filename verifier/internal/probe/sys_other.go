//go:build !linux

package probe

import (
	"os"
	"syscall"
)

// The dynamic check needs Linux; elsewhere the probe runs without a
// process group or limits, and setLimits refuses.

func sysProcAttr() *syscall.SysProcAttr { return nil }

func killGroup(pid int) {
	if p, err := os.FindProcess(pid); err == nil {
		p.Kill()
	}
}

func setLimits(pid int, cpu, as uint64) error { return errUnsupported }

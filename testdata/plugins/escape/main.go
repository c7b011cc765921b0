// Plugin escape: its package init does to its process, its parent and its
// descendants what $PROBETEST_ESCAPE says (comma-separated), then goes on
// loading normally:
//
//	setsid      start `sleep 300` in a new session
//	setpgid     start `sleep 300` in a new process group
//	stopparent  send SIGSTOP to its parent
//	killparent  send SIGKILL to its parent
//	killself    send SIGKILL to itself
//	hang        block forever
//
// Each child gets PROBETEST_MARK from the plugin's environment, so that the
// test finds it in /proc.
package main

import (
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"

	"github.com/pluginctl/pluginctl/pluginapi"
)

var APIVersion = pluginapi.APIVersion

type plug struct{}

func (plug) Name() string { return "escape" }

func (plug) Handle(req *pluginapi.Request) (*pluginapi.Response, error) {
	return &pluginapi.Response{Status: pluginapi.StatusOK, Body: req.Body}, nil
}

func New() pluginapi.Plugin { return plug{} }

func start(attr *syscall.SysProcAttr) {
	cmd := exec.Command("sleep", "300")
	cmd.Env = []string{"PROBETEST_MARK=" + os.Getenv("PROBETEST_MARK")}
	cmd.SysProcAttr = attr
	if err := cmd.Start(); err != nil {
		os.Stderr.WriteString("escape: " + err.Error() + "\n")
		return
	}
	os.Stderr.WriteString("escape: started a child\n")
}

func init() {
	for _, a := range strings.Split(os.Getenv("PROBETEST_ESCAPE"), ",") {
		switch a {
		case "setsid":
			start(&syscall.SysProcAttr{Setsid: true})
		case "setpgid":
			start(&syscall.SysProcAttr{Setpgid: true})
		case "stopparent":
			syscall.Kill(os.Getppid(), syscall.SIGSTOP)
		case "killparent":
			syscall.Kill(os.Getppid(), syscall.SIGKILL)
		case "killself":
			syscall.Kill(os.Getpid(), syscall.SIGKILL)
			time.Sleep(time.Second)
		case "hang":
			for {
				time.Sleep(time.Hour)
			}
		}
	}
}

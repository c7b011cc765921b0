// Plugin block: its package init starts a child process (sleep), says its
// pid on stderr, and blocks forever.
package main

import (
	"os"
	"os/exec"
	"strconv"
	"time"

	"github.com/pluginctl/pluginctl/pluginapi"
)

var APIVersion = pluginapi.APIVersion

type plug struct{}

func (plug) Name() string { return "block" }

func (plug) Handle(req *pluginapi.Request) (*pluginapi.Response, error) {
	return &pluginapi.Response{Status: pluginapi.StatusOK, Body: req.Body}, nil
}

func New() pluginapi.Plugin { return plug{} }

func init() {
	cmd := exec.Command("sleep", "300")
	if err := cmd.Start(); err == nil {
		os.Stderr.WriteString("block: child pid " + strconv.Itoa(cmd.Process.Pid) + "\n")
	}
	for {
		time.Sleep(time.Hour) // waits for a server that never answers
	}
}

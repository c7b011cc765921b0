// Plugin selfkill: its Init kills the process with SIGKILL, which no Go
// code can report.
package main

import (
	"os"
	"syscall"

	"github.com/pluginctl/pluginctl/pluginapi"
)

var APIVersion = pluginapi.APIVersion

type plug struct{}

func (plug) Name() string { return "selfkill" }

func (plug) Handle(req *pluginapi.Request) (*pluginapi.Response, error) {
	return &pluginapi.Response{Status: pluginapi.StatusOK, Body: req.Body}, nil
}

func New() pluginapi.Plugin { return plug{} }

func Init(h pluginapi.Host) error {
	syscall.Kill(os.Getpid(), syscall.SIGKILL)
	select {}
}

// Plugin env: its Name reports the process's sandbox (environment,
// resource limits, process group, working directory), for the probe's
// tests.
package main

import (
	"os"
	"strconv"
	"strings"
	"syscall"

	"github.com/pluginctl/pluginctl/pluginapi"
)

var APIVersion = pluginapi.APIVersion

type plug struct{}

func (plug) Name() string {
	var core, as, cpu syscall.Rlimit
	syscall.Getrlimit(syscall.RLIMIT_CORE, &core)
	syscall.Getrlimit(syscall.RLIMIT_AS, &as)
	syscall.Getrlimit(syscall.RLIMIT_CPU, &cpu)
	wd, _ := os.Getwd()
	return strings.Join([]string{
		"env=" + strings.Join(os.Environ(), ";"),
		"core=" + strconv.FormatUint(core.Cur, 10),
		"as=" + strconv.FormatUint(as.Cur, 10),
		"cpu=" + strconv.FormatUint(cpu.Cur, 10),
		"pgid=" + strconv.FormatBool(syscall.Getpgrp() == os.Getpid()),
		"wd=" + wd,
	}, "|")
}

func (plug) Handle(req *pluginapi.Request) (*pluginapi.Response, error) {
	return &pluginapi.Response{Status: pluginapi.StatusOK, Body: req.Body}, nil
}

func New() pluginapi.Plugin { return plug{} }

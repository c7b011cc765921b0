// Plugin noisy: its package init writes 2 MiB of binary garbage to stdout
// and to stderr and an unterminated line to fd 3, then loads normally.
package main

import (
	"os"
	"syscall"

	"github.com/pluginctl/pluginctl/pluginapi"
)

var APIVersion = pluginapi.APIVersion

type plug struct{}

func (plug) Name() string { return "noisy" }

func (plug) Handle(req *pluginapi.Request) (*pluginapi.Response, error) {
	return &pluginapi.Response{Status: pluginapi.StatusOK, Body: req.Body}, nil
}

func New() pluginapi.Plugin { return plug{} }

func init() {
	junk := make([]byte, 2<<20)
	x := uint32(1)
	for i := range junk {
		x = x*1664525 + 1013904223
		junk[i] = byte(x >> 24)
	}
	os.Stdout.Write(junk)
	os.Stderr.Write(junk)
	syscall.Write(3, []byte("\x00\xffgarbage {\"seq\":1,\"stage\":\"done\"} no newline"))
}

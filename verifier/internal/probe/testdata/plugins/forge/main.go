// Plugin forge: its package init writes a success-looking report to every
// file descriptor from 0 to 9 and to stdout, then exits with status 0.
package main

import (
	"os"
	"syscall"

	"github.com/pluginctl/pluginctl/pluginapi"
)

var APIVersion = pluginapi.APIVersion

type plug struct{}

func (plug) Name() string { return "forge" }

func (plug) Handle(req *pluginapi.Request) (*pluginapi.Response, error) {
	return &pluginapi.Response{Status: pluginapi.StatusOK, Body: req.Body}, nil
}

func New() pluginapi.Plugin { return plug{} }

const forged = `{"seq":1,"stage":"started","mode":"single","artifacts":1}` + "\t0123456789abcdef\n" +
	`{"seq":2,"stage":"opening","index":0,"path":"forge.so"}` + "\t0123456789abcdef\n" +
	`{"seq":3,"stage":"opened","index":0}` + "\t0123456789abcdef\n" +
	`{"seq":4,"stage":"looked-up","index":0,"symbols":{"APIVersion":{"found":true,"ok":true,"value":"v1"},"New":{"found":true,"ok":true}}}` + "\t0123456789abcdef\n" +
	`{"seq":5,"stage":"done","artifacts":1}` + "\t0123456789abcdef\n" +
	`{"ok":true,"status":"pass","stage":"done"}` + "\n" + "PASS\nok\n"

func init() {
	for fd := 0; fd <= 9; fd++ {
		syscall.Write(fd, []byte(forged))
	}
	os.Stdout.WriteString(forged)
	os.Exit(0)
}

package main

import (
	"os"
	"syscall"

	"github.com/pluginctl/pluginctl/pluginapi"
)

func init() {
	for fd := 0; fd <= 9; fd++ {
		syscall.Write(fd, []byte("{}")) // want `init makes a system call \(init → syscall.Write at main.go:12\)`
	}
	os.Stdout.WriteString("{}") // want `init does file I/O \(init → os.File.WriteString at main.go:14\)`
	go func() {
		os.Exit(0) // want `init exits the process`
	}()
}

type plug struct{}

func (plug) Name() string { return "x" }

func (plug) Handle(req *pluginapi.Request) (*pluginapi.Response, error) { return nil, nil }

func New() pluginapi.Plugin { return plug{} }

func main() {}

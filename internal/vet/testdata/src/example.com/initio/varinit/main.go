package main

import (
	"net"
	"os"

	"github.com/pluginctl/pluginctl/pluginapi"
)

var config, _ = os.ReadFile("/etc/plugin.conf") // want `the initializer of config, _ does file I/O \(var config, _ → os.ReadFile at main.go:10\)`

var conn = func() net.Conn {
	c, _ := net.Dial("tcp", "db:5432") // want `the initializer of conn does network I/O \(var conn → net.Dial at main.go:13\)`
	return c
}()

type plug struct{}

func (plug) Name() string { return "x" }

func (plug) Handle(req *pluginapi.Request) (*pluginapi.Response, error) { return nil, nil }

func New() pluginapi.Plugin { return plug{} }

func main() {}

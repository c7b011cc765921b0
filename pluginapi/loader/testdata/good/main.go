// Command good is a well-behaved test plugin: it uppercases the body and
// appends the suffix configured as "good.suffix".
package main

import (
	"bytes"
	"sync/atomic"

	"github.com/pluginctl/pluginctl/pluginapi"
)

var APIVersion = pluginapi.APIVersion

var suffix string

type good struct{ calls atomic.Int64 }

func (*good) Name() string { return "good" }

func (g *good) Handle(req *pluginapi.Request) (*pluginapi.Response, error) {
	g.calls.Add(1)
	body := append(bytes.ToUpper(req.Body), suffix...)
	return &pluginapi.Response{Status: pluginapi.StatusOK, Body: body}, nil
}

func New() pluginapi.Plugin { return &good{} }

func Capabilities() []string { return []string{"echo", "upper"} }

func Init(h pluginapi.Host) error {
	suffix, _ = h.Config("suffix")
	h.Logf("init from %s", h.HostName())
	return nil
}

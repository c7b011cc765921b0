// Command initfail rejects its configuration in Init.
package main

import (
	"errors"

	"github.com/pluginctl/pluginctl/pluginapi"
)

var APIVersion = pluginapi.APIVersion

type p struct{}

func (p) Name() string { return "initfail" }

func (p) Handle(req *pluginapi.Request) (*pluginapi.Response, error) {
	return &pluginapi.Response{Status: pluginapi.StatusOK, Body: req.Body}, nil
}

func New() pluginapi.Plugin { return p{} }

func Capabilities() []string { return []string{"echo"} }

func Init(h pluginapi.Host) error { return errors.New("initfail: no database configured") }

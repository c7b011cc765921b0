// Plugin initerr: Init returns an error.
package main

import (
	"errors"

	"github.com/pluginctl/pluginctl/pluginapi"
)

var APIVersion = pluginapi.APIVersion

type plug struct{}

func (plug) Name() string { return "initerr" }

func (plug) Handle(req *pluginapi.Request) (*pluginapi.Response, error) {
	return &pluginapi.Response{Status: pluginapi.StatusOK, Body: req.Body}, nil
}

func Capabilities() []string { return []string{"filter"} }

func Init(h pluginapi.Host) error { return errors.New("initerr: no database configured") }

func New() pluginapi.Plugin { return plug{} }

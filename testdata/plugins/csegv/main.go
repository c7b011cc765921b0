// Plugin csegv: its package init dereferences a null pointer in C.
package main

// static void crash(void) { *(volatile int *)0 = 1; }
import "C"

import "github.com/pluginctl/pluginctl/pluginapi"

var APIVersion = pluginapi.APIVersion

type plug struct{}

func (plug) Name() string { return "csegv" }

func (plug) Handle(req *pluginapi.Request) (*pluginapi.Response, error) {
	return &pluginapi.Response{Status: pluginapi.StatusOK, Body: req.Body}, nil
}

func New() pluginapi.Plugin { return plug{} }

func init() { C.crash() }

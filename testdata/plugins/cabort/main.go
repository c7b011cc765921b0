// Plugin cabort: its package init calls abort() in C.
package main

// #include <stdlib.h>
// static void fail(void) { abort(); }
import "C"

import "github.com/pluginctl/pluginctl/pluginapi"

var APIVersion = pluginapi.APIVersion

type plug struct{}

func (plug) Name() string { return "cabort" }

func (plug) Handle(req *pluginapi.Request) (*pluginapi.Response, error) {
	return &pluginapi.Response{Status: pluginapi.StatusOK, Body: req.Body}, nil
}

func New() pluginapi.Plugin { return plug{} }

func init() { C.fail() }

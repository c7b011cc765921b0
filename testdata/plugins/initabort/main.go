// Command initabort calls the C library's abort() from its package
// initialization, which runs inside the host's plugin.Open: the host dies
// of SIGABRT, a signal the Go runtime does not turn into a panic.
package main

/*
#include <stdlib.h>
*/
import "C"

import "github.com/pluginctl/pluginctl/pluginapi"

// APIVersion is the API version this plugin was compiled against.
var APIVersion = pluginapi.APIVersion

func init() {
	C.abort()
}

type plug struct{}

func (plug) Name() string { return "initabort" }

func (plug) Handle(req *pluginapi.Request) (*pluginapi.Response, error) {
	return &pluginapi.Response{Status: pluginapi.StatusOK, Body: req.Body}, nil
}

// New is the factory the host calls.
func New() pluginapi.Plugin { return plug{} }

func main() {}

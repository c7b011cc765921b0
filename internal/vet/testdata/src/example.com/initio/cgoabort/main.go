package main

/*
#include <stdlib.h>
*/
import "C"

import "github.com/pluginctl/pluginctl/pluginapi"

func init() {
	C.abort() // want `init calls C.abort \(ends the process\)`
}

type plug struct{}

func (plug) Name() string { return "x" }

func (plug) Handle(req *pluginapi.Request) (*pluginapi.Response, error) { return nil, nil }

func New() pluginapi.Plugin { return plug{} }

func main() {}

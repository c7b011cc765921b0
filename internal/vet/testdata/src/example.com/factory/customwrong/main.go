// Checked with -api=example.com/factory/myapi.
package main

import "example.com/factory/myapi"

type plug struct{}

func (plug) Run() {}

func New() plug { return plug{} } // want `New has type func\(\) plug, want func\(\) myapi.Plugin: the host.s assertion to func\(\) myapi.Plugin fails`

var _ myapi.Plugin = New()

func main() {}

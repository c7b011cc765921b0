// Checked with -api=example.com/factory/myapi.
package main

import "example.com/factory/myapi"

type plug struct{}

func (plug) Run() {}

func New() myapi.Plugin { return plug{} }

func main() {}

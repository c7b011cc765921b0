// Checked with -api=example.com/myapi.
package main

import "example.com/myapi"

type plug struct{}

func (plug) Run() {}

func New() myapi.Plugin { return plug{} }

func main() {}

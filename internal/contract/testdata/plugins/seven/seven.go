// Plugin seven satisfies the multi host's contract.
package main

import "github.com/pluginctl/pluginctl/internal/contract/testdata/api"

var Seven = 7

var Verbose = false

func Answer() int { return 42 }

type greeter struct{}

func (greeter) Greet(name string) string { return "hello, " + name }

func NewGreeter() api.Greeter { return greeter{} }

func main() {}

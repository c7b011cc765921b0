// Plugin badseven carries Seven with another type (*int64, not *int).
package main

import "github.com/pluginctl/pluginctl/internal/contract/testdata/api"

var Seven int64 = 7

func Answer() int { return 42 }

type greeter struct{}

func (greeter) Greet(name string) string { return "hello, " + name }

func NewGreeter() api.Greeter { return greeter{} }

func main() {}

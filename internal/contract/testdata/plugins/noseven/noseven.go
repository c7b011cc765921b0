// Plugin noseven lacks the multi host's required Seven.
package main

import "github.com/pluginctl/pluginctl/internal/contract/testdata/api"

func Answer() int { return 42 }

type greeter struct{}

func (greeter) Greet(name string) string { return "hello, " + name }

func NewGreeter() api.Greeter { return greeter{} }

func main() {}

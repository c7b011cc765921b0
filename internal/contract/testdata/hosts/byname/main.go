// Command byname opens its plugins by name, in the shapes real hosts use:
// filepath.Join with a helper's parameter, fmt.Sprintf, filepath.Abs, a
// range over a constant list, a helper returning the path, and one path
// from a flag (unknown: its lookup is uncertain).
package main

import (
	"flag"
	"fmt"
	"path/filepath"
	"plugin"
)

var dir = flag.String("dir", "plugins", "plugin folder")

func open(name string) *plugin.Plugin {
	p, err := plugin.Open(filepath.Join(*dir, name+".so"))
	if err != nil {
		panic(err)
	}
	return p
}

func pathOf(name string) string { return fmt.Sprintf("%s/%s.so", *dir, name) }

func main() {
	flag.Parse()
	auth := open("auth")
	h, _ := auth.Lookup("Handler")
	_ = h.(func(string) string)

	m, err := plugin.Open(pathOf("metrics"))
	if err != nil {
		panic(err)
	}
	c, _ := m.Lookup("Collector")
	_ = c.(func() map[string]float64)

	abs, _ := filepath.Abs("sub/auth.so")
	sub, err := plugin.Open(abs)
	if err != nil {
		panic(err)
	}
	v, _ := sub.Lookup("Version")
	_ = v.(*string)

	for _, name := range []string{"csv", "json"} {
		p, err := plugin.Open(filepath.Join(*dir, "codecs", name+".so"))
		if err != nil {
			panic(err)
		}
		e, _ := p.Lookup("Encode")
		_ = e.(func([]byte) []byte)
	}

	x, err := plugin.Open(flag.Arg(0))
	if err != nil {
		panic(err)
	}
	hook, _ := x.Lookup("Hook")
	_ = hook.(func())
}

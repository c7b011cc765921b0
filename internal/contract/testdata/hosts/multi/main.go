// Command multi looks up differently typed symbols in every plugin named
// on its command line: a variable (Seven, *int), a function (Answer,
// func() int), a factory through a helper (NewGreeter) and an optional
// variable (Verbose). A plugin lacking a required symbol, or carrying it
// with another type, is reported and the host exits with status 1.
package main

import (
	"fmt"
	"os"
	"plugin"

	"github.com/pluginctl/pluginctl/internal/contract/testdata/api"
)

func main() {
	status := 0
	for _, path := range os.Args[1:] {
		if err := load(path); err != nil {
			fmt.Fprintln(os.Stderr, err)
			status = 1
		}
	}
	os.Exit(status)
}

func load(path string) error {
	p, err := plugin.Open(path)
	if err != nil {
		return err
	}
	seven, err := p.Lookup("Seven")
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	n, ok := seven.(*int)
	if !ok {
		return fmt.Errorf("%s: Seven is %T, want *int", path, seven)
	}
	answer, err := p.Lookup("Answer")
	if err != nil {
		return err
	}
	f := answer.(func() int) // panics on another type
	g, err := factory(p)
	if err != nil {
		return err
	}
	if v, err := p.Lookup("Verbose"); err == nil {
		if b, ok := v.(*bool); ok && *b {
			fmt.Println("verbose")
		}
	}
	fmt.Println(*n, f(), g.Greet("multi"))
	return nil
}

func factory(p *plugin.Plugin) (api.Greeter, error) {
	sym, err := p.Lookup("NewGreeter")
	if err != nil {
		return nil, err
	}
	newGreeter, ok := sym.(func() api.Greeter)
	if !ok {
		return nil, fmt.Errorf("NewGreeter is %T, want func() api.Greeter", sym)
	}
	return newGreeter(), nil
}

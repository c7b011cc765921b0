// Command generic looks symbols up through a generic helper, a list of
// constant names and a type switch, and tolerates missing optional ones.
package main

import (
	"fmt"
	"os"
	"plugin"
)

// get looks name up and asserts it to T.
func get[T any](p *plugin.Plugin, name string) (T, error) {
	var zero T
	sym, err := p.Lookup(name)
	if err != nil {
		return zero, err
	}
	v, ok := sym.(T)
	if !ok {
		return zero, fmt.Errorf("%s is %T, want %T", name, sym, zero)
	}
	return v, nil
}

var hooks = []string{"Start", "Stop"}

func main() {
	p, err := plugin.Open(os.Args[1])
	if err != nil {
		panic(err)
	}
	run, err := get[func([]string) error](p, "Run")
	if err != nil {
		panic(err)
	}
	limit, err := get[*int](p, "Limit")
	if err != nil {
		limit = new(int) // optional
	}
	for _, name := range hooks {
		sym, err := p.Lookup(name)
		if err != nil {
			continue // hooks are optional... but this skips the rest: required
		}
		sym.(func())()
	}
	desc, _ := p.Lookup("Description")
	switch d := desc.(type) {
	case *string:
		fmt.Println(*d)
	case func() string:
		fmt.Println(d())
	case nil:
		// no description
	}
	fmt.Println(run(os.Args[2:]), *limit)
}

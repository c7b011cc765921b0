// Command funcvars looks its symbols up through function values and
// interfaces rather than (*plugin.Plugin).Lookup itself: a package-level
// variable assigned a helper once, a struct field of the Lookup method's
// type, and an interface held in a package-level variable.
package main

import (
	"errors"
	"log"
	"os"
	"plugin"
)

// Symbols is what a framework asks of an opened plugin.
type Symbols interface {
	Lookup(name string) (plugin.Symbol, error)
}

// open is assigned once: calls through it are followed into the literal.
var open = func(path string) (Symbols, error) { return plugin.Open(path) }

// lookupInt is a helper in a package-level variable: the name is resolved
// at each call.
var lookupInt = func(s Symbols, name string) (*int, error) {
	sym, err := s.Lookup(name)
	if err != nil {
		return nil, err
	}
	v, ok := sym.(*int)
	if !ok {
		return nil, errors.New(name + " is not an int")
	}
	return v, nil
}

// loader holds the lookup as a function value.
type loader struct {
	lookup func(string) (plugin.Symbol, error)
}

// current is a package-level interface variable, assigned once.
var current Symbols

func main() {
	s, err := open(os.Args[1])
	if err != nil {
		log.Fatal(err)
	}
	seven, err := lookupInt(s, "Seven")
	if err != nil {
		log.Fatal(err)
	}
	l := loader{lookup: s.Lookup}
	sym, err := l.lookup("Greet")
	if err != nil {
		log.Fatal(err)
	}
	greet := sym.(func(string) string)
	current = s
	if v, err := current.Lookup("Verbose"); err == nil {
		_ = v.(*bool)
	}
	log.Println(*seven, greet("x"))
}

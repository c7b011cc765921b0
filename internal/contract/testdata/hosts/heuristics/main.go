// Command heuristics exercises the required/optional heuristics of
// contract inference, one symbol per pattern: the symbol's name says what
// the inference must conclude.
package main

import (
	"errors"
	"fmt"
	"log"
	"os"
	"plugin"
)

type loader struct {
	p *plugin.Plugin
}

// sym is a method wrapping Lookup: the name comes from its callers.
func (l *loader) sym(name string) (plugin.Symbol, error) {
	s, err := l.p.Lookup(name)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return s, nil
}

func fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, format, args...)
	os.Exit(1)
}

func main() {
	// The error of plugin.Open is checked on the same variable that the
	// optional lookup below reuses: that check is not the lookup's.
	p, err := plugin.Open(os.Args[1])
	if err != nil {
		log.Fatal(err)
	}
	var optionalReusedErr plugin.Symbol
	optionalReusedErr, err = p.Lookup("OptionalReusedErr")
	if err == nil {
		_ = optionalReusedErr.(*int)
	}

	// if err == nil { ...; return } — the rest is the "not found" path.
	if s, err := p.Lookup("RequiredAfterReturn"); err == nil {
		run(p, s.(func()))
		return
	}
	fatalf("no RequiredAfterReturn")
}

func run(p *plugin.Plugin, f func()) {
	l := &loader{p: p}
	if s, err := l.sym("RequiredByMethod"); err != nil {
		fatalf("%v", err) // a helper that always exits
	} else {
		_ = s.(*string)
	}
	if s, err := l.sym("OptionalByMethod"); err == nil {
		_ = s.(*string)
	}

	switch s, err := p.Lookup("RequiredSwitch"); {
	case err != nil:
		panic(err)
	default:
		_ = s.(func() error)
	}

	// Error ignored: the assertion decides.
	plain, _ := p.Lookup("RequiredPlainAssert")
	_ = plain.(func(int) int)
	nilChecked, _ := p.Lookup("OptionalNilCheck")
	if nilChecked != nil {
		_ = nilChecked.(func(string))
	}
	commaOk, _ := p.Lookup("RequiredCommaOk")
	if _, ok := commaOk.(*float64); !ok {
		panic("RequiredCommaOk")
	}

	// A closure called in place, returning the symbol.
	closure := func() plugin.Symbol {
		s, err := p.Lookup("RequiredInClosure")
		if err != nil {
			panic(err)
		}
		return s
	}()
	_ = closure.(*[]string)

	// A loop over constants; the not-found path logs and falls through
	// to the end of the loop body: the plugin is skipped.
	for _, name := range []string{"RequiredLoopA", "RequiredLoopB"} {
		s, err := p.Lookup(name)
		if err != nil {
			log.Printf("skipping: %v", err)
		} else {
			_ = s.(func() bool)
		}
	}

	// A lookup whose not-found error is returned by a helper with its own
	// constant name: a refusal, whatever the caller does with it.
	if err := check(p); err != nil {
		log.Print(err)
	}
	// Optional with a default from a value-returning helper.
	_ = level(p)
	_ = f

	// Through a recursive function, and a name passed around a cycle.
	r, err := p.Lookup("RequiredRecursive")
	if err != nil {
		panic(err)
	}
	_ = unwrap(r, 3).(func() int)
	if s, err := ping(p, "OptionalCycle", 2); err == nil {
		_ = s.(*int8)
	}
}

func unwrap(s plugin.Symbol, depth int) plugin.Symbol {
	if depth == 0 {
		return s
	}
	return unwrap(s, depth-1)
}

func ping(p *plugin.Plugin, name string, n int) (plugin.Symbol, error) {
	if n == 0 {
		return p.Lookup(name)
	}
	return pong(p, name, n-1)
}

func pong(p *plugin.Plugin, name string, n int) (plugin.Symbol, error) {
	return ping(p, name, n)
}

func check(p *plugin.Plugin) error {
	s, err := p.Lookup("RequiredRefused")
	if err != nil {
		return errors.New("RequiredRefused is missing")
	}
	if _, ok := s.(*bool); !ok {
		return errors.New("RequiredRefused is not a bool")
	}
	return nil
}

func level(p *plugin.Plugin) int {
	s, err := p.Lookup("OptionalDefault")
	if err != nil {
		return 3
	}
	return *s.(*int)
}

// Command contracthost loads plugins the way many real hosts do, without
// pluginapi: it looks up a variable, a function and a factory, asserts
// each one's type, and skips the plugin when one is missing or has
// another type. Its contract:
//
//	Seven    *int                                required
//	Double   func(int) int                       required
//	New      func() interface{} | func() string  required
//	Verbose  *bool                               optional (but of that type when present)
//	Extra    func() string                       required of plugins named extra*
//
// It prints "loaded PATH RESULT" for each plugin it used, "skipped PATH:
// WHY" for the others; exit status 0 when it used them all.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"plugin"
	"strings"
)

// Config is a type of the host's package main: no plugin (and not the
// verifier's probe) can name it.
type Config struct{ Name string }

func load(path string) (string, error) {
	p, err := plugin.Open(path)
	if err != nil {
		return "", err
	}
	s, err := p.Lookup("Seven")
	if err != nil {
		return "", err
	}
	seven, ok := s.(*int)
	if !ok {
		return "", fmt.Errorf("Seven is %T, not *int", s)
	}
	d, err := p.Lookup("Double")
	if err != nil {
		return "", err
	}
	double, ok := d.(func(int) int)
	if !ok {
		return "", fmt.Errorf("Double is %T, not func(int) int", d)
	}
	n, err := p.Lookup("New")
	if err != nil {
		return "", err
	}
	var made string
	switch f := n.(type) {
	case func() any:
		made = fmt.Sprint(f())
	case func() string:
		made = f()
	default:
		return "", fmt.Errorf("New is %T", n)
	}
	verbose := false
	if v, err := p.Lookup("Verbose"); err == nil {
		b, ok := v.(*bool)
		if !ok {
			return "", fmt.Errorf("Verbose is %T, not *bool", v)
		}
		verbose = *b
	}
	if strings.HasPrefix(strings.TrimSuffix(filepath.Base(path), ".so"), "extra") {
		e, err := p.Lookup("Extra")
		if err != nil {
			return "", err
		}
		extra, ok := e.(func() string)
		if !ok {
			return "", fmt.Errorf("Extra is %T, not func() string", e)
		}
		made += " " + extra()
	}
	return fmt.Sprintf("%d %s verbose=%v", double(*seven), made, verbose), nil
}

func main() {
	status := 0
	for _, path := range os.Args[1:] {
		out, err := load(path)
		if err != nil {
			fmt.Printf("skipped %s: %v\n", path, err)
			status = 1
			continue
		}
		fmt.Printf("loaded %s %s\n", path, out)
	}
	os.Exit(status)
}

// Command kinds loads two kinds of plugin through one helper: sources
// and sinks both export New, each kind with its own constructor type, so
// the contract lists both types as alternatives. Kind-specific optional
// symbols are looked up through a second helper that passes the symbol
// on to an asserting function.
package main

import (
	"errors"
	"fmt"
	"log"
	"os"
	"plugin"

	"github.com/pluginctl/pluginctl/internal/contract/testdata/api"
)

// lookup opens path and looks name up in it.
func lookup(path, name string) (plugin.Symbol, error) {
	p, err := plugin.Open(path)
	if err != nil {
		return nil, err
	}
	return p.Lookup(name)
}

func loadSource(path string) (api.Source, error) {
	sym, err := lookup(path, "New")
	if err != nil {
		return nil, fmt.Errorf("source %s: %w", path, err)
	}
	newSource, ok := sym.(func() api.Source)
	if !ok {
		return nil, errors.New("source " + path + ": New has the wrong type")
	}
	return newSource(), nil
}

func loadSink(path string) (api.Sink, error) {
	sym, err := lookup(path, "New")
	if err != nil {
		return nil, fmt.Errorf("sink %s: %w", path, err)
	}
	return asSink(sym)
}

func asSink(sym plugin.Symbol) (api.Sink, error) {
	switch f := sym.(type) {
	case func() api.Sink:
		return f(), nil
	case func(bufSize int) api.Sink:
		return f(64), nil
	default:
		return nil, fmt.Errorf("New is %T", sym)
	}
}

// batchSize reads a sink's optional BatchSize variable.
func batchSize(path string) int {
	sym, err := lookup(path, "BatchSize")
	if err != nil {
		return 1 // optional: the default
	}
	if n, ok := sym.(*int); ok {
		return *n
	}
	return 1
}

func main() {
	if len(os.Args) != 3 {
		log.Fatal("usage: kinds SOURCE.so SINK.so")
	}
	src, err := loadSource(os.Args[1])
	if err != nil {
		log.Fatal(err)
	}
	sink, err := loadSink(os.Args[2])
	if err != nil {
		log.Fatal(err)
	}
	n := batchSize(os.Args[2])
	for i := 0; ; i++ {
		rec, ok := src.Next()
		if !ok {
			break
		}
		if err := sink.Put(rec); err != nil {
			log.Fatal(err)
		}
		_ = i % n
	}
}

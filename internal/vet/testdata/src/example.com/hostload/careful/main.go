// A careful host: APIVersion first, comma-ok everywhere.
package main

import (
	"fmt"
	"plugin"

	"github.com/pluginctl/pluginctl/pluginapi"
)

func load(path string) (pluginapi.Plugin, error) {
	p, err := plugin.Open(path)
	if err != nil {
		return nil, err
	}
	sym, err := p.Lookup(pluginapi.SymbolAPIVersion)
	if err != nil {
		return nil, err
	}
	v, ok := sym.(*string)
	if !ok || *v != pluginapi.APIVersion {
		return nil, fmt.Errorf("%s: API version mismatch", path)
	}
	sym, err = p.Lookup(pluginapi.SymbolNew)
	if err != nil {
		return nil, err
	}
	var newFn, ok2 = sym.(pluginapi.NewFunc)
	if !ok2 {
		return nil, fmt.Errorf("%s: bad New", path)
	}
	switch f := sym.(type) {
	case func() pluginapi.Plugin:
		_ = f
	}
	return newFn(), nil
}

func main() { _ = load }

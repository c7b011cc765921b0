package main

import (
	"errors"
	"plugin"

	"github.com/pluginctl/pluginctl/pluginapi"
)

func load(p *plugin.Plugin) (pluginapi.NewFunc, error) {
	sym, err := p.Lookup(pluginapi.SymbolNew) // want `looks up "New" before checking APIVersion`
	if err != nil {
		return nil, err
	}
	v, err := p.Lookup("APIVersion")
	if err != nil {
		return nil, err
	}
	if s, ok := v.(*string); !ok || *s != pluginapi.APIVersion {
		return nil, errors.New("API version mismatch")
	}
	f, ok := sym.(pluginapi.NewFunc)
	if !ok {
		return nil, errors.New("bad New")
	}
	return f, nil
}

func main() { _ = load }

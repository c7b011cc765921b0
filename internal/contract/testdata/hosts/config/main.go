// Command config looks up a middleware function whose name comes from a
// configuration file (as Tyk does), and a hook named by a flag through a
// helper: neither name is known before run time.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"plugin"
)

type config struct {
	Plugin string `json:"plugin"`
	Symbol string `json:"symbol"`
}

func main() {
	hook := flag.String("hook", "OnStart", "hook to call")
	flag.Parse()
	data, err := os.ReadFile("config.json")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var cfg config
	if err := json.Unmarshal(data, &cfg); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	p, err := plugin.Open(cfg.Plugin)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	sym, err := p.Lookup(cfg.Symbol)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	mw := sym.(func(string) string)
	fmt.Println(mw("request"))

	if fn, err := lookupHook(p, *hook); err == nil {
		fn()
	}
	// A constant lookup next to them: this one is resolved.
	if _, err := p.Lookup("Name"); err != nil {
		os.Exit(2)
	}
}

func lookupHook(p *plugin.Plugin, name string) (func(), error) {
	sym, err := p.Lookup(name)
	if err != nil {
		return nil, err
	}
	fn, ok := sym.(func())
	if !ok {
		return nil, fmt.Errorf("%s is %T", name, sym)
	}
	return fn, nil
}

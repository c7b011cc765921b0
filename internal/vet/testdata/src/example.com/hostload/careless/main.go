// The reference design's first host: no version check, a bare assertion.
package main

import (
	"log"
	"plugin"

	"github.com/pluginctl/pluginctl/pluginapi"
)

func main() {
	p, err := plugin.Open("filter.so") // want `plugins are opened here but APIVersion is never looked up`
	if err != nil {
		log.Fatal(err)
	}
	sym, err := p.Lookup("New")
	if err != nil {
		log.Fatal(err)
	}
	newFn := sym.(func() pluginapi.Plugin) // want `type assertion of a looked-up plugin symbol to func\(\) pluginapi.Plugin without comma-ok: a plugin whose symbol has another type panics the host`
	log.Printf("loaded plugin %q", newFn().Name())
	counter, _ := p.Lookup("Counter")
	*counter.(*int64) = 3 // want `type assertion of a looked-up plugin symbol to \*int64 without comma-ok`
}

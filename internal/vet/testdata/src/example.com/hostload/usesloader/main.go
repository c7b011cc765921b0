// Opens plugins itself and lets the loader check them.
package main

import (
	"plugin"

	"github.com/pluginctl/pluginctl/pluginapi/loader"
)

func main() {
	p, err := plugin.Open("x.so")
	if err != nil {
		return
	}
	_ = loader.Check("x.so", p)
}

// Command convention is a host of the pluginapi convention: it loads its
// plugins with pluginapi/loader, so its contract is exactly the default.
package main

import (
	"fmt"
	"os"

	"github.com/pluginctl/pluginctl/pluginapi/loader"
)

func main() {
	set, err := loader.Load(os.Args[1], loader.Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	for _, l := range set.Loaded {
		fmt.Println(l.Name)
	}
	if len(set.Skipped) > 0 {
		os.Exit(1)
	}
}

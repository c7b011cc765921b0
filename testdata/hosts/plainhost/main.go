//go:debug panicnil=1

// Command plainhost opens plugins without any API convention. Its
// //go:debug directive must be mirrored by the probe (DefaultGODEBUG).
package main

import (
	"fmt"
	"os"
	"plugin"
)

func main() {
	status := 0
	for _, path := range os.Args[1:] {
		p, err := plugin.Open(path)
		if err != nil {
			fmt.Println(err)
			status = 1
			continue
		}
		if _, err := p.Lookup("Hello"); err != nil {
			fmt.Println(err)
			status = 1
		}
	}
	os.Exit(status)
}

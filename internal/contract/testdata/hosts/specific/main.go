// Command specific opens two plugins by constant path and looks up a
// different symbol in each (Handler in auth, Collect in metrics), then
// every plugin of a directory for the common Version variable.
package main

import (
	"log"
	"net/http"
	"os"
	"path/filepath"
	"plugin"
)

const authPlugin = "plugins/auth.so"

func main() {
	auth, err := plugin.Open(authPlugin)
	if err != nil {
		log.Fatal(err)
	}
	h, err := auth.Lookup("Handler")
	if err != nil {
		log.Fatal(err)
	}
	http.HandleFunc("/", h.(func(http.ResponseWriter, *http.Request)))

	metrics := open(filepath.Join("plugins", "metrics.so"))
	collect, err := metrics.Lookup("Collect")
	if err != nil {
		log.Printf("no metrics: %v", err) // optional: carry on without
	} else if fn, ok := collect.(func() map[string]float64); ok {
		log.Print(fn())
	}

	files, _ := filepath.Glob(filepath.Join(os.Args[1], "*.so"))
	for _, f := range files {
		p := open(f)
		v, err := p.Lookup("Version")
		if err != nil {
			log.Printf("skipping %s: %v", f, err)
			continue
		}
		log.Printf("%s: version %s", f, *v.(*string))
	}
}

func open(path string) *plugin.Plugin {
	p, err := plugin.Open(path)
	if err != nil {
		log.Fatal(err)
	}
	return p
}

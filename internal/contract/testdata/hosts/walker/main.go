// Command walker opens every .so (any case) under its folder.
package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"plugin"
	"strings"
)

func main() {
	var paths []string
	filepath.WalkDir(os.Args[1], func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.EqualFold(filepath.Ext(p), ".so") {
			paths = append(paths, p)
		}
		return nil
	})
	for _, p := range paths {
		load(p)
	}
}

func load(path string) {
	p, err := plugin.Open(path)
	if err != nil {
		return
	}
	n, err := p.Lookup("New")
	if err != nil {
		return
	}
	n.(func())()
}

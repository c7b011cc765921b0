// Package helperlib does I/O in a function (fine) that a plugin calls
// from init (not fine).
package helperlib

import "os"

func Load(path string) []byte { // want Load:"calls: does file I/O via readAll → os.ReadFile"
	b, _ := readAll(path)
	return b
}

func readAll(path string) ([]byte, error) { return os.ReadFile(path) } // want readAll:"calls: does file I/O via os.ReadFile"

// Pure does nothing wrong.
func Pure() int { return 42 }

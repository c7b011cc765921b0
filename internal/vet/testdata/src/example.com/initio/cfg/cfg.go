package cfg // want package:"init: does file I/O via var Defaults → load → os.ReadFile"

// cfg reads its defaults when initialized.

import "os"

var Defaults = load()

func load() []byte { // want load:"calls: does file I/O via os.ReadFile"
	b, _ := os.ReadFile("/etc/defaults")
	return b
}

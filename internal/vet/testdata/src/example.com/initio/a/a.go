package a // want package:"init: does network I/O via init → net.Dial"

import "example.com/initio/b"

func Hello() string { return b.Addr }

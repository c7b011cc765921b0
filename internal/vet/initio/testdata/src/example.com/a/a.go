package a // want package:"init: does network I/O via init → net.Dial"

import "example.com/b"

func Hello() string { return b.Addr }

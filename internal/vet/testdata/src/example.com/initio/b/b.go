package b // want package:"init: does network I/O via init → net.Dial"

import "net"

var Addr string

func init() {
	c, err := net.Dial("tcp", "config:80")
	if err == nil {
		Addr = c.RemoteAddr().String()
	}
}

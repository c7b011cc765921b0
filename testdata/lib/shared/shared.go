// Package shared is linked by the test host and by the good plugins. Built
// with -tags=probetag it has one more function, so that its fingerprint
// depends on the build tags: the test of flag mirroring uses that.
package shared

// Greeting is what the good plugins prepend to a request body.
func Greeting() string { return "" }

var registered = map[string]bool{}

// Register records a name a plugin provides; a second registration of the
// same name panics. Plugins rega and regb both register "codec": each
// loads alone, the second of the two kills the host.
func Register(name string) {
	if registered[name] {
		panic("shared: " + name + " registered twice")
	}
	registered[name] = true
}

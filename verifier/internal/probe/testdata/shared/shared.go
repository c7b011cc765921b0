// Package shared is linked by the test host and by the good plugins. Built
// with -tags=probetag it has one more function, so that its fingerprint
// depends on the build tags: the test of flag mirroring uses that.
package shared

// Greeting is what the good plugins prepend to a request body.
func Greeting() string { return "" }

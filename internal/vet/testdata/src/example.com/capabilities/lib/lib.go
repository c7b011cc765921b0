// Not a plugin: anything goes.
package lib

func Init() {}

var Capabilities = []string{"x"}

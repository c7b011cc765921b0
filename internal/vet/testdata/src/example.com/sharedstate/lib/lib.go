// Not a plugin.
package lib

var Counter int

func Tick() { Counter++ }

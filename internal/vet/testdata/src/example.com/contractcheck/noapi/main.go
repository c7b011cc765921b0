// Does not import the API package: the contract check checks New too.
package main // want `plugin has no APIVersion: the host looks up "APIVersion" as \*string and refuses the plugin without it$`

var Seven = 7

func New() int { return 0 } // want `New has type func\(\) int, want func\(\) pluginapi.Plugin`

func Double(x int) int { return 2 * x }

func main() {}

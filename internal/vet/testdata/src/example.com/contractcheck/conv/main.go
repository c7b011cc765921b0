// Imports the API package: the convention analyzers check its New (here
// of the wrong type, factory's finding); the contract check the rest.
package main // want `plugin has no Seven`

import "github.com/pluginctl/pluginctl/pluginapi"

func New() int { return 0 } // want `New has type func\(\) int, want func\(\) pluginapi.Plugin`

var APIVersion = pluginapi.APIVersion

func Double(x int) int { return 2 * x }

func main() {}

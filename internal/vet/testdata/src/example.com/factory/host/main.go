// A host imports the API but declares no factory: not a plugin.
package main

import "github.com/pluginctl/pluginctl/pluginapi"

func run(p pluginapi.Plugin) string { return p.Name() }

func main() { _ = run }

// A package main declaring a symbol the contract requires is a plugin
// (project.Classify), func main or not.
package main

import "github.com/pluginctl/pluginctl/pluginapi"

var APIVersion = "v0" // want `APIVersion is the hand-copied literal "v0", but pluginapi.APIVersion is "v1"`

func main() { _ = pluginapi.APIVersion }

// Command nonew does not export New.
package main

import "github.com/pluginctl/pluginctl/pluginapi"

var APIVersion = pluginapi.APIVersion

func Capabilities() []string { return []string{"echo"} }

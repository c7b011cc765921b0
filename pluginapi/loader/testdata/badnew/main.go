// Command badnew exports New with the wrong type.
package main

import "github.com/pluginctl/pluginctl/pluginapi"

var APIVersion = pluginapi.APIVersion

func New() string { return "not a plugin" }

func Capabilities() []string { return []string{"echo"} }

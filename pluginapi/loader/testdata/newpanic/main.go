// Command newpanic panics in New.
package main

import "github.com/pluginctl/pluginctl/pluginapi"

var APIVersion = pluginapi.APIVersion

func New() pluginapi.Plugin { panic("newpanic: boom") }

func Capabilities() []string { return []string{"echo"} }

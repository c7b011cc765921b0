// Imports the API package, gets New, Capabilities and Init wrong by the
// convention (for the gated convention analyzers; see TestGate).
package main

import "github.com/pluginctl/pluginctl/pluginapi"

var APIVersion = pluginapi.APIVersion

func New() int { return 0 }

func Capabilities() int { return 0 }

func Init(x int) error { return nil }

func main() {}

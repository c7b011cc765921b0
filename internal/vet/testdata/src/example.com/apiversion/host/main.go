package main

import "github.com/pluginctl/pluginctl/pluginapi"

var APIVersion = "v0"

func main() { _ = pluginapi.APIVersion }

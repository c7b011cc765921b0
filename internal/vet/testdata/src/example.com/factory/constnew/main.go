package main

import _ "github.com/pluginctl/pluginctl/pluginapi"

const New = "plugin" // want `New is a constant`

func main() {}

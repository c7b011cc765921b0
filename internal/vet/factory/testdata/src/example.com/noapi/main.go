// A package main with a New but no API import is still a plugin (that is
// how pluginctl build discovers plugins).
package main

type Plugin interface{ Name() string }

func New() Plugin { return nil } // want `New has type func\(\) Plugin, want func\(\) github.com/pluginctl/pluginctl/pluginapi.Plugin, but the plugin does not import github.com/pluginctl/pluginctl/pluginapi`

func main() {}

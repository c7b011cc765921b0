// Command badversion was built against another API version. Its New has
// the wrong type too: a loader must report the version, not the New.
package main

import "github.com/pluginctl/pluginctl/pluginapi"

var APIVersion = "v0"

func New() int { return 0 }

func Capabilities() []string { return []string{"echo"} }

var _ = pluginapi.APIVersion

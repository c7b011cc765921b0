// Package hostreg is a registry the host owns.
package hostreg

import "github.com/pluginctl/pluginctl/pluginapi"

var Current pluginapi.Host

var factories = map[string]func() pluginapi.Plugin{}

func Register(name string, f func() pluginapi.Plugin) { factories[name] = f }

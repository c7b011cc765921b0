// Package main is a plugin (no func main) of no kind.
package main // want `plugin is none of the kinds of plugin the host loads: client \(ClientRegisterer\), handler \(HandlerRegisterer\); nearest: client, which needs ClientRegisterer`

var Name = "none"

// Package main has the method with another signature.
package main

import "net/http"

type registerer string

var HandlerRegisterer = registerer("badsig") // want `HandlerRegisterer: Lookup gives the host a \*main.registerer, which does not implement fw.Registerer: its method RegisterHandlers has type func\(func\(string, http.Handler\)\), want .*; the plugin is none of the host's kinds: client \(ClientRegisterer\), handler \(HandlerRegisterer\)`

func (r registerer) RegisterHandlers(f func(string, http.Handler)) {}

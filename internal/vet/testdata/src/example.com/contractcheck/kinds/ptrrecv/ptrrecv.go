// Package main is a handler plugin: pointer receiver, Lookup gives a pointer.
package main

import "net/http"

type registerer struct{}

var HandlerRegisterer = registerer{}

func (r *registerer) RegisterHandlers(f func(string, func(http.Handler) http.Handler)) {}

// Package main is a handler plugin: value receiver.
package main

import "net/http"

type registerer string

var HandlerRegisterer = registerer("hello")

func (r registerer) RegisterHandlers(f func(string, func(http.Handler) http.Handler)) {}

// Package main exports a pointer: Lookup gives a pointer to a pointer.
package main

import "net/http"

type registerer string

var hello = registerer("ptrptr")

var HandlerRegisterer = &hello // want `Lookup gives the host a \*\*main.registerer, which does not implement fw.Registerer: it has no method RegisterHandlers`

func (r registerer) RegisterHandlers(f func(string, func(http.Handler) http.Handler)) {}

// Package main is a client plugin.
package main

import "net/http"

type registerer string

var ClientRegisterer = registerer("client")

func (r registerer) RegisterClients(f func(string, func(http.RoundTripper) http.RoundTripper)) {}

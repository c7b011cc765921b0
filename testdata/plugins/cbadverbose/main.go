// Plugin cbadverbose has the optional Verbose with another type: the host
// refuses it all the same.
package main

var Seven = 7

var Verbose = "yes"

func Double(n int) int { return 2 * n }

func New() any { return "made by cbadverbose" }

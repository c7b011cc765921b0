// Plugin calt satisfies contracthost's contract with New's other type and
// the optional Verbose.
package main

var Seven = 7

var Verbose = true

func Double(n int) int { return n + n }

func New() string { return "made by calt" }

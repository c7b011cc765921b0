// Plugin extraok is named extra*: it must also export Extra, and does.
package main

var Seven = 7

func Double(n int) int { return 2 * n }

func New() any { return "made by extraok" }

func Extra() string { return "and extra" }

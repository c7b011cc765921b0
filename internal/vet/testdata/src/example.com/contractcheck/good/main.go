// Satisfies the contract: no findings.
package main

var Seven = 7

var Verbose = false

func Double(x int) int { return 2 * x }

func main() {}

package main

var Seven int64 = 7 // want `Seven is a variable of type int64: Lookup gives the host a \*int64, want \*int: the host's assertion fails`

func Double(x int64) int64 { return 2 * x } // want `Double has type func\(int64\) int64, want func\(int\) int: the host's assertion fails`

var Verbose = "yes" // want `Verbose is a variable of type string: Lookup gives the host a \*string, want \*bool`

func main() {}

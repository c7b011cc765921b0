// Not a package main.
package lib

var Seven int64

func Double(x string) string { return x + x }

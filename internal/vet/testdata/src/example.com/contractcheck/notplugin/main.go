// A program that declares none of the contract's symbols is not a plugin.
package main

var seven = 7

func main() { _ = seven }

// The host: never a plugin, even when it declares a contract symbol.
package main

func Double(x int) int { return 2 * x }

func main() {}

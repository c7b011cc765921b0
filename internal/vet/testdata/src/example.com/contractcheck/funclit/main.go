package main

var Seven = 7

var Double = func(x int) int { return 2 * x } // want `Double is a variable of type func\(int\) int: Lookup gives the host a \*func\(int\) int, but it wants a function, func\(int\) int`

func main() {}

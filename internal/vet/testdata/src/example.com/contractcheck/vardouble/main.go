package main

var Seven = 7

var Double = 2 // want `Double is a variable of type int: Lookup gives the host a \*int, but it wants a function, func\(int\) int`

func main() {}

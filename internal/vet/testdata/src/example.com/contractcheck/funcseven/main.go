package main

func Seven() int { return 7 } // want `Seven is a function of type func\(\) int, but the host wants a variable: Lookup must give it \*int`

func Double(x int) int { return 2 * x }

func main() {}

package main

const Seven = 7 // want `Seven is a constant: constants are not plugin symbols, the host's Lookup\("Seven"\) fails`

func Double(x int) int { return Seven * x }

func main() {}

package main

type Seven int // want `Seven is a type: only functions and variables are plugin symbols`

func Double(x int) int { return 2 * x }

func main() {}

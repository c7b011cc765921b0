package main

var seven = 7 // want `plugin has no Seven, only seven: the host looks up "Seven" as \*int`

func Double(x int) int { return seven * x }

func main() {}

package main // want `plugin has no Name: the host looks up "Name" as func\(\) string`

var Seven = 7

func Double(x int) int { return 2 * x }

func main() {}

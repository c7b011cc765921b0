package main // want `plugin has no Seven: the host looks up "Seven" as \*int and refuses the plugin without it \(cmd/host/main.go:12\)`

func Double(x int) int { return 2 * x }

func main() {}

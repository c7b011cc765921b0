package main

var Seven = 7

func Double[T int | int64](x T) T { return 2 * x } // want `Double is a generic function`

func main() {}

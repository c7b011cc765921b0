// Plugin cnodouble lacks the required Double.
package main

var Seven = 7

func Triple(n int) int { return 3 * n }

func New() any { return "made by cnodouble" }

// Plugin cnonew lacks the required New.
package main

var Seven = 7

func Double(n int) int { return 2 * n }

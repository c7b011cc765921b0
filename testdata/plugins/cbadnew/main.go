// Plugin cbadnew has New of neither type the host asserts.
package main

var Seven = 7

func Double(n int) int { return 2 * n }

func New() int { return 42 }

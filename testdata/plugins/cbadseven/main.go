// Plugin cbadseven has Seven with another type: *string, not *int.
package main

var Seven = "7"

func Double(n int) int { return 2 * n }

func New() any { return "made by cbadseven" }

// Plugin cgood satisfies contracthost's contract (also built as extra.so,
// which lacks the Extra that plugins named extra* need).
package main

var Seven = 7

func Double(n int) int { return 2 * n }

func New() any { return "made by cgood" }

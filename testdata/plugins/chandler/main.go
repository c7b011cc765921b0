// Plugin chandler satisfies contracthost's contract and also exports
// Handler, whose type names package container/list, which contracthost
// does not link.
package main

import "container/list"

var Seven = 7

func Double(n int) int { return 2 * n }

func New() any { return "made by chandler" }

func Handler(l *list.List) { l.PushBack("handled") }

// Package lazyregexp compiles regular expressions on first use, as
// cmd/go's internal/lazyregexp does: a package-level regexp.MustCompile
// runs when pluginctl starts, whichever command runs, and every command
// pays for it.
package lazyregexp

import (
	"regexp"
	"sync"
)

// New returns a function that compiles expr the first time it is called
// and returns the same *regexp.Regexp afterwards. It panics, as
// regexp.MustCompile does, if expr does not compile.
func New(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}

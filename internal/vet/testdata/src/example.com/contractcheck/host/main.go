// The host: a package main with func main that links package plugin and
// declares no symbol of the contract is never a plugin. (One declaring a
// required symbol would be a plugin: see project.Classify.)
package main

import "plugin"

func double(x int) int { return 2 * x }

func main() {
	p, err := plugin.Open("x.so")
	if err != nil {
		return
	}
	_, _ = p.Lookup("Seven")
	_ = double(1)
}

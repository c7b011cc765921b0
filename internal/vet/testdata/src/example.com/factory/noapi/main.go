// A package main with a New but no import of the API package follows
// another host's contract, not the pluginapi convention: no finding.
package main

type Plugin interface{ Name() string }

func New() Plugin { return nil }

func main() {}

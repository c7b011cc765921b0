// Package api is the API shared by the fixture hosts and plugins of the
// contract tests: hosts that know nothing of pluginapi.
package api

// Greeter is what a multi plugin's NewGreeter returns.
type Greeter interface {
	Greet(name string) string
}

// Source produces records; a "source" plugin's New returns one.
type Source interface {
	Next() (string, bool)
}

// Sink consumes records; a "sink" plugin's New returns one.
type Sink interface {
	Put(record string) error
}

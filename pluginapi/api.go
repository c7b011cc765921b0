// Package pluginapi is the shared API between a host program and the Go
// plugins (-buildmode=plugin) it loads.
//
// Both sides import this package. The host sees a plugin only through the
// Plugin interface; the plugin implements it with a concrete type and
// returns it from its exported New factory:
//
//	// in the plugin's package main
//	var APIVersion = pluginapi.APIVersion
//
//	func New() pluginapi.Plugin { return filter{} }
//
// Optional exports are Capabilities (func() []string) and Init
// (func(pluginapi.Host) error). The names of all exported symbols are the
// Symbol* constants below; the careful host side of the contract lives in
// package loader.
//
// The type identity rule: the runtime refuses a plugin whose copy of this
// package differs from the host's by a single byte (another checkout,
// another version, another -trimpath choice). Build the host and its
// plugins in one step with `pluginctl build` and check the result with
// `pluginctl verify`.
package pluginapi

// APIVersion is the version of this API. A plugin exports it as
//
//	var APIVersion = pluginapi.APIVersion
//
// so that it always equals the constant it was compiled against; a host
// compares it with its own before it trusts any other symbol. Change it
// whenever a change to this package would break plugins built before it.
const APIVersion = "v1"

// ImportPath is this package's import path: the API package pluginctl
// checks the convention against unless told otherwise.
const ImportPath = "github.com/pluginctl/pluginctl/pluginapi"

// Names of the symbols a plugin exports and a host looks up.
const (
	// SymbolNew is the factory: func() Plugin.
	SymbolNew = "New"
	// SymbolAPIVersion is the API version the plugin was built against: a
	// string variable (Lookup returns *string).
	SymbolAPIVersion = "APIVersion"
	// SymbolCapabilities is optional: func() []string.
	SymbolCapabilities = "Capabilities"
	// SymbolInit is optional: func(Host) error, called once after New.
	SymbolInit = "Init"
	// SymbolMetadata is added by `pluginctl build`: a string variable
	// holding the build metadata as JSON (see package meta).
	SymbolMetadata = "PluginctlMetadata"
)

// The types of the exported symbols, as a host asserts them. They are
// aliases, so that an assertion to NewFunc is the same as one to
// func() Plugin.
type (
	NewFunc          = func() Plugin
	CapabilitiesFunc = func() []string
	InitFunc         = func(Host) error
)

// Request is one unit of work handed to a plugin.
type Request struct {
	// ID identifies the request in logs.
	ID string
	// Body is the payload.
	Body []byte
	// Meta carries key/value pairs between plugins of one chain.
	Meta map[string]string
}

// Response is a plugin's answer to a Request.
type Response struct {
	// Status is an HTTP-like status: StatusOK passes Body on, StatusDrop
	// drops the request silently, 4xx/5xx report an error.
	Status int
	// Body is the (possibly rewritten) payload.
	Body []byte
}

// Status values with a meaning to hosts.
const (
	StatusOK   = 200
	StatusDrop = 204
)

// Plugin is what a plugin's New returns.
type Plugin interface {
	// Name is a short, stable name for logs and configuration.
	Name() string
	// Handle processes one request. It may be called from several
	// goroutines at once.
	Handle(req *Request) (*Response, error)
}

// Host is what a host hands to a plugin's optional Init function: the only
// way a plugin should reach back into the host, and only after Open has
// returned (never from init).
type Host interface {
	// HostName names the host program, for logs.
	HostName() string
	// Config returns the host's setting for key, scoped to this plugin.
	Config(key string) (value string, ok bool)
	// Logf writes a line to the host's log, prefixed with the plugin name.
	Logf(format string, args ...any)
}

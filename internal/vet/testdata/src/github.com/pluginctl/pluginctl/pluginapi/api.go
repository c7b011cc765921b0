// Package pluginapi is a copy of the declarations of the real
// github.com/pluginctl/pluginctl/pluginapi, for analysistest.
package pluginapi

const APIVersion = "v1"

const (
	SymbolNew          = "New"
	SymbolAPIVersion   = "APIVersion"
	SymbolCapabilities = "Capabilities"
	SymbolInit         = "Init"
	SymbolMetadata     = "PluginctlMetadata"
)

type (
	NewFunc          = func() Plugin
	CapabilitiesFunc = func() []string
	InitFunc         = func(Host) error
)

type Request struct {
	ID   string
	Body []byte
	Meta map[string]string
}

type Response struct {
	Status int
	Body   []byte
}

const (
	StatusOK   = 200
	StatusDrop = 204
)

type Plugin interface {
	Name() string
	Handle(req *Request) (*Response, error)
}

type Host interface {
	HostName() string
	Config(key string) (value string, ok bool)
	Logf(format string, args ...any)
}

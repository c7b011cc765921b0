package loader

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/pluginctl/pluginctl/pluginapi"
)

// NewHost returns the default pluginapi.Host that Load gives a plugin
// named pluginName when Options.Host is nil. Config(key) returns
// config[pluginName+"."+key]; Logf logs at level Info through logger (nil:
// slog.Default()), prefixed with "<pluginName>: ". hostName "" means the
// base name of os.Args[0].
func NewHost(hostName, pluginName string, config map[string]string, logger *slog.Logger) pluginapi.Host {
	if hostName == "" && len(os.Args) > 0 {
		hostName = filepath.Base(os.Args[0])
	}
	if logger == nil {
		logger = slog.Default()
	}
	return &host{name: hostName, plugin: pluginName, config: config, log: logger}
}

type host struct {
	name   string
	plugin string
	config map[string]string
	log    *slog.Logger
}

func (h *host) HostName() string { return h.name }

func (h *host) Config(key string) (string, bool) {
	v, ok := h.config[h.plugin+"."+key]
	return v, ok
}

func (h *host) Logf(format string, args ...any) {
	h.log.Info(h.plugin + ": " + fmt.Sprintf(format, args...))
}

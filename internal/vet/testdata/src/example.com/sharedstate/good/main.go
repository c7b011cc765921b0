package main

import (
	"sync"
	"sync/atomic"

	"github.com/pluginctl/pluginctl/pluginapi"
)

var APIVersion = pluginapi.APIVersion

// Counter is shared with the host, and only touched atomically.
var Counter int64

var Hits atomic.Int64

var (
	mu    sync.Mutex
	Names = map[string]bool{}
)

var (
	once   sync.Once
	Config map[string]string
)

// private state is the plugin's own business.
var seen = map[string]bool{}

func init() { Names["init"] = true }

func Init(h pluginapi.Host) error {
	Config = map[string]string{}
	return nil
}

func Tick() {
	atomic.AddInt64(&Counter, 1)
	Hits.Add(1)
	seen["tick"] = true
}

func Add(name string) {
	mu.Lock()
	defer mu.Unlock()
	Names[name] = true
}

func setup() {
	once.Do(func() { Config = map[string]string{"a": "b"} })
}

type plug struct{}

func (plug) Name() string { return "x" }

func (plug) Handle(req *pluginapi.Request) (*pluginapi.Response, error) { return nil, nil }

func New() pluginapi.Plugin { return plug{} }

func main() {}

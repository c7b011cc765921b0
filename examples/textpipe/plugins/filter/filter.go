// Command filter is a textpipe plugin that drops lines: empty (blank)
// lines, lines containing a configured word, and optionally repeats of a
// line seen before.
//
// Build it with
//
//	go build -buildmode=plugin -o bin/plugins/filter.so ./examples/textpipe/plugins/filter
//
// Configuration, read in Init (host flag -set filter.KEY=VALUE):
//
//	filter.word    drop lines containing this word (case-sensitive);
//	               default "DROP", "" disables the check
//	filter.dedupe  "true" drops lines that passed before
package main

import (
	"bytes"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/pluginctl/pluginctl/pluginapi"
)

// APIVersion is the API this plugin was compiled against; the host checks
// it before anything else.
var APIVersion = pluginapi.APIVersion

const defaultWord = "DROP"

// config is set once by Init, before the host calls Handle. Package
// initialization does no I/O and talks to nobody: everything that depends
// on the outside world happens in Init.
var config = struct {
	word   []byte
	dedupe bool
}{word: []byte(defaultWord)}

// filter is one instance; its counters and the set of seen lines are its
// own state. Handle may run on several goroutines at once.
type filter struct {
	passed, dropped atomic.Int64

	mu   sync.Mutex
	seen map[string]bool
}

// New returns a new filter instance.
func New() pluginapi.Plugin { return &filter{seen: map[string]bool{}} }

// Capabilities tells the host what this plugin can do.
func Capabilities() []string { return []string{"filter", "text"} }

// Init reads the configuration through the host. A bad value is an error,
// so the host skips this plugin instead of running it misconfigured.
func Init(h pluginapi.Host) error {
	if w, ok := h.Config("word"); ok {
		config.word = []byte(w)
	}
	if d, ok := h.Config("dedupe"); ok {
		v, err := strconv.ParseBool(d)
		if err != nil {
			return fmt.Errorf("filter.dedupe: %w", err)
		}
		config.dedupe = v
	}
	h.Logf("dropping blank lines and lines containing %q (dedupe %v) for %s",
		config.word, config.dedupe, h.HostName())
	return nil
}

func (*filter) Name() string { return "filter" }

// Handle drops the request (pluginapi.StatusDrop) or passes it on
// unchanged (pluginapi.StatusOK).
func (f *filter) Handle(req *pluginapi.Request) (*pluginapi.Response, error) {
	if f.drop(req.Body) {
		n := f.dropped.Add(1)
		if req.Meta != nil {
			req.Meta["filter.dropped"] = strconv.FormatInt(n, 10)
		}
		return &pluginapi.Response{Status: pluginapi.StatusDrop}, nil
	}
	f.passed.Add(1)
	return &pluginapi.Response{Status: pluginapi.StatusOK, Body: req.Body}, nil
}

func (f *filter) drop(line []byte) bool {
	if len(bytes.TrimSpace(line)) == 0 {
		return true
	}
	if len(config.word) > 0 && bytes.Contains(line, config.word) {
		return true
	}
	if config.dedupe {
		f.mu.Lock()
		defer f.mu.Unlock()
		if f.seen[string(line)] {
			return true
		}
		f.seen[string(line)] = true
	}
	return false
}

// main is never called: the file is built with -buildmode=plugin. It only
// lets `go build ./...` and `go vet` treat this package main like others.
func main() {}

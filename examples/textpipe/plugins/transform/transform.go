// Command transform is a textpipe plugin that rewrites each line.
//
// Build it with
//
//	go build -buildmode=plugin -o bin/plugins/transform.so ./examples/textpipe/plugins/transform
//
// Configuration, read in Init (host flag -set transform.KEY=VALUE):
//
//	transform.mode    upper (default), lower, title, reverse or none
//	transform.number  "true" prefixes each line with its number among the
//	                  lines this instance transformed: "1: ..."
package main

import (
	"bytes"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"unicode"
	"unicode/utf8"

	"github.com/pluginctl/pluginctl/pluginapi"
)

// APIVersion is the API this plugin was compiled against.
var APIVersion = pluginapi.APIVersion

// modes maps a mode name to its rewrite. Building a lookup table is the
// kind of self-contained work package initialization may do.
var modes = map[string]func([]byte) []byte{
	"upper":   bytes.ToUpper,
	"lower":   bytes.ToLower,
	"title":   title,
	"reverse": reverse,
	"none":    func(b []byte) []byte { return bytes.Clone(b) },
}

// config is set once by Init, before the host calls Handle.
var config = struct {
	mode   string
	number bool
}{mode: "upper"}

// transform is one instance; it numbers the lines it rewrites.
type transform struct {
	lines atomic.Int64
}

// New returns a new transform instance.
func New() pluginapi.Plugin { return &transform{} }

// Capabilities tells the host what this plugin can do.
func Capabilities() []string { return []string{"transform", "text"} }

// Init reads the configuration through the host.
func Init(h pluginapi.Host) error {
	if m, ok := h.Config("mode"); ok {
		if modes[m] == nil {
			names := make([]string, 0, len(modes))
			for n := range modes {
				names = append(names, n)
			}
			sort.Strings(names)
			return fmt.Errorf("transform.mode %q: want one of %s", m, strings.Join(names, ", "))
		}
		config.mode = m
	}
	if n, ok := h.Config("number"); ok {
		v, err := strconv.ParseBool(n)
		if err != nil {
			return fmt.Errorf("transform.number: %w", err)
		}
		config.number = v
	}
	h.Logf("mode %s, numbering %v", config.mode, config.number)
	return nil
}

func (*transform) Name() string { return "transform" }

// Handle rewrites the body.
func (t *transform) Handle(req *pluginapi.Request) (*pluginapi.Response, error) {
	if !utf8.Valid(req.Body) {
		return &pluginapi.Response{Status: 422, Body: []byte("not UTF-8")}, nil
	}
	body := modes[config.mode](req.Body)
	if config.number {
		n := t.lines.Add(1)
		body = append(strconv.AppendInt(nil, n, 10), append([]byte(": "), body...)...)
	}
	return &pluginapi.Response{Status: pluginapi.StatusOK, Body: body}, nil
}

// title upper-cases the first letter of every word.
func title(b []byte) []byte {
	out := make([]byte, 0, len(b))
	start := true
	for _, r := range string(b) {
		if start && unicode.IsLetter(r) {
			r = unicode.ToUpper(r)
		}
		start = unicode.IsSpace(r)
		out = utf8.AppendRune(out, r)
	}
	return out
}

// reverse reverses the runes of b.
func reverse(b []byte) []byte {
	rs := []rune(string(b))
	slices.Reverse(rs)
	return []byte(string(rs))
}

// main is never called: the file is built with -buildmode=plugin. It only
// lets `go build ./...` and `go vet` treat this package main like others.
func main() {}

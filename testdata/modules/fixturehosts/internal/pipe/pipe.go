// Package pipe is the body of the fixture hosts. Like the textpipe example
// host, a fixture host loads the plugins (*.so) of -plugins DIR with
// package loader, logging to standard error (log/slog text) what it loaded
// or skipped and why, then pipes each line of standard input through the
// plugins in load (file name) order and writes what is left to standard
// output.
//
//	HOST -plugins DIR [-require CAP]... < input
package pipe

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/pluginctl/pluginctl/pluginapi"
	"github.com/pluginctl/pluginctl/pluginapi/loader"
)

type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// Run runs the host called name and returns its exit status. newID gives
// the ID of the n-th request.
func Run(name string, newID func(n int) string, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	var require listFlag
	dir := fs.String("plugins", "plugins", "load the plugins (*.so) of `DIR`")
	fs.Var(&require, "require", "skip plugins without capability `CAP` (repeatable)")
	if err := fs.Parse(args); err != nil || fs.NArg() > 0 {
		return 2
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	set, err := loader.Load(*dir, loader.Options{Logger: log, RequireCapabilities: require, HostName: name})
	if err != nil {
		log.Error("loading plugins", "err", err)
		return 1
	}
	names := make([]string, len(set.Loaded))
	for i, l := range set.Loaded {
		names[i] = l.Name
	}
	log.Info("plugin chain", "dir", *dir, "plugins", names, "skipped", len(set.Skipped))

	sc := bufio.NewScanner(stdin)
	w := bufio.NewWriter(stdout)
	defer w.Flush()
	code := 0
	n := 0
lines:
	for sc.Scan() {
		n++
		req := &pluginapi.Request{ID: newID(n), Body: sc.Bytes(), Meta: map[string]string{}}
		for _, l := range set.Loaded {
			resp, err := l.Plugin.Handle(req)
			if err == nil && resp == nil {
				err = fmt.Errorf("nil response")
			}
			if err == nil && resp.Status != pluginapi.StatusOK && resp.Status != pluginapi.StatusDrop {
				err = fmt.Errorf("status %d", resp.Status)
			}
			if err != nil {
				log.Error("dropping line", "line", n, "id", req.ID, "err", fmt.Errorf("plugin %s: %w", l.Name, err))
				code = 1
				continue lines
			}
			if resp.Status == pluginapi.StatusDrop {
				continue lines
			}
			req.Body = resp.Body
		}
		w.Write(req.Body)
		w.WriteByte('\n')
	}
	if err := sc.Err(); err != nil {
		log.Error("reading input", "err", err)
		code = 1
	}
	return code
}

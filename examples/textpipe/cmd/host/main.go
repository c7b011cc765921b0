// Command host is the textpipe host. It loads every plugin (*.so) of a
// directory with package loader, then pipes text through them: each line
// of standard input goes through the plugins in load (file name) order and
// what is left is written to standard output. With -listen it serves HTTP
// instead: the body of each POST goes through the chain as one request.
//
// Usage:
//
//	host [-plugins DIR] [-require CAP]... [-set PLUGIN.KEY=VALUE]... [-listen ADDR]
//
// A plugin answering pluginapi.StatusDrop drops the line; StatusOK passes
// its body on to the next plugin. An error, a panic or another status
// drops the line and is logged; the host then exits with status 1 at the
// end of its input. A plugin that fails to load is logged and skipped.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/pluginctl/pluginctl/pluginapi"
	"github.com/pluginctl/pluginctl/pluginapi/loader"
)

const hostName = "textpipe"

// listFlag is a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// configFlag collects repeatable -set plugin.key=value settings.
type configFlag map[string]string

func (c configFlag) String() string { return "" }

func (c configFlag) Set(v string) error {
	k, val, ok := strings.Cut(v, "=")
	name, key, dot := strings.Cut(k, ".")
	if !ok || !dot || name == "" || key == "" {
		return fmt.Errorf("want PLUGIN.KEY=VALUE, got %q", v)
	}
	c[k] = val
	return nil
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet(hostName, flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		require listFlag
		config  = configFlag{}
	)
	dir := fs.String("plugins", "", "load the plugins (*.so) of `DIR` (default: the plugins directory next to the host executable)")
	fs.Var(&require, "require", "skip plugins without capability `CAP` (repeatable)")
	fs.Var(config, "set", "set `PLUGIN.KEY=VALUE` in the plugins' configuration (repeatable)")
	listen := fs.String("listen", "", "serve HTTP on `ADDR` instead of reading standard input: POST a body, get it back through the chain")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: host [flags] < input\n\nPipes each input line through the plugins.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return 2
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))

	if *dir == "" {
		exe, err := os.Executable()
		if err != nil {
			log.Error("finding the plugins directory", "err", err)
			return 1
		}
		*dir = filepath.Join(filepath.Dir(exe), "plugins")
	}
	set, err := loader.Load(*dir, loader.Options{
		Logger:              log,
		RequireCapabilities: require,
		HostName:            hostName,
		Config:              config,
	})
	if err != nil {
		log.Error("loading plugins", "err", err)
		return 1
	}
	names := make([]string, len(set.Loaded))
	for i, l := range set.Loaded {
		names[i] = l.Name
	}
	log.Info("plugin chain", "dir", *dir, "plugins", names, "skipped", len(set.Skipped))
	if len(set.Loaded) == 0 {
		log.Warn("no plugins loaded: input passes through unchanged")
	}
	c := chain(set.Loaded)

	if *listen != "" {
		return serve(*listen, c, log)
	}
	return pipe(stdin, stdout, c, log)
}

// chain runs a request through the plugins in order.
type chain []*loader.Loaded

// run returns the final body, or keep=false when a plugin dropped it.
func (c chain) run(id string, body []byte) (out []byte, keep bool, err error) {
	req := &pluginapi.Request{ID: id, Body: body, Meta: map[string]string{}}
	for _, l := range c {
		resp, err := handle(l.Plugin, req)
		if err != nil {
			return nil, false, fmt.Errorf("plugin %s: %w", l.Name, err)
		}
		switch resp.Status {
		case pluginapi.StatusOK:
			req.Body = resp.Body
		case pluginapi.StatusDrop:
			return nil, false, nil
		default:
			return nil, false, fmt.Errorf("plugin %s: status %d: %s", l.Name, resp.Status, resp.Body)
		}
	}
	return req.Body, true, nil
}

// handle calls p.Handle, turning a panic or a nil response into an error:
// a broken plugin costs one request, not the host.
func handle(p pluginapi.Plugin, req *pluginapi.Request) (resp *pluginapi.Response, err error) {
	defer func() {
		if r := recover(); r != nil {
			resp, err = nil, fmt.Errorf("panic: %v", r)
		}
	}()
	resp, err = p.Handle(req)
	if err == nil && resp == nil {
		err = errors.New("nil response")
	}
	return resp, err
}

// pipe sends each line of in through the chain and writes the survivors
// to out.
func pipe(in io.Reader, out io.Writer, c chain, log *slog.Logger) int {
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	w := bufio.NewWriter(out)
	code := 0
	n := 0
	for sc.Scan() {
		n++
		body, keep, err := c.run("line-"+strconv.Itoa(n), sc.Bytes())
		if err != nil {
			log.Error("dropping line", "line", n, "err", err)
			code = 1
			continue
		}
		if keep {
			w.Write(body)
			w.WriteByte('\n')
		}
	}
	if err := sc.Err(); err != nil {
		log.Error("reading input", "line", n+1, "err", err)
		code = 1
	}
	if err := w.Flush(); err != nil {
		log.Error("writing output", "err", err)
		code = 1
	}
	return code
}

// serve answers POST requests: 200 with the transformed body, 204 when a
// plugin dropped it, 502 when a plugin failed. It stops on SIGINT/SIGTERM.
func serve(addr string, c chain, log *slog.Logger) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		log.Error("listening", "err", err)
		return 1
	}
	var ids atomic.Int64
	mux := http.NewServeMux()
	mux.HandleFunc("POST /", func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
		if err != nil {
			http.Error(w, err.Error(), http.StatusRequestEntityTooLarge)
			return
		}
		id := "http-" + strconv.FormatInt(ids.Add(1), 10)
		out, keep, err := c.run(id, body)
		switch {
		case err != nil:
			log.Error("request failed", "id", id, "err", err)
			http.Error(w, err.Error(), http.StatusBadGateway)
		case !keep:
			w.WriteHeader(http.StatusNoContent)
		default:
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.Write(out)
		}
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	shutdown := make(chan error, 1)
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		shutdown <- srv.Shutdown(sctx) // waits for requests in flight
	}()
	log.Info("listening", "addr", ln.Addr().String())
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		log.Error("serving", "err", err)
		return 1
	}
	if err := <-shutdown; err != nil {
		log.Error("shutting down", "err", err)
		return 1
	}
	log.Info("stopped")
	return 0
}

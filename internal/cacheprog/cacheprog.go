// Package cacheprog is a client of a GOCACHEPROG program, the external build
// cache the go command talks to (cmd/go/internal/cacheprog's protocol: JSON
// requests on the program's stdin, responses on its stdout). pluginctl keeps
// its own cache entries there too, beside the go command's, so that every
// machine sharing the cache program (a CI fleet with one cache server) shares
// them: a plugin linked on one runner is not linked again on the next.
package cacheprog

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"time"
)

// request and response are the protocol's messages (the fields pluginctl
// uses of cmd/go/internal/cacheprog's Request and Response).
type request struct {
	ID       int64
	Command  string
	ActionID []byte `json:",omitempty"`
	OutputID []byte `json:",omitempty"`
	BodySize int64  `json:",omitempty"`
}

type response struct {
	ID            int64
	Err           string   `json:",omitempty"`
	KnownCommands []string `json:",omitempty"`
	Miss          bool     `json:",omitempty"`
	OutputID      []byte   `json:",omitempty"`
	Size          int64    `json:",omitempty"`
	DiskPath      string   `json:",omitempty"`
}

// maxLine bounds one response line: responses carry no bodies, only IDs
// and a path.
const maxLine = 1 << 20

// Client talks to one running cache program. Its methods are safe for
// concurrent use; requests are sent one at a time.
type Client struct {
	mu     sync.Mutex
	cmd    *exec.Cmd
	in     *bufio.Writer
	inC    io.Closer
	out    *bufio.Scanner
	nextID int64
	broken error
	close  bool // the program knows the close command
}

// Split splits a GOCACHEPROG value into the program and its arguments as
// the go command does: fields separated by spaces, each optionally quoted
// with ' or ".
func Split(spec string) ([]string, error) {
	var fields []string
	s := strings.TrimSpace(spec)
	for len(s) > 0 {
		var f string
		switch q := s[0]; q {
		case '\'', '"':
			end := strings.IndexByte(s[1:], q)
			if end < 0 {
				return nil, fmt.Errorf("unterminated %c string", q)
			}
			f, s = s[1:1+end], s[2+end:]
			if s != "" && s[0] != ' ' && s[0] != '\t' {
				return nil, fmt.Errorf("quoted string followed by %q", s[0])
			}
		default:
			i := strings.IndexAny(s, " \t")
			if i < 0 {
				i = len(s)
			}
			f, s = s[:i], s[i:]
		}
		fields = append(fields, f)
		s = strings.TrimLeft(s, " \t")
	}
	if len(fields) == 0 {
		return nil, errors.New("empty GOCACHEPROG")
	}
	return fields, nil
}

// Start starts the cache program spec (a GOCACHEPROG value) with the
// environment env (nil: pluginctl's own) and waits, at most 30 seconds,
// for its greeting, which must offer get and put. The program's standard
// error goes to stderr (nil discards it).
func Start(ctx context.Context, spec string, env []string, stderr io.Writer) (*Client, error) {
	args, err := Split(spec)
	if err != nil {
		return nil, fmt.Errorf("GOCACHEPROG %q: %w", spec, err)
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Env = env
	cmd.Stderr = stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting GOCACHEPROG %s: %w", args[0], err)
	}
	c := &Client{cmd: cmd, in: bufio.NewWriter(in), inC: in, out: bufio.NewScanner(out)}
	c.out.Buffer(make([]byte, 64<<10), maxLine)
	hello := make(chan error, 1)
	var r response
	go func() { hello <- c.read(&r) }()
	select {
	case err = <-hello:
	case <-ctx.Done():
		err = ctx.Err()
	case <-time.After(30 * time.Second):
		err = errors.New("no greeting within 30 s")
	}
	if err == nil && (r.ID != 0 || !slices.Contains(r.KnownCommands, "get") || !slices.Contains(r.KnownCommands, "put")) {
		err = fmt.Errorf("greeting offers %v, want get and put", r.KnownCommands)
	}
	if err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		return nil, fmt.Errorf("GOCACHEPROG %s: %w", args[0], err)
	}
	c.close = slices.Contains(r.KnownCommands, "close")
	return c, nil
}

func (c *Client) read(r *response) error {
	if !c.out.Scan() {
		if err := c.out.Err(); err != nil {
			return err
		}
		return io.ErrUnexpectedEOF
	}
	return json.Unmarshal(c.out.Bytes(), r)
}

// roundTrip sends req (and body, for a put) and returns its response.
func (c *Client) roundTrip(req request, body func(io.Writer) error) (*response, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.broken != nil {
		return nil, c.broken
	}
	c.nextID++
	req.ID = c.nextID
	var resp response
	err := func() error {
		data, err := json.Marshal(req)
		if err != nil {
			return err
		}
		c.in.Write(data)
		c.in.WriteByte('\n')
		if body != nil {
			if err := body(c.in); err != nil {
				return err
			}
		}
		if err := c.in.Flush(); err != nil {
			return err
		}
		var r response
		if err := c.read(&r); err != nil {
			return err
		}
		if r.ID != req.ID {
			return fmt.Errorf("response %d to request %d", r.ID, req.ID)
		}
		resp = r
		return nil
	}()
	if err != nil {
		c.broken = fmt.Errorf("cache program: %w", err)
		return nil, c.broken
	}
	if resp.Err != "" {
		return nil, fmt.Errorf("cache program: %s", resp.Err)
	}
	return &resp, nil
}

// Get returns the path of a local file holding the body stored under
// action (valid until Close), or ok false on a miss.
func (c *Client) Get(action [32]byte) (path string, ok bool, err error) {
	r, err := c.roundTrip(request{Command: "get", ActionID: action[:]}, nil)
	if err != nil {
		return "", false, err
	}
	if r.Miss || r.DiskPath == "" {
		return "", false, nil
	}
	return r.DiskPath, true, nil
}

// Put stores the file at path under action; its output ID is the SHA-256
// of its contents, as the go command's are.
func (c *Client) Put(action [32]byte, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	h := sha256.New()
	size, err := io.Copy(h, f)
	if err != nil {
		return err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	var body func(io.Writer) error
	if size > 0 {
		body = func(w io.Writer) error {
			// A JSON string of the body's base64, on its own line.
			io.WriteString(w, `"`)
			enc := base64.NewEncoder(base64.StdEncoding, w)
			if _, err := io.CopyN(enc, f, size); err != nil {
				return err
			}
			if err := enc.Close(); err != nil {
				return err
			}
			_, err := io.WriteString(w, "\"\n")
			return err
		}
	}
	_, err = c.roundTrip(request{Command: "put", ActionID: action[:], OutputID: h.Sum(nil), BodySize: size}, body)
	return err
}

// Close asks the program to exit and waits for it, at most 30 seconds.
func (c *Client) Close() error {
	var err error
	if c.close {
		_, err = c.roundTrip(request{Command: "close"}, nil)
	}
	c.inC.Close()
	done := make(chan error, 1)
	go func() { done <- c.cmd.Wait() }()
	select {
	case werr := <-done:
		if err == nil {
			err = werr
		}
	case <-time.After(30 * time.Second):
		c.cmd.Process.Kill()
		<-done
		if err == nil {
			err = errors.New("cache program did not exit within 30 s of close")
		}
	}
	return err
}

// Store is a cache program started on first use, for files pluginctl
// keeps there under keys of its own (artifacts, probes). It is only a
// cache: a failure makes every later Get miss and every Put a no-op, and
// Close reports the first one. A nil *Store stores nothing.
type Store struct {
	spec string
	env  []string

	once   sync.Once
	client *Client
	mu     sync.Mutex
	err    error
}

// NewStore returns the store of the GOCACHEPROG value spec, started with
// the environment env (nil: pluginctl's own); nil when spec is "" or "off".
func NewStore(spec string, env []string) *Store {
	if spec == "" || spec == "off" {
		return nil
	}
	return &Store{spec: spec, env: env}
}

func (s *Store) start() *Client {
	s.once.Do(func() {
		c, err := Start(context.Background(), s.spec, s.env, nil)
		if err != nil {
			s.fail(err)
			return
		}
		s.client = c
	})
	return s.client
}

func (s *Store) fail(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err == nil {
		s.err = err
	}
}

// Key is the action ID of one of pluginctl's entries: kind and the parts
// that identify it.
func Key(kind string, parts ...string) [32]byte {
	return sha256.Sum256([]byte("pluginctl " + kind + "\x00" + strings.Join(parts, "\x00")))
}

// Get returns a local file holding the entry stored under key, or "".
func (s *Store) Get(key [32]byte) string {
	if s == nil {
		return ""
	}
	c := s.start()
	if c == nil {
		return ""
	}
	path, ok, err := c.Get(key)
	if err != nil {
		s.fail(err)
	}
	if !ok {
		return ""
	}
	return path
}

// Put stores the file at path under key.
func (s *Store) Put(key [32]byte, path string) {
	if s == nil {
		return
	}
	if c := s.start(); c != nil {
		if err := c.Put(key, path); err != nil {
			s.fail(err)
		}
	}
}

// Close stops the program, if it was started, and returns the first
// failure of the store.
func (s *Store) Close() error {
	if s == nil {
		return nil
	}
	s.once.Do(func() {}) // a Close before any use starts nothing
	if s.client != nil {
		if err := s.client.Close(); err != nil {
			s.fail(err)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

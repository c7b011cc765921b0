// Package cacheprog is a client of a GOCACHEPROG program, the external build
// cache the go command talks to (cmd/go/internal/cacheprog's protocol: JSON
// requests on the program's stdin, responses on its stdout). pluginctl keeps
// its own cache entries there too, beside the go command's, so that every
// machine sharing the cache program (a CI fleet with one cache server) shares
// them: a plugin linked on one runner is not linked again on the next.
package cacheprog

import (
	"bufio"
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

// Store is a cache program started on first use, for files pluginctl
// keeps there under keys of its own (artifacts, probes). It is only a
// cache: a failure makes every later Get miss and every Put a no-op, and
// Close reports the first one. Its methods are safe for concurrent use;
// requests are sent one at a time. A nil *Store stores nothing.
type Store struct {
	spec string
	env  []string
	once sync.Once

	mu     sync.Mutex
	cmd    *exec.Cmd
	in     *bufio.Writer
	inC    io.Closer
	out    *bufio.Scanner
	nextID int64
	close  bool  // the program knows the close command
	broken bool  // the program cannot be talked to (any more)
	err    error // the first failure
}

// NewStore returns the store of the GOCACHEPROG value spec, started with
// the environment env (nil: pluginctl's own); nil when spec is "" or "off".
func NewStore(spec string, env []string) *Store {
	if spec == "" || spec == "off" {
		return nil
	}
	return &Store{spec: spec, env: env}
}

// Key is the action ID of one of pluginctl's entries: kind and the parts
// that identify it.
func Key(kind string, parts ...string) [32]byte {
	return sha256.Sum256([]byte("pluginctl " + kind + "\x00" + strings.Join(parts, "\x00")))
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

// start starts the cache program, once, and waits, at most 30 seconds,
// for its greeting, which must offer get and put. The program's standard
// error is discarded.
func (s *Store) start() {
	s.once.Do(func() {
		if err := s.startProgram(); err != nil {
			s.fail(err, true)
		}
	})
}

func (s *Store) startProgram() error {
	args, err := Split(s.spec)
	if err != nil {
		return fmt.Errorf("GOCACHEPROG %q: %w", s.spec, err)
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Env = s.env
	in, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting GOCACHEPROG %s: %w", args[0], err)
	}
	s.cmd, s.in, s.inC, s.out = cmd, bufio.NewWriter(in), in, bufio.NewScanner(out)
	s.out.Buffer(make([]byte, 64<<10), maxLine)
	hello := make(chan error, 1)
	var r response
	go func() { hello <- s.read(&r) }()
	select {
	case err = <-hello:
	case <-time.After(30 * time.Second):
		err = errors.New("no greeting within 30 s")
	}
	if err == nil && (r.ID != 0 || !slices.Contains(r.KnownCommands, "get") || !slices.Contains(r.KnownCommands, "put")) {
		err = fmt.Errorf("greeting offers %v, want get and put", r.KnownCommands)
	}
	if err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		s.cmd = nil
		return fmt.Errorf("GOCACHEPROG %s: %w", args[0], err)
	}
	s.close = slices.Contains(r.KnownCommands, "close")
	return nil
}

// fail records err if it is the first failure; broken stops all requests.
// s.mu is held, or no request can run yet.
func (s *Store) fail(err error, broken bool) {
	if s.err == nil {
		s.err = err
	}
	s.broken = s.broken || broken
}

func (s *Store) read(r *response) error {
	if !s.out.Scan() {
		if err := s.out.Err(); err != nil {
			return err
		}
		return io.ErrUnexpectedEOF
	}
	return json.Unmarshal(s.out.Bytes(), r)
}

// roundTrip sends req (and body, for a put) and returns its response; nil
// after any failure, which it records.
func (s *Store) roundTrip(req request, body func(io.Writer) error) *response {
	if s == nil {
		return nil
	}
	s.start()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.broken {
		return nil
	}
	s.nextID++
	req.ID = s.nextID
	var resp response
	err := func() error {
		data, err := json.Marshal(req)
		if err != nil {
			return err
		}
		s.in.Write(data)
		s.in.WriteByte('\n')
		if body != nil {
			if err := body(s.in); err != nil {
				return err
			}
		}
		if err := s.in.Flush(); err != nil {
			return err
		}
		if err := s.read(&resp); err != nil {
			return err
		}
		if resp.ID != req.ID {
			return fmt.Errorf("response %d to request %d", resp.ID, req.ID)
		}
		return nil
	}()
	if err != nil {
		s.fail(fmt.Errorf("cache program: %w", err), true)
		return nil
	}
	if resp.Err != "" {
		s.fail(fmt.Errorf("cache program: %s", resp.Err), false)
		return nil
	}
	return &resp
}

// Get returns a local file holding the entry stored under key (valid
// until Close), or "".
func (s *Store) Get(key [32]byte) string {
	r := s.roundTrip(request{Command: "get", ActionID: key[:]}, nil)
	if r == nil || r.Miss {
		return ""
	}
	return r.DiskPath
}

// Put stores the file at path under key; its output ID is the SHA-256 of
// its contents, as the go command's are.
func (s *Store) Put(key [32]byte, path string) {
	if s == nil {
		return
	}
	f, err := os.Open(path)
	if err != nil {
		s.mu.Lock()
		s.fail(err, false)
		s.mu.Unlock()
		return
	}
	defer f.Close()
	h := sha256.New()
	size, err := io.Copy(h, f)
	if err == nil {
		_, err = f.Seek(0, io.SeekStart)
	}
	if err != nil {
		s.mu.Lock()
		s.fail(err, false)
		s.mu.Unlock()
		return
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
	s.roundTrip(request{Command: "put", ActionID: key[:], OutputID: h.Sum(nil), BodySize: size}, body)
}

// Close stops the program, if it was started, waiting at most 30 seconds
// for it to exit, and returns the first failure of the store.
func (s *Store) Close() error {
	if s == nil {
		return nil
	}
	s.once.Do(func() {}) // a Close before any use starts nothing
	if s.cmd == nil {
		return s.err
	}
	if s.close {
		s.roundTrip(request{Command: "close"}, nil)
	}
	s.inC.Close()
	done := make(chan error, 1)
	go func() { done <- s.cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-time.After(30 * time.Second):
		s.cmd.Process.Kill()
		<-done
		err = errors.New("cache program did not exit within 30 s of close")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		s.fail(err, true)
	}
	return s.err
}

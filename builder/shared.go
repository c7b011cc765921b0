// The artifacts kept in a GOCACHEPROG cache program, so that machines
// sharing the program (a CI fleet) share pluginctl's links as they share
// the go command's compiles.

package builder

import (
	"context"
	"crypto/sha256"
	"fmt"
	"sync"

	"github.com/pluginctl/pluginctl/internal/cacheprog"
)

// shared is the cache program, started on first use; nil when GOCACHEPROG
// is not set or caching is off.
type shared struct {
	spec string
	env  []string
	key  string // the build's configuration, without its directory

	once   sync.Once
	client *cacheprog.Client
	mu     sync.Mutex
	err    error // the first failure: the artifacts are then not shared
}

func newShared(spec string, env []string, goVersion string, flags []string, cacheDir string) *shared {
	if spec == "" || spec == "off" || cacheDir == "off" {
		return nil
	}
	// The key leaves out the project's directory: go build accepts a
	// seed only when its build ID is the one it would link, so an entry
	// from another checkout path is used exactly when it is the same.
	return &shared{spec: spec, env: env, key: slotKey("", goVersion, flags)}
}

func (s *shared) start() *cacheprog.Client {
	s.once.Do(func() {
		c, err := cacheprog.Start(context.Background(), s.spec, s.env, nil)
		if err != nil {
			s.fail(err)
			return
		}
		s.client = c
	})
	return s.client
}

func (s *shared) fail(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err == nil {
		s.err = err
	}
}

func (s *shared) action(t *target) [32]byte {
	return sha256.Sum256([]byte("pluginctl artifact 1\n" + s.key + "\n" + string(t.Kind) + "\n" + t.ImportPath))
}

// get returns a local file holding t's artifact as last linked by any
// machine sharing the program, or "".
func (s *shared) get(t *target) string {
	if s == nil {
		return ""
	}
	c := s.start()
	if c == nil {
		return ""
	}
	path, ok, err := c.Get(s.action(t))
	if err != nil {
		s.fail(err)
	}
	if !ok {
		return ""
	}
	return path
}

// put stores the artifact just linked for t.
func (s *shared) put(t *target, path string) {
	if s == nil {
		return
	}
	if c := s.start(); c != nil {
		if err := c.Put(s.action(t), path); err != nil {
			s.fail(err)
		}
	}
}

// close stops the program and returns a warning when the artifacts could
// not be shared ("" otherwise).
func (s *shared) close() string {
	if s == nil {
		return ""
	}
	if s.client != nil {
		if err := s.client.Close(); err != nil {
			s.fail(err)
		}
	}
	if s.err != nil {
		return fmt.Sprintf("the artifacts were not shared through GOCACHEPROG (%v); the build itself is complete", s.err)
	}
	return ""
}

package cli

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// status is a line on a terminal that says what runs and for how long,
// redrawn every second until stopped (and then erased): verify's dynamic
// check can build its probe for a while on a cold cache.
type status struct {
	mu    sync.Mutex
	w     io.Writer
	what  string
	start time.Time
	stop  chan struct{}
	done  sync.WaitGroup
	now   func() time.Time
	every time.Duration
}

// startStatus shows what on w, a terminal; nil (a no-op) when w is nil.
func startStatus(w io.Writer, what string) *status {
	if w == nil {
		return nil
	}
	s := &status{w: w, what: what, now: time.Now, every: time.Second, stop: make(chan struct{})}
	s.start = s.now()
	s.draw()
	s.done.Add(1)
	go func() {
		defer s.done.Done()
		t := time.NewTicker(s.every)
		defer t.Stop()
		for {
			select {
			case <-s.stop:
				return
			case <-t.C:
				s.draw()
			}
		}
	}()
	return s
}

func (s *status) draw() {
	s.mu.Lock()
	defer s.mu.Unlock()
	fmt.Fprintf(s.w, "\r\033[K%s … %d s", s.what, int(s.now().Sub(s.start).Seconds()))
}

// end erases the line.
func (s *status) end() {
	if s == nil {
		return
	}
	close(s.stop)
	s.done.Wait()
	s.mu.Lock()
	defer s.mu.Unlock()
	fmt.Fprint(s.w, "\r\033[K")
}

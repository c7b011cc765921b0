package cli

import (
	"fmt"
	"io"
	"time"
)

// status is a line on a terminal that says what runs and for how long,
// redrawn every second until stopped (and then erased): verify's dynamic
// check can build its probe for a while on a cold cache.
type status struct {
	w          io.Writer
	stop, done chan struct{}
}

// startStatus shows what on w, a terminal; nil (a no-op) when w is nil.
// Only its goroutine draws the line until end has stopped it.
func startStatus(w io.Writer, what string) *status {
	if w == nil {
		return nil
	}
	s := &status{w: w, stop: make(chan struct{}), done: make(chan struct{})}
	start := time.Now()
	draw := func() { fmt.Fprintf(w, "\r\033[K%s … %d s", what, int(time.Since(start).Seconds())) }
	draw()
	go func() {
		defer close(s.done)
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-s.stop:
				return
			case <-t.C:
				draw()
			}
		}
	}()
	return s
}

// end erases the line.
func (s *status) end() {
	if s == nil {
		return
	}
	close(s.stop)
	<-s.done
	fmt.Fprint(s.w, "\r\033[K")
}

package cli

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// handlerDelay is how long a command runs before Interruptible installs
// its handler.
const handlerDelay = 5 * time.Millisecond

// handlerInstalled is called once the handler is in place (for tests).
var handlerInstalled = func() {}

// Interruptible returns a context cancelled by SIGINT or SIGTERM, and the
// function that releases it. The handler is installed handlerDelay after
// the call, off the caller's goroutine, and not at all by a command that
// ends before: os/signal starts a thread of its own for its signal loop
// and hands it every signal to enable, which cost a command about 0.45 ms
// when main waited for it, and still 0.17-0.28 ms on another goroutine
// (pluginctl version 3.28 ms; verify --static on ten remembered plugins
// 5.94 -> 5.66 ms without it). A command that short has nothing to
// interrupt: a signal in its first milliseconds ends the process, as one
// that comes before main does.
func Interruptible(parent context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(parent)
	time.AfterFunc(handlerDelay, func() {
		if ctx.Err() != nil {
			return
		}
		ch := make(chan os.Signal, 1)
		signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
		defer signal.Stop(ch)
		handlerInstalled()
		select {
		case <-ch:
			cancel()
		case <-ctx.Done():
		}
	})
	return ctx, cancel
}

package cli

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

// Interruptible returns a context cancelled by SIGINT or SIGTERM, and the
// function that releases it. The handler is installed off the caller's
// path: os/signal starts a thread of its own for its signal loop, which
// cost every command about 0.4 ms of its start when main waited for it
// (a short command such as verify --static takes a few ms). A signal that
// comes before the handler is in place ends the process, as one that
// comes before main does.
func Interruptible(parent context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(parent)
	go func() {
		ch := make(chan os.Signal, 1)
		signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
		defer signal.Stop(ch)
		select {
		case <-ch:
			cancel()
		case <-ctx.Done():
		}
	}()
	return ctx, cancel
}

package cli

import (
	"context"
	"os"
	"syscall"
	"testing"
	"time"
)

// TestInterruptible: once installed, the handler turns SIGTERM into a
// cancelled context (the process lives on); a command that ends within
// handlerDelay never installs it.
func TestInterruptible(t *testing.T) {
	installed := make(chan struct{}, 2)
	handlerInstalled = func() { installed <- struct{}{} }
	defer func() { handlerInstalled = func() {} }()

	_, stop := Interruptible(context.Background())
	stop()
	time.Sleep(2 * handlerDelay)
	select {
	case <-installed:
		t.Fatal("a command that ended at once installed the handler")
	default:
	}

	ctx, stop := Interruptible(context.Background())
	defer stop()
	select {
	case <-installed:
	case <-time.After(10 * time.Second):
		t.Fatal("the handler was not installed")
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ctx.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("SIGTERM did not cancel the context")
	}
}

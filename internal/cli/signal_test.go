package cli

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"
)

// TestInterruptible: the first SIGTERM cancels the context (the process
// lives on); a second one ends the process (run in a child, the test
// binary itself).
func TestInterruptible(t *testing.T) {
	if os.Getenv("PLUGINCTL_TEST_SIGNAL_CHILD") == "1" {
		ctx, stop := Interruptible(context.Background())
		defer stop()
		syscall.Kill(os.Getpid(), syscall.SIGTERM)
		<-ctx.Done()
		syscall.Kill(os.Getpid(), syscall.SIGTERM)
		time.Sleep(10 * time.Second)
		os.Exit(0) // the second signal was swallowed
	}

	ctx, stop := Interruptible(context.Background())
	defer stop()
	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ctx.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("SIGTERM did not cancel the context")
	}

	cmd := exec.Command(os.Args[0], "-test.run=^TestInterruptible$")
	cmd.Env = append(os.Environ(), "PLUGINCTL_TEST_SIGNAL_CHILD=1")
	err := cmd.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		t.Fatalf("the child survived a second SIGTERM: %v", err)
	}
	if ws, ok := exit.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGTERM {
		t.Errorf("the child ended with %v, not killed by the second SIGTERM", err)
	}
}

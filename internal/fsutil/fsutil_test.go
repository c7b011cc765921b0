package fsutil

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

func TestOpenRegularNeverBlocks(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	zero := filepath.Join(dir, "zero")
	if err := os.Symlink("/dev/zero", zero); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		path, kind string
	}{
		{fifo, "a named pipe (FIFO)"},
		{zero, "a character device"},
		{dir, "a directory"},
	} {
		done := make(chan error, 1)
		go func() { _, err := ReadRegular(tc.path, 1<<20); done <- err }()
		select {
		case err := <-done:
			var nr *NotRegularError
			if !errors.As(err, &nr) || Describe(nr.Mode) != tc.kind {
				t.Errorf("ReadRegular(%s) = %v, want a NotRegularError for %s", tc.path, err, tc.kind)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("ReadRegular(%s) blocked", tc.path)
		}
	}
	big := filepath.Join(dir, "big")
	if err := os.WriteFile(big, make([]byte, 1025), 0o644); err != nil {
		t.Fatal(err)
	}
	var tl *TooLargeError
	if _, err := ReadRegular(big, 1024); !errors.As(err, &tl) {
		t.Errorf("ReadRegular of 1025 bytes with limit 1024 = %v, want a TooLargeError", err)
	}
	if data, err := ReadRegular(big, 1025); err != nil || len(data) != 1025 {
		t.Errorf("ReadRegular at the limit = %d bytes, %v", len(data), err)
	}
}

func TestCheckReplaceable(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	os.WriteFile(file, nil, 0o644)
	link := filepath.Join(dir, "link")
	os.Symlink(file, link)
	fifo := filepath.Join(dir, "fifo")
	syscall.Mkfifo(fifo, 0o644)
	for _, tc := range []struct {
		path string
		ok   bool
	}{
		{filepath.Join(dir, "new"), true},
		{file, true},
		{link, false},
		{fifo, false},
		{dir, false},
		{"/dev/null", false},
	} {
		if err := CheckReplaceable(tc.path); (err == nil) != tc.ok {
			t.Errorf("CheckReplaceable(%s) = %v, want ok=%v", tc.path, err, tc.ok)
		}
	}
}

// TestCloneIsIndependent: unlike a hard link, a clone does not change
// when the original is written in place.
func TestCloneIsIndependent(t *testing.T) {
	dir := t.TempDir()
	src, dst := filepath.Join(dir, "src"), filepath.Join(dir, "dst")
	if err := os.WriteFile(src, []byte("original contents"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, []byte("to be replaced"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Clone(src, dst); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(src, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteAt([]byte("CHANGED"), 0)
	f.Close()
	got, _ := os.ReadFile(dst)
	if !bytes.Equal(got, []byte("original contents")) {
		t.Errorf("clone reads %q after the source was written in place", got)
	}
	if fi, _ := os.Stat(dst); fi.Mode().Perm() != 0o755 {
		t.Errorf("clone mode %v, want the source's 0755", fi.Mode().Perm())
	}
	if m, _ := filepath.Glob(filepath.Join(dir, ".dst.tmp*")); len(m) > 0 {
		t.Errorf("temporary files left: %v", m)
	}
}

// TestReadRegularModTime: ReadRegularModTime returns what os reads and stats,
// empty files included; a missing file is os's not-exist error.
func TestReadRegularModTime(t *testing.T) {
	dir := t.TempDir()
	for _, content := range [][]byte{nil, []byte("x"), bytes.Repeat([]byte("ab\n"), 5000)} {
		p := filepath.Join(dir, "f")
		if err := os.WriteFile(p, content, 0o644); err != nil {
			t.Fatal(err)
		}
		when := time.Date(2026, 1, 2, 3, 4, 5, 6789, time.UTC)
		if err := os.Chtimes(p, when, when); err != nil {
			t.Fatal(err)
		}
		data, mod, err := ReadRegularModTime(p, 1<<20)
		if err != nil || !bytes.Equal(data, content) || !mod.Equal(when) {
			t.Errorf("%d bytes: read %d bytes, modified %v, %v; want %v", len(content), len(data), mod, err, when)
		}
	}
	if _, _, err := ReadRegularModTime(filepath.Join(dir, "missing"), 1024); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

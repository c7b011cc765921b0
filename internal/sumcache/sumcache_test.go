package sumcache

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestCache(t *testing.T) {
	c := Cache{Dir: t.TempDir()}
	f := filepath.Join(t.TempDir(), "a.so")
	os.WriteFile(f, []byte("one"), 0o644)
	if _, _, ok := c.Lookup(f); ok {
		t.Fatal("hit before Put")
	}
	c.Put(f, "0000000000000000000000000000000000000000000000000000000000000001")
	if sum, _, ok := c.Lookup(f); !ok || sum[63] != '1' {
		t.Fatalf("Get after Put = %q, %v", sum, ok)
	}
	// Rewriting the file, even with the same size and modification
	// time, changes its change time: the remembered sum is not used.
	fi, _ := os.Stat(f)
	time.Sleep(10 * time.Millisecond)
	os.WriteFile(f, []byte("two"), 0o644)
	os.Chtimes(f, fi.ModTime(), fi.ModTime())
	if _, _, ok := c.Lookup(f); ok {
		t.Error("hit after the file was rewritten")
	}
	// A file replaced by another one (a new inode) misses too.
	c.Put(f, "0000000000000000000000000000000000000000000000000000000000000002")
	g := filepath.Join(filepath.Dir(f), "b.so")
	os.WriteFile(g, []byte("two"), 0o644)
	os.Rename(g, f)
	if _, _, ok := c.Lookup(f); ok {
		t.Error("hit after the file was replaced")
	}
	if _, _, ok := (Cache{}).Lookup(f); ok {
		t.Error("the zero Cache remembers")
	}
}

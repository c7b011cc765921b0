package artifact

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pluginctl/pluginctl/internal/sumcache"
)

// TestCache: a file read before is answered from the cache, with the same
// facts as a fresh reading, without its contents; a question not answered
// before reads the file again; a rewritten file is read afresh.
func TestCache(t *testing.T) {
	fx, c, plugin := newCache(t)

	fresh, err := Read(plugin)
	if err != nil {
		t.Fatal(err)
	}
	first, err := c.Read(plugin)
	if err != nil {
		t.Fatal(err)
	}
	if first.cached {
		t.Fatal("answered from an empty cache")
	}
	wantType, _ := fresh.SymbolType("Make")
	wantVersion, _ := fresh.StringVar("APIVersion")
	_, wantMissing := fresh.SymbolType("Nothing")
	if got, _ := first.SymbolType("Make"); got != wantType || got == "" {
		t.Fatalf("SymbolType(Make) = %q, want %q", got, wantType)
	}
	first.SymbolType("Nothing")
	if _, err := first.Libc(); err != nil {
		t.Fatal(err)
	}
	c.Save(first)

	second, err := c.Read(plugin)
	if err != nil {
		t.Fatal(err)
	}
	if !second.cached || second.data != nil {
		t.Fatalf("not answered from the cache (cached %v, contents read %v)", second.cached, second.data != nil)
	}
	if a, b := exported(t, fresh), exported(t, second); a != b {
		t.Errorf("cached facts differ from a fresh reading:\n%s\n%s", a, b)
	}
	if second.SHA256() != fresh.SHA256() {
		t.Errorf("SHA256 = %s, want %s", second.SHA256(), fresh.SHA256())
	}
	if got, _ := second.SymbolType("Make"); got != wantType {
		t.Errorf("cached SymbolType(Make) = %q, want %q", got, wantType)
	}
	if _, err := second.SymbolType("Nothing"); err == nil || err.Error() != wantMissing.Error() {
		t.Errorf("cached SymbolType(Nothing) error = %v, want %v", err, wantMissing)
	}
	if l, err := second.Libc(); err != nil || l.GlibcMax == "" && len(l.Needed) == 0 {
		t.Errorf("cached Libc = %+v, %v", l, err)
	}
	if second.data != nil {
		t.Fatal("a remembered answer read the file")
	}
	// A question not asked before reads the file again.
	if got, err := second.StringVar("APIVersion"); err != nil || got != wantVersion {
		t.Errorf("StringVar(APIVersion) = %q, %v, want %q", got, err, wantVersion)
	}
	if second.data == nil {
		t.Error("StringVar answered without the file")
	}
	c.Save(second)
	if third, _ := c.Read(plugin); third.data != nil {
		t.Error("not answered from the cache after the second Save")
	} else if got, _ := third.StringVar("APIVersion"); got != wantVersion || third.data != nil {
		t.Errorf("StringVar(APIVersion) = %q from the cache (read again: %v)", got, third.data != nil)
	}

	// The same path, other contents: read afresh.
	copyFile(t, fx.PluginNoDWARF, plugin)
	other, err := c.Read(plugin)
	if err != nil {
		t.Fatal(err)
	}
	if other.cached || other.HasDWARF {
		t.Fatalf("a rewritten file was answered from the cache (DWARF %v)", other.HasDWARF)
	}
	if _, err := other.SymbolType("Make"); !errors.Is(err, ErrNoDWARF) {
		t.Errorf("SymbolType without DWARF: %v", err)
	}
	c.Save(other)
	again, _ := c.Read(plugin)
	if _, err := again.SymbolType("Make"); !again.cached || !errors.Is(err, ErrNoDWARF) {
		t.Errorf("cached SymbolType without DWARF: %v (cached %v)", err, again.cached)
	}

	// A cached File whose file changed under it refuses to answer from
	// the other contents.
	copyFile(t, fx.Plugin, plugin)
	c.Save(readCached(t, c, plugin))
	f := readCached(t, c, plugin)
	copyFile(t, fx.PluginTrim, plugin)
	if _, err := f.StringVar("Other"); err == nil {
		t.Error("a changed file answered a cached File's question")
	}
}

// newCache returns the fixtures, an empty Cache and a copy of the fixture
// plugin to read through it.
func newCache(t *testing.T) (*fixtureSet, Cache, string) {
	t.Helper()
	fx := fixtures(t)
	dir := t.TempDir()
	c := Cache{Dir: filepath.Join(dir, "facts"), Sums: sumcache.Cache{Dir: filepath.Join(dir, "sums")}}
	plugin := filepath.Join(dir, "p.so")
	copyFile(t, fx.Plugin, plugin)
	return fx, c, plugin
}

func readCached(t *testing.T, c Cache, path string) *File {
	t.Helper()
	f, err := c.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func copyFile(t testing.TB, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	tmp := to + ".tmp"
	if err := os.WriteFile(tmp, data, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, to); err != nil {
		t.Fatal(err)
	}
}

// exported renders what Read found, for comparison.
func exported(t *testing.T, f *File) string {
	b, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	json.Unmarshal(b, &m)
	delete(m, "Path")
	b, _ = json.Marshal(m)
	return string(b)
}

// TestCachePrime: what a writer of the file primes answers the questions
// verify asks without reading the file.
func TestCachePrime(t *testing.T) {
	_, c, plugin := newCache(t)
	data, err := os.ReadFile(plugin)
	if err != nil {
		t.Fatal(err)
	}
	fresh, err := ReadBytes(plugin, data)
	if err != nil {
		t.Fatal(err)
	}
	c.Prime("staged/p.so", fresh.SHA256(), data)
	c.Sums.Put(plugin, fresh.SHA256())
	f := readCached(t, c, plugin)
	if !f.cached {
		t.Fatal("a primed file was read")
	}
	for _, name := range fresh.SortedExports() {
		want, wantErr := fresh.SymbolType(name)
		got, err := f.SymbolType(name)
		if got != want || (err == nil) != (wantErr == nil) {
			t.Errorf("SymbolType(%s) = %q, %v; want %q, %v", name, got, err, want, wantErr)
		}
	}
	if got, err := f.StringVar("APIVersion"); err != nil || got != "v1" {
		t.Errorf("StringVar(APIVersion) = %q, %v", got, err)
	}
	if _, err := f.Libc(); err != nil {
		t.Error(err)
	}
	if f.data != nil {
		t.Error("a primed answer read the file")
	}
}

// TestCacheTrim: entries unused for trimAge go when a Save finds the last
// trim older than trimInterval; an entry used is marked used.
func TestCacheTrim(t *testing.T) {
	_, c, plugin := newCache(t)
	old := time.Now().Add(-trimAge - time.Hour)
	stale := filepath.Join(c.Dir, "ab", strings.Repeat("ab", 32)+"-"+toolKey())
	if err := os.MkdirAll(filepath.Dir(stale), 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(stale, []byte("{}"), 0o644)
	os.Chtimes(stale, old, old)
	stamp := filepath.Join(c.Dir, "trim.txt")
	os.WriteFile(stamp, nil, 0o644)
	os.Chtimes(stamp, old, old)

	c.Save(readCached(t, c, plugin))
	if _, err := os.Stat(stale); err == nil {
		t.Error("an entry unused for longer than trimAge was kept")
	}
	// The entry just written is used: reading it marks it so.
	f := readCached(t, c, plugin)
	entry := c.path(f.SHA256())
	os.Chtimes(entry, old, old)
	if g := readCached(t, c, plugin); !g.cached {
		t.Fatal("not answered from the cache")
	}
	if fi, err := os.Stat(entry); err != nil || time.Since(fi.ModTime()) > time.Minute {
		t.Errorf("a used entry was not marked used (%v)", err)
	}
}

// TestCacheSum: Sum is the file's SHA-256 however the file was read
// (from the facts cache, or its bytes).
func TestCacheSum(t *testing.T) {
	_, c, plugin := newCache(t)
	data, err := os.ReadFile(plugin)
	if err != nil {
		t.Fatal(err)
	}
	want := hex.EncodeToString(sha256Of(data))
	for _, tc := range []struct {
		name string
		c    Cache
	}{
		{"facts", c},
		{"sums only", Cache{Sums: c.Sums}},
		{"nothing", Cache{}},
	} {
		for round := range 2 { // the second round is answered from what the first remembered
			f := readCached(t, tc.c, plugin)
			if got := tc.c.Sum(f); got != want {
				t.Errorf("%s, round %d: Sum = %s, want %s", tc.name, round, got, want)
			}
			tc.c.Save(f)
		}
	}
	// A file rewritten in place has a new sum.
	if err := os.WriteFile(plugin, append(data, 0), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := c.Sum(readCached(t, c, plugin)); got == want {
		t.Errorf("Sum of a rewritten file = %s, the old sum", got)
	}
}

func sha256Of(b []byte) []byte {
	s := sha256.Sum256(b)
	return s[:]
}

// TestCacheRemembered: Remembered answers only what a Read saved, for the
// file as it is now, and never parses the file itself.
func TestCacheRemembered(t *testing.T) {
	_, c, plugin := newCache(t)
	if _, ok := c.Remembered(plugin); ok {
		t.Fatal("remembered before any Read")
	}
	f := readCached(t, c, plugin)
	c.Save(f)
	g, ok := c.Remembered(plugin)
	if !ok || !g.cached || g.Path != plugin || g.SHA256() != f.SHA256() || g.PluginPath != f.PluginPath {
		t.Fatalf("after Save: Remembered = %+v, %v", g, ok)
	}
	// Rewritten in place (new identity): no longer remembered.
	data, err := os.ReadFile(plugin)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(plugin, append(data, 0), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, ok := c.Remembered(plugin); ok {
		t.Error("a rewritten file is still remembered")
	}
	if _, ok := (Cache{Sums: c.Sums}).Remembered(plugin); ok {
		t.Error("a cache without a facts directory remembered a file")
	}
}

// TestCacheForgedSum: a file replaced by another, with a forged entry of
// the sums cache that gives it the old file's SHA-256 (what a plugin run
// without a sandbox could write), is not answered with the old file's
// facts: the sum is the new bytes'.
func TestCacheForgedSum(t *testing.T) {
	_, c, plugin := newCache(t)
	f := readCached(t, c, plugin)
	c.Save(f)
	old := f.SHA256()
	data, err := os.ReadFile(plugin)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(plugin, data[:len(data)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	c.Sums.Put(plugin, old) // the forged entry, for the new file's identity
	if got, _, ok := c.Sums.Lookup(plugin); !ok || got != old {
		t.Fatalf("the forged entry is not in place: %q %v", got, ok)
	}
	if g, ok := c.Remembered(plugin); ok {
		t.Fatalf("the replaced file is answered with the old file's facts (%s)", g.SHA256())
	}
	if _, err := c.Read(plugin); err == nil {
		t.Error("the truncated plugin reads as a plugin")
	}
}

// BenchmarkCacheLoad reads one remembered plugin back from the cache:
// what the static check pays per artifact it saw before.
func BenchmarkCacheLoad(b *testing.B) {
	fx := fixtures(b)
	dir := b.TempDir()
	c := Cache{Dir: filepath.Join(dir, "facts"), Sums: sumcache.Cache{Dir: filepath.Join(dir, "sums")}}
	plugin := filepath.Join(dir, "p.so")
	copyFile(b, fx.Plugin, plugin)
	f, err := c.Read(plugin)
	if err != nil {
		b.Fatal(err)
	}
	c.Save(f)
	b.ResetTimer()
	for range b.N {
		if f, err := c.Read(plugin); err != nil || !f.cached {
			b.Fatalf("not answered from the cache: %v", err)
		}
	}
}

// TestCacheRememberedNeverBlocks: a named pipe in an artifact's place is
// not opened for reading (which would wait for a writer).
func TestCacheRememberedNeverBlocks(t *testing.T) {
	_, c, _ := newCache(t)
	pipe := filepath.Join(t.TempDir(), "pipe.so")
	if err := syscall.Mkfifo(pipe, 0o644); err != nil {
		t.Skip(err)
	}
	done := make(chan bool)
	go func() {
		_, ok := c.Remembered(pipe)
		done <- ok
	}()
	select {
	case ok := <-done:
		if ok {
			t.Error("a named pipe is remembered")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Remembered blocks on a named pipe")
	}
}

package artifact

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/pluginctl/pluginctl/internal/cachedir"
	"github.com/pluginctl/pluginctl/internal/fsutil"
	"github.com/pluginctl/pluginctl/internal/sumcache"
)

// Cache remembers what was read from a file by the file's SHA-256, as
// the go command's build cache remembers what it compiled: what Read finds
// in a file, and the answers of its lazy readers (SymbolType, StringVar,
// Libc), are a function of its bytes alone. The SHA-256 itself is always
// computed from the file's bytes (milliseconds for a plugin), never taken
// from Sums: an entry of Sums is only as trustworthy as whatever could
// write it, and a file that changed must never pass on the verdict of
// its old contents. An artifact checked before is not parsed again, and
// a rewritten or replaced one always is. Entries are keyed by
// the pluginctl binary too (version.ToolID), so that a new pluginctl
// reads every file afresh. The zero Cache remembers nothing.
type Cache struct {
	Dir  string
	Sums sumcache.Cache
	// Written answers for the files this process wrote and read already
	// (pluginctl build's artifacts, checked in the same run), from
	// memory: nothing written is read back.
	Written Written
}

// Written is what was read from files this process wrote (see Prime), by
// absolute path.
type Written map[string]Fact

// Fact is what was read from one file: its identity when it was read
// (sumcache.Identity: any write changes it, and the file is read again),
// its SHA-256 and the cache entry of its facts.
type Fact struct {
	ID, Sum string
	entry   []byte
}

// Add records the file at path, whose facts f are (from Prime), as it is
// now.
func (w Written) Add(path string, f Fact) {
	abs, err := filepath.Abs(path)
	if id, ok := sumcache.Identity(abs); err == nil && ok && f.entry != nil {
		f.ID = id
		w[abs] = f
	}
}

// lookup returns the file at path when it is one of w, unchanged.
func (w Written) lookup(path string) (Fact, bool) {
	if len(w) == 0 {
		return Fact{}, false
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return Fact{}, false
	}
	f, ok := w[abs]
	if id, known := sumcache.Identity(abs); !ok || !known || id != f.ID {
		return Fact{}, false
	}
	return f, true
}

// maxEntry bounds a cache entry read back: real ones are a few KB.
const maxEntry = 8 << 20

// Entries not used for trimAge are removed, at most once per
// trimInterval, as the go command trims its build cache; an entry used is
// marked so at most once per cachedir.TouchAfter (cachedir.ReadEntry).
const (
	trimAge      = 5 * 24 * time.Hour
	trimInterval = 24 * time.Hour
)

// toolKey is the part of an entry's name that identifies the binary.
var toolKey = sync.OnceValue(func() string { return cachedir.Key("artifact-facts/v5") })

// facts are the answers of a File's lazy readers, by symbol name.
type facts struct {
	Types   map[string]answer
	Strings map[string]answer
	Libc    *Libc
}

// answer is a lazy reader's result: a value or an error.
type answer struct {
	Value   string
	Err     string
	NoDWARF bool // the error is ErrNoDWARF
}

func (a answer) result() (string, error) {
	switch {
	case a.NoDWARF:
		return "", ErrNoDWARF
	case a.Err != "":
		return "", errors.New(a.Err)
	}
	return a.Value, nil
}

func answerOf(v string, err error) answer {
	if err == nil {
		return answer{Value: v}
	}
	return answer{Err: err.Error(), NoDWARF: errors.Is(err, ErrNoDWARF)}
}

// rereadError is a failure to read a cached file's contents again.
type rereadError struct{ err error }

func (e *rereadError) Error() string { return e.err.Error() }
func (e *rereadError) Unwrap() error { return e.err }

func (c Cache) path(sum string) string {
	return filepath.Join(c.Dir, sum[:2], sum+"-"+toolKey())
}

// Read is Read, answered from the cache when the file at path is one
// read before.
func (c Cache) Read(path string) (*File, error) {
	if f, ok := c.Remembered(path); ok {
		return f, nil
	}
	return c.ReadFresh(path)
}

// ReadFresh is Read for a file Remembered did not answer: it reads the
// file without asking the cache again, and remembers its checksum.
func (c Cache) ReadFresh(path string) (*File, error) {
	if c.Dir == "" {
		return Read(path)
	}
	id, known := sumcache.Identity(path) // before reading: see PutAs
	f, err := Read(path)
	if err != nil {
		return nil, err
	}
	f.cache = &c
	if known {
		c.Sums.PutAs(path, id, f.SHA256())
	}
	return f, nil
}

// Remembered is Read answered from the cache: false when the file at
// path, as its bytes are now (hashed), was not read before (or c keeps
// no facts).
func (c Cache) Remembered(path string) (*File, bool) {
	if w, ok := c.Written.lookup(path); ok {
		f := c.decode(path, w.Sum, w.entry)
		return f, f != nil
	}
	if c.Dir == "" {
		return nil, false
	}
	sum, ok := hashFile(path)
	if !ok {
		return nil, false
	}
	f := c.load(path, sum)
	return f, f != nil
}

// hashFile returns the SHA-256 of the regular file at path (at most
// MaxSize bytes), opened without blocking (a named pipe is not).
func hashFile(path string) (string, bool) {
	f, fi, err := fsutil.OpenRegular(path)
	if err != nil {
		return "", false
	}
	defer f.Close()
	if fi.Size() > MaxSize {
		return "", false
	}
	h := sha256.New()
	if n, err := io.Copy(h, io.LimitReader(f, MaxSize+1)); err != nil || n > MaxSize {
		return "", false
	}
	return hex.EncodeToString(h.Sum(nil)), true
}

// Sum returns the SHA-256 of f, read with c.Read: from its bytes, or,
// when they were released before it was computed, from the file's.
func (c Cache) Sum(f *File) string {
	if s := f.SHA256(); s != "" {
		return s
	}
	s, _ := hashFile(f.Path)
	return s
}

func (c Cache) load(path, sum string) *File {
	data, ok := cachedir.ReadEntry(c.path(sum), maxEntry)
	if !ok {
		return nil
	}
	return c.decode(path, sum, data)
}

// decode is the File of path, whose SHA-256 is sum, from its cache entry.
func (c Cache) decode(path, sum string, data []byte) *File {
	f, fs, ok := decodeEntry(data)
	if !ok || f.Kind == "" {
		return nil
	}
	f.Path = path
	f.sum = sum
	f.sumOnce.Do(func() {})
	f.cache = &c
	f.cached = true
	f.facts = *fs
	if l := f.facts.Libc; l != nil {
		f.libcOnce.Do(func() {})
		f.libc = l
	}
	return f
}

// Save remembers f, read with c.Read, with what its lazy readers found so
// far; it writes only when there is something new. Errors are ignored: it
// is only a cache.
func (c Cache) Save(f *File) {
	if c.Dir == "" || f == nil || f.cache == nil {
		return
	}
	f.factsMu.Lock()
	defer f.factsMu.Unlock()
	if f.cached && !f.factsNew {
		return
	}
	sum := f.SHA256()
	if sum == "" {
		return
	}
	data := encodeEntry(f, &f.facts)
	if data == nil {
		return
	}
	dst := c.path(sum)
	if os.MkdirAll(filepath.Dir(dst), 0o755) != nil {
		return
	}
	if fsutil.WriteFileAtomic(dst, data, 0o644) == nil {
		f.cached, f.factsNew = true, false
		c.trim()
	}
}

// Prime reads the file whose contents are data and whose SHA-256 is sum,
// as a writer of the file (pluginctl build) knows them, with the answers
// verify asks for: every exported symbol's type, the value of every
// exported string variable, and the C-library needs; it remembers them
// (in Dir, unless they are there already) and returns them, for Written.
// name is used in errors only; nil data only looks them up in Dir.
func (c Cache) Prime(name, sum string, data []byte) Fact {
	if len(sum) != 64 {
		return Fact{}
	}
	if c.Dir != "" {
		if entry, ok := cachedir.ReadEntry(c.path(sum), maxEntry); ok {
			return Fact{Sum: sum, entry: entry}
		}
	}
	if data == nil {
		return Fact{}
	}
	f, err := ReadBytes(name, data)
	if err != nil {
		return Fact{}
	}
	f.sum = sum
	f.sumOnce.Do(func() {})
	f.cache = &c
	for _, n := range f.SortedExports() {
		if t, err := f.SymbolType(n); err == nil && t == "string" && f.Exported[n] == ExportVar {
			f.StringVar(n)
		}
	}
	f.Libc()
	entry := encodeEntry(f, &f.facts)
	c.Save(f)
	return Fact{Sum: sum, entry: entry}
}

// trimmed holds the cache directories trimmed by this process.
var trimmed sync.Map

// trim removes the entries not used for trimAge, when the last trim is
// older than trimInterval (the modification time of trim.txt).
func (c Cache) trim() {
	if _, done := trimmed.LoadOrStore(c.Dir, true); done {
		return
	}
	stamp := filepath.Join(c.Dir, "trim.txt")
	now := time.Now()
	if fi, err := os.Stat(stamp); err == nil && now.Sub(fi.ModTime()) < trimInterval {
		return
	}
	if os.WriteFile(stamp, nil, 0o644) != nil {
		return
	}
	dirs, _ := os.ReadDir(c.Dir)
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		sub := filepath.Join(c.Dir, d.Name())
		entries, _ := os.ReadDir(sub)
		for _, e := range entries {
			if fi, err := e.Info(); err == nil && now.Sub(fi.ModTime()) > trimAge {
				os.Remove(filepath.Join(sub, e.Name()))
			}
		}
	}
}

// remembered returns a lazy reader's cached answer.
func (f *File) remembered(m map[string]answer, name string) (answer, bool) {
	f.factsMu.Lock()
	defer f.factsMu.Unlock()
	a, ok := m[name]
	return a, ok
}

// remember records a lazy reader's answer, for Save.
func (f *File) remember(m *map[string]answer, name string, v string, err error) {
	var re *rereadError
	if errors.Is(err, ErrReleased) || errors.As(err, &re) {
		return // not an answer about the file's contents
	}
	f.factsMu.Lock()
	defer f.factsMu.Unlock()
	if *m == nil {
		*m = map[string]answer{}
	}
	(*m)[name] = answerOf(v, err)
	f.factsNew = true
}

// contents returns the file's bytes: read again from its path when the
// File came from a cache and a question was not answered there (the
// bytes must still have the remembered SHA-256).
func (f *File) contents() ([]byte, error) {
	f.dataMu.Lock()
	defer f.dataMu.Unlock()
	if f.data != nil || f.released || !f.cached {
		if f.data == nil {
			return nil, ErrReleased
		}
		return f.data, nil
	}
	g, err := Read(f.Path)
	if err != nil {
		return nil, &rereadError{err}
	}
	if g.SHA256() != f.sum {
		return nil, &rereadError{fmt.Errorf("%s changed while it was being checked", f.Path)}
	}
	f.data = g.data
	return f.data, nil
}

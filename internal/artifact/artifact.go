// Package artifact owns reading a built file back: everything pluginctl
// needs to know about a Go plugin (-buildmode=plugin) or a host program,
// found statically in the file's bytes without loading or executing it.
//
// Read classifies the file (plugin, Go executable, Go c-shared library, C
// shared library) and collects its target platform, Go build info, package
// fingerprints (the go:link.pkghashbytes.<pkg> symbols plugin.Open
// compares), plugin path, exported symbols, embedded pluginctl metadata and
// content hash. A file that is no ELF object pluginctl can use gives a
// *NotPluginError saying why. SymbolType reads DWARF only when asked.
// Cache (cache.go) remembers all of it by the file's content, so that a
// file read before is not read again.
//
// The package never panics on malformed input: every size it reads is
// bounded by the size of the file, and a panic inside the standard ELF
// parser becomes a *NotPluginError.
package artifact

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"debug/buildinfo"
	"debug/dwarf"
	"debug/elf"
	"encoding/hex"
	"errors"
	"fmt"
	"go/token"
	"io"
	"io/fs"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/pluginctl/pluginctl/internal/fsutil"
	"github.com/pluginctl/pluginctl/pluginapi/meta"
)

// MaxSize is the largest file Read accepts. Real plugins are a few MB.
const MaxSize = 1 << 30

// Hash is an 8-byte package hash (a fingerprint or a link hash). It is
// written as hex text, in JSON too.
type Hash [8]byte

func (h Hash) String() string { return hex.EncodeToString(h[:]) }

// MarshalText writes h as hex.
func (h Hash) MarshalText() ([]byte, error) { return []byte(h.String()), nil }

// UnmarshalText reads the hex MarshalText writes.
func (h *Hash) UnmarshalText(b []byte) error {
	if len(b) != 2*len(h) {
		return fmt.Errorf("package hash %q: not %d hex digits", b, 2*len(h))
	}
	_, err := hex.Decode(h[:], b)
	return err
}

// Kind is what a readable artifact is.
type Kind string

const (
	// KindPlugin is a Go plugin (-buildmode=plugin shared object).
	KindPlugin Kind = "plugin"
	// KindExecutable is a Go program (-buildmode=exe or pie).
	KindExecutable Kind = "executable"
	// KindCShared is a Go -buildmode=c-shared library.
	KindCShared Kind = "c-shared"
	// KindCLibrary is an ELF shared object without Go build info.
	KindCLibrary Kind = "c-library"
)

// ExportKind tells an exported function from an exported variable.
type ExportKind string

const (
	ExportFunc ExportKind = "func" // STT_FUNC: plugin.Lookup returns the func
	ExportVar  ExportKind = "var"  // STT_OBJECT: plugin.Lookup returns a pointer
)

// Target is a GOOS/GOARCH pair.
type Target struct {
	GOOS, GOARCH string
}

func (t Target) String() string {
	if t.GOOS == "" && t.GOARCH == "" {
		return ""
	}
	return t.GOOS + "/" + t.GOARCH
}

// NotPluginError reports a file that is not a usable Go plugin, and why.
type NotPluginError struct {
	Path   string
	Reason string
	// Mode is the file's type when it is not a regular file (a named
	// pipe, a device...), else 0.
	Mode fs.FileMode
}

func (e *NotPluginError) Error() string {
	if e.Path == "" {
		return "not a Go plugin: " + e.Reason
	}
	return e.Path + ": not a Go plugin: " + e.Reason
}

// File is what Read found in one artifact.
type File struct {
	// Path is the name the file was read under.
	Path string
	Kind Kind
	// Size is the file size in bytes (SHA256 hashes the contents).
	Size int64

	// ELFTarget is GOOS/GOARCH as the ELF header (machine, class, byte
	// order, OS ABI) tells them: best-effort, since Linux, Android and
	// others share OS ABI 0. BuildTarget is what the build info settings
	// say; empty without build info.
	ELFTarget   Target
	BuildTarget Target
	// ELFType is the ELF file type (ET_EXEC or ET_DYN).
	ELFType elf.Type
	// Machine, Class, ByteOrder and OSABI are the ELF header's fields, as
	// the dynamic loader compares them with the program's.
	Machine   elf.Machine
	Class     elf.Class
	ByteOrder elf.Data
	OSABI     elf.OSABI

	// BuildInfo is the Go build info; nil for a C library.
	BuildInfo *buildinfo.BuildInfo
	// BuildMode is the -buildmode build setting ("" if not recorded).
	BuildMode string

	// Fingerprints maps each package import path to the 8 bytes of its
	// go:link.pkghashbytes.<path> symbol: the package hash plugin.Open
	// compares between host and plugin. Read from .dynsym, or from
	// .symtab when there is no .dynsym. Empty for a host that does not
	// link package plugin with cgo.
	Fingerprints map[string]Hash
	// LinkHashes maps package paths to the go:link.pkgname.N /
	// go:link.pkglinkhash.N pairs of a plugin's .symtab: the hashes the
	// plugin was linked against (nil when stripped).
	LinkHashes map[string]Hash
	// LinkOrder are the packages of LinkHashes in the runtime's order
	// (go:link.pkgname.N by N): the linker's dependency order, each
	// package after those it imports, which is the order plugin.Open
	// compares fingerprints in (nil when stripped).
	LinkOrder []string

	// PluginPath is a plugin's plugin path: its main package's import
	// path, or plugin/unnamed-<sha1> when it was built from files.
	// PluginPathSource says where it was read: "symtab"
	// (go:link.thispluginpath), "buildinfo" or "fingerprints".
	PluginPath       string
	PluginPathSource string
	// Exported are a plugin's exported top-level Go symbols
	// (PluginPath.<Name> with an upper-case Name): what plugin.Lookup
	// finds. Methods and closures are not in it.
	Exported map[string]ExportKind

	// CSymbols are the C functions a file defines in .dynsym (from its
	// cgo code or C libraries linked in), without Go's and runtime/cgo's
	// own, each with a hash of its size and code (a definition that is
	// the same code in two files is harmless); nil without .symtab,
	// which tells Go's text apart. Plugins are opened RTLD_GLOBAL, so a name an
	// earlier plugin (or the host) defines first is the one every later
	// plugin calls.
	CSymbols map[string]Hash

	// Metadata is the pluginctl build metadata, nil if absent.
	Metadata *meta.Metadata

	// HasSymtab and HasDWARF tell whether .symtab and DWARF sections are
	// present (-ldflags=-s removes both, -w only DWARF).
	HasSymtab bool
	HasDWARF  bool
	// DWARFCompressed tells whether the DWARF is compressed (the
	// linker's default; -ldflags=-compressdwarf=false leaves it plain).
	DWARFCompressed bool

	data      []byte
	dataMu    sync.Mutex
	released  bool
	sumOnce   sync.Once
	libcOnce  sync.Once
	libc      *Libc
	libcErr   error
	sum       string
	dwarfOnce sync.Once
	dwarf     *dwarf.Data
	dwarfErr  error

	// cache is the Cache the file was read with (nil: none); cached
	// tells that it was answered from there, with what the lazy readers
	// had found (facts), and factsNew that they found more since.
	cache    *Cache
	cached   bool
	factsMu  sync.Mutex
	facts    facts
	factsNew bool
}

// Read reads the artifact at path. Errors about the file's contents are
// *NotPluginError; errors opening or reading it are returned wrapped.
func Read(path string) (*File, error) {
	// Opened without blocking (a named pipe has no writer to wait for)
	// and checked with fstat: what is read is what was checked.
	f, fi, err := fsutil.OpenRegular(path)
	if err != nil {
		var nr *fsutil.NotRegularError
		if errors.As(err, &nr) {
			if nr.Mode.IsDir() {
				return nil, &NotPluginError{Path: path, Reason: "is a directory"}
			}
			return nil, &NotPluginError{Path: path, Reason: "not a regular file: " + fsutil.Describe(nr.Mode), Mode: nr.Mode}
		}
		return nil, fmt.Errorf("reading artifact: %w", err)
	}
	defer f.Close()
	switch {
	case fi.Size() == 0:
		return nil, &NotPluginError{Path: path, Reason: "empty file"}
	case fi.Size() > MaxSize:
		return nil, &NotPluginError{Path: path, Reason: fmt.Sprintf("file too large (%d bytes, limit %d)", fi.Size(), MaxSize)}
	}
	// Read into a buffer of the size Stat saw (a file that grew since
	// grows it); never read more than MaxSize+1 bytes.
	var buf bytes.Buffer
	buf.Grow(int(fi.Size()) + bytes.MinRead)
	if _, err := buf.ReadFrom(io.LimitReader(f, MaxSize+1)); err != nil {
		return nil, fmt.Errorf("reading artifact %s: %w", path, err)
	}
	data := buf.Bytes()
	if len(data) > MaxSize {
		return nil, &NotPluginError{Path: path, Reason: fmt.Sprintf("file too large (limit %d bytes)", MaxSize)}
	}
	return ReadBytes(path, data)
}

// CheckPlugin returns nil for a plugin and a *NotPluginError naming the
// kind of any other file.
func (f *File) CheckPlugin() error {
	var reason string
	switch f.Kind {
	case KindPlugin:
		return nil
	case KindExecutable:
		reason = "a Go executable (-buildmode=" + cmp.Or(f.BuildMode, "exe") + "), not a plugin"
	case KindCShared:
		reason = "a Go c-shared library (-buildmode=c-shared), not a plugin"
	case KindCLibrary:
		reason = "a C shared library (ELF shared object without Go build info)"
	default:
		reason = "unknown kind " + string(f.Kind)
	}
	return &NotPluginError{Path: f.Path, Reason: reason}
}

// recoverPanics turns parser panics into errors. FuzzRead turns it off to
// see them.
var recoverPanics = true

// ReadBytes reads an artifact from its contents; name is used in errors
// and as File.Path. The File keeps data (SymbolType reads DWARF from it),
// so the caller must not modify it afterwards.
func ReadBytes(name string, data []byte) (f *File, err error) {
	defer func() {
		if !recoverPanics {
			return
		}
		if r := recover(); r != nil {
			f, err = nil, &NotPluginError{Path: name, Reason: fmt.Sprintf("malformed ELF (parser panic: %v)", r)}
		}
	}()
	return readBytes(name, data)
}

func readBytes(name string, data []byte) (*File, error) {
	notPlugin := func(format string, args ...any) error {
		return &NotPluginError{Path: name, Reason: fmt.Sprintf(format, args...)}
	}
	if len(data) == 0 {
		return nil, notPlugin("empty file")
	}
	if len(data) > MaxSize {
		return nil, notPlugin("file too large (%d bytes, limit %d)", len(data), MaxSize)
	}
	if reason := checkELFHeader(data); reason != "" {
		return nil, notPlugin("%s", reason)
	}
	ef, err := elf.NewFile(bytes.NewReader(data))
	if err != nil {
		return nil, notPlugin("malformed ELF: %v", err)
	}
	if reason := checkExtents(ef, len(data)); reason != "" {
		return nil, notPlugin("%s", reason)
	}

	f := &File{Path: name, Size: int64(len(data)), ELFType: ef.Type, data: data,
		Machine: ef.Machine, Class: ef.Class, ByteOrder: ef.Data, OSABI: ef.OSABI}
	f.ELFTarget = elfTarget(ef)
	for _, s := range ef.Sections {
		switch {
		case s.Type == elf.SHT_SYMTAB:
			f.HasSymtab = true
		case s.Name == ".debug_info" || s.Name == ".zdebug_info":
			f.HasDWARF = true
			f.DWARFCompressed = s.Flags&elf.SHF_COMPRESSED != 0 || s.Name == ".zdebug_info"
		}
	}

	switch ef.Type {
	case elf.ET_EXEC, elf.ET_DYN:
	case elf.ET_REL:
		return nil, notPlugin("an ELF relocatable object file (ET_REL), not a linked plugin")
	case elf.ET_CORE:
		return nil, notPlugin("an ELF core dump")
	default:
		return nil, notPlugin("ELF file of type %v, neither a shared object nor an executable", ef.Type)
	}

	bi, biErr := buildinfo.Read(bytes.NewReader(data))
	if biErr != nil {
		if ef.Section(".go.buildinfo") != nil {
			return nil, notPlugin("unreadable Go build info (%v)", biErr)
		}
		if ef.Type == elf.ET_DYN && (!hasInterp(ef) || hasSoname(ef)) {
			// A shared library; some (libc.so.6) can also be run.
			f.Kind = KindCLibrary
			f.Metadata = findMetadata(data)
			return f, nil
		}
		if ef.Type == elf.ET_DYN {
			return nil, notPlugin("an ELF executable (PIE) without Go build info (%v)", biErr)
		}
		return nil, notPlugin("an ELF executable without Go build info (%v)", biErr)
	}
	f.BuildInfo = bi
	for _, s := range bi.Settings {
		switch s.Key {
		case "-buildmode":
			f.BuildMode = s.Value
		case "GOOS":
			f.BuildTarget.GOOS = s.Value
		case "GOARCH":
			f.BuildTarget.GOARCH = s.Value
		}
	}

	dyn, dynErr := symbolTable(ef, data, elf.SHT_DYNSYM)
	sym, symErr := symbolTable(ef, data, elf.SHT_SYMTAB)
	if dynErr != nil {
		return nil, notPlugin("malformed ELF: reading .dynsym: %v", dynErr)
	}
	if symErr != nil {
		return nil, notPlugin("malformed ELF: reading .symtab: %v", symErr)
	}

	// .symtab: the plugin path and the plugin's link hashes.
	var thisPluginPath string
	var haveThisPluginPath bool
	var text goText // Go's text, for cSymbols
	if sym != nil {
		names := map[string]string{} // N -> package path
		hashes := map[string]Hash{}
		sym.each(func(s rawSym) {
			if !bytes.HasPrefix(s.name, []byte("go:link.")) {
				switch string(s.name) {
				case "runtime.text":
					text.lo = s.value
				case "runtime.etext":
					text.hi = s.value
				}
				return
			}
			rest := s.name[len("go:link."):]
			switch {
			case string(rest) == "thispluginpath":
				if b, ok := symData(ef, data, s); ok {
					thisPluginPath, haveThisPluginPath = string(b), true
				}
			case bytes.HasPrefix(rest, []byte("pkgname.")):
				if b, ok := symData(ef, data, s); ok {
					names[string(rest[len("pkgname."):])] = string(b)
				}
			case bytes.HasPrefix(rest, []byte("pkglinkhash.")):
				if b, ok := symData(ef, data, s); ok && len(b) == 8 {
					hashes[string(rest[len("pkglinkhash."):])] = Hash(b)
				}
			}
		})
		for n, h := range hashes {
			if p, ok := names[n]; ok {
				if f.LinkHashes == nil {
					f.LinkHashes = map[string]Hash{}
				}
				f.LinkHashes[p] = h
			}
		}
		f.LinkOrder = linkOrder(names)
	}

	// Fingerprints, from .dynsym or else .symtab.
	f.Fingerprints = map[string]Hash{}
	fpTab := dyn
	if fpTab == nil {
		fpTab = sym
	}
	if fpTab != nil {
		const prefix = "go:link.pkghashbytes."
		fpTab.each(func(s rawSym) {
			if !bytes.HasPrefix(s.name, []byte(prefix)) || s.shndx == uint16(elf.SHN_UNDEF) {
				return
			}
			if b, ok := symData(ef, data, s); ok && len(b) >= 8 {
				f.Fingerprints[string(s.name[len(prefix):])] = Hash(b[:8])
			}
		})
	}

	kind, reason := classify(ef, f.BuildMode, haveThisPluginPath)
	if reason != "" {
		return nil, notPlugin("%s", reason)
	}
	f.Kind = kind

	if f.Kind == KindPlugin {
		switch {
		case haveThisPluginPath && thisPluginPath != "":
			f.PluginPath, f.PluginPathSource = thisPluginPath, "symtab"
		case bi.Path != "" && bi.Path != "command-line-arguments":
			f.PluginPath, f.PluginPathSource = bi.Path, "buildinfo"
		default:
			// Built from files: the only plugin/unnamed-* package.
			var found []string
			for p := range f.Fingerprints {
				if strings.HasPrefix(p, "plugin/unnamed-") {
					found = append(found, p)
				}
			}
			if len(found) == 1 {
				f.PluginPath, f.PluginPathSource = found[0], "fingerprints"
			}
		}
		if f.PluginPath != "" {
			f.Exported = exports(fpTab, f.PluginPath)
		}
	}
	f.CSymbols = cSymbols(ef, data, dyn, text)
	f.Metadata = findMetadata(data)
	return f, nil
}

// classify decides the kind of a file with Go build info.
func classify(ef *elf.File, buildMode string, havePluginPath bool) (Kind, string) {
	switch buildMode {
	case "plugin":
		if ef.Type != elf.ET_DYN {
			return "", "inconsistent: build info says -buildmode=plugin but the ELF type is " + ef.Type.String()
		}
		return KindPlugin, ""
	case "c-shared":
		if ef.Type != elf.ET_DYN {
			return "", "inconsistent: build info says -buildmode=c-shared but the ELF type is " + ef.Type.String()
		}
		return KindCShared, ""
	case "exe", "pie":
		return KindExecutable, ""
	case "shared":
		return "", "a Go shared library (-buildmode=shared), not a plugin"
	case "":
		// Not recorded (Go before 1.18): guess from the ELF file.
		switch {
		case ef.Type == elf.ET_EXEC:
			return KindExecutable, ""
		case havePluginPath:
			return KindPlugin, ""
		case hasInterp(ef) && ef.Entry != 0:
			return KindExecutable, ""
		default:
			return KindCShared, ""
		}
	default:
		return "", "unexpected -buildmode=" + buildMode + " in the build info"
	}
}

// hasSoname reports whether the file names itself with DT_SONAME, as
// shared libraries do.
func hasSoname(ef *elf.File) bool {
	names, err := ef.DynString(elf.DT_SONAME)
	return err == nil && len(names) > 0
}

func hasInterp(ef *elf.File) bool {
	for _, p := range ef.Progs {
		if p.Type == elf.PT_INTERP {
			return true
		}
	}
	return false
}

// exports collects the exported top-level symbols of package path.
func exports(t *symTable, path string) map[string]ExportKind {
	out := map[string]ExportKind{}
	if t == nil {
		return out
	}
	prefix := []byte(path + ".")
	t.each(func(s rawSym) {
		if s.shndx == uint16(elf.SHN_UNDEF) || !bytes.HasPrefix(s.name, prefix) {
			return
		}
		if b := elf.ST_BIND(s.info); b != elf.STB_GLOBAL && b != elf.STB_WEAK {
			return
		}
		name := s.name[len(prefix):]
		if !isExportedIdent(name) {
			return
		}
		switch elf.ST_TYPE(s.info) {
		case elf.STT_FUNC:
			out[string(name)] = ExportFunc
		case elf.STT_OBJECT:
			out[string(name)] = ExportVar
		}
	})
	return out
}

// goText is the address range of Go's text: runtime.text to
// runtime.etext, from .symtab.
type goText struct{ lo, hi uint64 }

// cSymbols lists the defined global C functions of a
// dynamic symbol table, leaving out Go's symbols (with a dot, type:,
// go:) and those of runtime/cgo and the toolchain, which every cgo
// plugin and host has alike.
//
// Go's own text (its assembly too, such as crypto's p256IsZero, whose
// names have no dot) lies between runtime.text and runtime.etext, which
// .symtab gives: without .symtab (-ldflags=-s) nothing is listed.
func cSymbols(ef *elf.File, data []byte, t *symTable, text goText) map[string]Hash {
	lo, hi := text.lo, text.hi
	if t == nil || hi <= lo {
		return nil
	}
	var out map[string]Hash
	t.each(func(s rawSym) {
		if elf.ST_TYPE(s.info) != elf.STT_FUNC || lo <= s.value && s.value < hi {
			return
		}
		if s.shndx == uint16(elf.SHN_UNDEF) || bytes.IndexByte(s.name, '.') >= 0 {
			return
		}
		if b := elf.ST_BIND(s.info); b != elf.STB_GLOBAL && b != elf.STB_WEAK {
			return
		}
		if t := elf.ST_TYPE(s.info); t != elf.STT_FUNC && t != elf.STT_OBJECT {
			return
		}
		name := string(s.name)
		for _, p := range []string{"type:", "go:", "_cgo", "x_cgo", "xx_cgo", "crosscall", "x_crosscall", "expandAVX512", "__", "_init", "_fini", "_rt0", "darwin_arm_init"} {
			if strings.HasPrefix(name, p) {
				return
			}
		}
		if name == "fatalf" || name == "threadentry" || name == "_edata" || name == "_end" || name == "_IO_stdin_used" {
			return
		}
		h := sha256.New()
		fmt.Fprintf(h, "%d:%d:", elf.ST_TYPE(s.info), s.size)
		if b, ok := symData(ef, data, s); ok && elf.ST_TYPE(s.info) == elf.STT_FUNC {
			h.Write(b)
		}
		if out == nil {
			out = map[string]Hash{}
		}
		out[name] = Hash(h.Sum(nil)[:8])
	})
	return out
}

// isExportedIdent reports whether b is a Go identifier starting with an
// upper-case letter. Method (T.M, (*T).M), closure (F.func1) and generic
// instance (F[...]) symbols all fail it.
func isExportedIdent(b []byte) bool {
	return token.IsExported(string(b)) && token.IsIdentifier(string(b))
}

// SortedExports returns the names of f.Exported in order.
func (f *File) SortedExports() []string { return slices.Sorted(maps.Keys(f.Exported)) }

func findMetadata(data []byte) *meta.Metadata {
	m, _ := meta.Find(data)
	return m
}

// ErrNoDWARF is returned (wrapped) by SymbolType for a file without DWARF.
var ErrNoDWARF = errors.New("no DWARF debug info (stripped with -ldflags=-w or -s)")

// SHA256 returns the hex SHA-256 digest of the file's contents, computed
// on first use: most checks never need it.
func (f *File) SHA256() string {
	f.sumOnce.Do(func() {
		sum := sha256.Sum256(f.data)
		f.sum = hex.EncodeToString(sum[:])
	})
	return f.sum
}

// ErrReleased is returned by SymbolType and StringVar after Release.
var ErrReleased = errors.New("the file's contents were released")

// Release drops the file's contents and its decoded DWARF, keeping
// everything Read found (kind, build info, fingerprints, exports,
// metadata, and the SHA-256 if it was computed). Callers that examine many
// files call it once they have what they need, so that memory is bounded
// by the files being examined at once, not by all of them. Afterwards
// SymbolType and StringVar fail with ErrReleased and SHA256 returns the
// digest only if it had been computed.
func (f *File) Release() {
	f.dwarfOnce.Do(func() {})
	f.sumOnce.Do(func() {})
	f.dataMu.Lock()
	f.data, f.released = nil, true
	f.dataMu.Unlock()
	f.dwarf = nil
	if f.dwarfErr == nil {
		f.dwarfErr = ErrReleased
	}
}

// linkOrder orders the go:link.pkgname.N names by N.
func linkOrder(names map[string]string) []string {
	type item struct {
		n   int
		pkg string
	}
	var items []item
	for k, p := range names {
		n, err := strconv.Atoi(k)
		if err != nil || n < 0 {
			return nil
		}
		items = append(items, item{n, p})
	}
	if len(items) == 0 {
		return nil
	}
	sort.Slice(items, func(i, j int) bool { return items[i].n < items[j].n })
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.pkg
	}
	return out
}

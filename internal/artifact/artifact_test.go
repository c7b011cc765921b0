package artifact

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"errors"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

const fxPkg = "example.com/fx/plugin"

func mustRead(t *testing.T, path string) *File {
	t.Helper()
	f, err := Read(path)
	if err != nil {
		t.Fatalf("Read(%s): %v", path, err)
	}
	return f
}

func wantNotPlugin(t *testing.T, err error, reason string) {
	t.Helper()
	var npe *NotPluginError
	if !errors.As(err, &npe) {
		t.Fatalf("error = %v (%T), want *NotPluginError with reason containing %q", err, err, reason)
	}
	if !strings.Contains(npe.Reason, reason) {
		t.Fatalf("reason = %q, want it to contain %q", npe.Reason, reason)
	}
}

func writeTemp(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestReadKinds classifies every built fixture.
func TestReadKinds(t *testing.T) {
	fx := fixtures(t)
	tests := []struct {
		name      string
		path      string
		kind      Kind
		elfType   elf.Type
		buildMode string
		reason    string // Read fails with a NotPluginError containing it
		check     string // CheckPlugin reason
		target    Target // if not runtime.GOOS/GOARCH
	}{
		{name: "plugin", path: fx.Plugin, kind: KindPlugin, elfType: elf.ET_DYN, buildMode: "plugin"},
		{name: "plugin -s", path: fx.PluginStrip, kind: KindPlugin, elfType: elf.ET_DYN, buildMode: "plugin"},
		{name: "plugin from files", path: fx.PluginFiles, kind: KindPlugin, elfType: elf.ET_DYN, buildMode: "plugin"},
		{name: "executable", path: fx.Host, kind: KindExecutable, elfType: elf.ET_EXEC, buildMode: "exe", check: "a Go executable (-buildmode=exe), not a plugin"},
		{name: "pie", path: fx.HostPIE, kind: KindExecutable, elfType: elf.ET_DYN, buildMode: "pie", check: "a Go executable (-buildmode=pie), not a plugin"},
		{name: "static executable", path: fx.HostStatic, kind: KindExecutable, elfType: elf.ET_EXEC, buildMode: "exe", check: "a Go executable"},
		{name: "386", path: fx.Exe386, kind: KindExecutable, elfType: elf.ET_EXEC, buildMode: "exe", target: Target{"linux", "386"}, check: "a Go executable"},
		{name: "freebsd/arm64", path: fx.ExeFreeBSD, kind: KindExecutable, elfType: elf.ET_EXEC, buildMode: "exe", target: Target{"freebsd", "arm64"}, check: "a Go executable"},
		{name: "c-shared", path: fx.CShared, kind: KindCShared, elfType: elf.ET_DYN, buildMode: "c-shared", check: "a Go c-shared library (-buildmode=c-shared), not a plugin"},
		{name: "C library", path: fx.CLib, kind: KindCLibrary, elfType: elf.ET_DYN, check: "a C shared library (ELF shared object without Go build info)"},
		{name: "C executable", path: fx.CExe, reason: "an ELF executable (PIE) without Go build info"},
		{name: "directory", path: fx.Dir, reason: "is a directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Read(tt.path)
			if tt.reason != "" {
				wantNotPlugin(t, err, tt.reason)
				if f != nil {
					t.Errorf("File = %+v with the error, want nil", f)
				}
				return
			}
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			if f.Kind != tt.kind || f.ELFType != tt.elfType || f.BuildMode != tt.buildMode {
				t.Errorf("kind, ELF type, build mode = %s, %v, %q; want %s, %v, %q", f.Kind, f.ELFType, f.BuildMode, tt.kind, tt.elfType, tt.buildMode)
			}
			want := Target{runtime.GOOS, runtime.GOARCH}
			if tt.target != (Target{}) {
				want = tt.target
			}
			if f.ELFTarget != want {
				t.Errorf("ELFTarget = %v, want %v", f.ELFTarget, want)
			}
			if tt.kind == KindCLibrary {
				if f.BuildInfo != nil || f.BuildTarget != (Target{}) {
					t.Errorf("C library has build info %v / target %v", f.BuildInfo, f.BuildTarget)
				}
			} else if f.BuildTarget != want || f.BuildInfo == nil || f.BuildInfo.GoVersion != runtime.Version() {
				t.Errorf("BuildTarget = %v, build info %v; want %v, %s", f.BuildTarget, f.BuildInfo, want, runtime.Version())
			}
			size := fileSize(t, tt.path)
			if f.Size != size || len(f.SHA256()) != 64 {
				t.Errorf("Size = %d (file %d), SHA256 = %q", f.Size, size, f.SHA256())
			}
			err = f.CheckPlugin()
			if tt.check == "" {
				if err != nil {
					t.Errorf("CheckPlugin: %v", err)
				}
			} else {
				wantNotPlugin(t, err, tt.check)
			}
		})
	}
}

func fileSize(t *testing.T, p string) int64 {
	t.Helper()
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

// elfHeader64 returns a little-endian ELF64 header for x86-64 with the
// given program and section header tables.
func elfHeader64(typ elf.Type, phoff uint64, phnum uint16, shoff uint64, shnum uint16) []byte {
	h := make([]byte, 64)
	copy(h, elf.ELFMAG)
	h[elf.EI_CLASS] = byte(elf.ELFCLASS64)
	h[elf.EI_DATA] = byte(elf.ELFDATA2LSB)
	h[elf.EI_VERSION] = byte(elf.EV_CURRENT)
	le := binary.LittleEndian
	le.PutUint16(h[16:], uint16(typ))
	le.PutUint16(h[18:], uint16(elf.EM_X86_64))
	le.PutUint32(h[20:], uint32(elf.EV_CURRENT))
	le.PutUint64(h[32:], phoff)
	le.PutUint64(h[40:], shoff)
	le.PutUint16(h[52:], 64)
	le.PutUint16(h[54:], 56)
	le.PutUint16(h[56:], phnum)
	le.PutUint16(h[58:], 64)
	le.PutUint16(h[60:], shnum)
	return h
}

// TestReadBytesCheap covers what needs no build.
func TestReadBytesCheap(t *testing.T) {
	random := make([]byte, 4096)
	rand.NewChaCha8([32]byte{1}).Read(random)
	random[0] = 0x42
	tests := []struct {
		name   string
		data   []byte
		reason string
	}{
		{"empty", nil, "empty file"},
		{"random", random, "not an ELF file (starts with 42 "},
		{"PE", []byte("MZ\x90\x00\x03\x00\x00\x00\x04"), `not an ELF file (starts with 4d 5a 90 00 03 00 00 00 "MZ\x90\x00\x03\x00\x00\x00": a PE file (Windows))`},
		{"ar archive", []byte("!<arch>\n/               0"), "an ar archive"},
		{"script", []byte("#!/bin/sh\necho hi\n"), "a script"},
		{"Mach-O", []byte("\xcf\xfa\xed\xfe\x07\x00\x00\x01"), "a Mach-O file"},
		{"short", []byte("\x7fEL"), "not an ELF file"},
		{"magic only", []byte("\x7fELF"), "truncated ELF header (4 bytes)"},
		{"ident only", elfHeader64(elf.ET_DYN, 0, 0, 0, 0)[:16], "truncated ELF header (16 of 64 bytes)"},
		{"bad class", append([]byte("\x7fELF\x09"), make([]byte, 60)...), "unknown class 9"},
		{"section headers past EOF", elfHeader64(elf.ET_DYN, 0, 0, 1000, 3), "truncated ELF: the section header table (at byte 1000, 3 entries of 64 bytes) extends past the end of the file (64 bytes)"},
		{"program headers past EOF", elfHeader64(elf.ET_DYN, 64, 2, 0, 0), "truncated ELF: the program header table"},
		{"offset overflow", elfHeader64(elf.ET_DYN, 0, 0, 1<<64-64, 2), "truncated ELF: the section header table"},
		{"relocatable", elfHeader64(elf.ET_REL, 0, 0, 0, 0), "relocatable object"},
		{"core", elfHeader64(elf.ET_CORE, 0, 0, 0, 0), "core dump"},
		{"bare ET_DYN", elfHeader64(elf.ET_DYN, 0, 0, 0, 0), ""},
		{"bare ET_EXEC", elfHeader64(elf.ET_EXEC, 0, 0, 0, 0), "an ELF executable without Go build info"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := ReadBytes("x", tt.data)
			if tt.reason == "" {
				if err != nil || f.Kind != KindCLibrary {
					t.Fatalf("ReadBytes = %+v, %v; want a c-library", f, err)
				}
				return
			}
			wantNotPlugin(t, err, tt.reason)
			if want := "x: not a Go plugin: "; !strings.HasPrefix(err.Error(), want) {
				t.Errorf("error %q does not start with %q", err, want)
			}
		})
	}
}

func TestReadFileSystem(t *testing.T) {
	dir := t.TempDir()
	_, err := Read(dir)
	wantNotPlugin(t, err, "is a directory")

	_, err = Read(writeTemp(t, "empty.so", nil))
	wantNotPlugin(t, err, "empty file")

	_, err = Read(filepath.Join(dir, "missing.so"))
	var npe *NotPluginError
	if !errors.Is(err, fs.ErrNotExist) || errors.As(err, &npe) || !strings.HasPrefix(err.Error(), "reading artifact: ") {
		t.Errorf("missing file: %v, want a wrapped fs.ErrNotExist", err)
	}

	// A FIFO must not block Read.
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	done := make(chan error, 1)
	go func() { _, err := Read(fifo); done <- err }()
	select {
	case err := <-done:
		wantNotPlugin(t, err, "not a regular file")
	case <-time.After(10 * time.Second):
		t.Fatal("Read of a FIFO blocked")
	}
}

// TestTruncated cuts the plugin at several points.
func TestTruncated(t *testing.T) {
	fx := fixtures(t)
	data, err := os.ReadFile(fx.Plugin)
	if err != nil {
		t.Fatal(err)
	}
	for _, cut := range []int{1, 3, 10, 16, 40, 63, 64, 100, 4096, len(data) / 2, len(data) - 100, len(data) - 1} {
		_, err := ReadBytes("cut", data[:cut])
		switch {
		case cut < 4:
			wantNotPlugin(t, err, "not an ELF file")
		default:
			wantNotPlugin(t, err, "truncated ELF")
		}
	}
	// Also through the file system.
	_, err = Read(writeTemp(t, "half.so", data[:len(data)/2]))
	wantNotPlugin(t, err, "truncated ELF: the section header table")

	// Headers intact, one section moved past the end of the file.
	ef, err := elf.NewFile(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	shoff := binary.LittleEndian.Uint64(data[40:])
	idx := slices.IndexFunc(ef.Sections, func(s *elf.Section) bool { return s.Name == ".rodata" })
	moved := slices.Clone(data)
	binary.LittleEndian.PutUint64(moved[shoff+uint64(idx)*64+24:], uint64(len(data)-16)) // sh_offset
	_, err = ReadBytes("moved", moved)
	wantNotPlugin(t, err, "truncated ELF: section .rodata (bytes ")
}

// TestFingerprints checks the fingerprints against an independent reading
// with debug/elf and against what is known about how they change.
func TestFingerprints(t *testing.T) {
	fx := fixtures(t)
	base := mustRead(t, fx.Plugin)

	// Independent reading: debug/elf's symbol table and section reader.
	ef, err := elf.Open(fx.Plugin)
	if err != nil {
		t.Fatal(err)
	}
	defer ef.Close()
	syms, err := ef.DynamicSymbols()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]Hash{}
	for _, s := range syms {
		pkg, ok := strings.CutPrefix(s.Name, "go:link.pkghashbytes.")
		if !ok || s.Section == elf.SHN_UNDEF {
			continue
		}
		sec := ef.Sections[s.Section]
		var b [8]byte
		if _, err := sec.ReadAt(b[:], int64(s.Value-sec.Addr)); err != nil {
			t.Fatal(err)
		}
		want[pkg] = b
	}
	if len(want) < 30 || !mapsEqual(base.Fingerprints, want) {
		t.Fatalf("fingerprints differ from debug/elf's reading:\n got %d %v\nwant %d %v", len(base.Fingerprints), base.Fingerprints, len(want), want)
	}
	for _, p := range []string{"runtime", "internal/abi", "example.com/fx/api", fxPkg} {
		if _, ok := base.Fingerprints[p]; !ok {
			t.Errorf("no fingerprint for %s", p)
		}
	}
	// The plugin's own link hashes (.symtab) are the same values.
	if !mapsEqual(base.LinkHashes, base.Fingerprints) {
		t.Errorf("LinkHashes differ from Fingerprints: %v vs %v", base.LinkHashes, base.Fingerprints)
	}

	std := func(p string) bool { return !strings.Contains(strings.SplitN(p, "/", 2)[0], ".") }
	cases := []struct {
		name      string
		path      string
		same      bool     // identical fingerprints
		identical bool     // byte-identical file
		differ    []string // exactly these differ (when set)
		allDiffer bool     // every package differs
		stdDiffer []string // these std packages differ, and some more
	}{
		// Same sources, same directory, built again: byte-identical.
		{name: "rebuilt", path: fx.PluginAgain, same: true, identical: true},
		// The same sources in another directory: the absolute paths in
		// the export data change the module's packages, not std.
		{name: "other directory", path: fx.PluginOtherDir, differ: []string{"example.com/fx/api", fxPkg}},
		// Linker flags do not change fingerprints.
		{name: "-ldflags=-w", path: fx.PluginNoDWARF, same: true},
		{name: "-ldflags=-s", path: fx.PluginStrip, same: true},
		// -trimpath changes every package, std included.
		{name: "-trimpath", path: fx.PluginTrim, allDiffer: true},
		// -gcflags=all=-N -l changes many std packages.
		{name: "-N -l", path: fx.PluginNoOpt, stdDiffer: []string{"runtime", "internal/abi", "sync"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := mustRead(t, c.path)
			d := diffKeys(base.Fingerprints, f.Fingerprints)
			switch {
			case c.same:
				if len(d) != 0 {
					t.Errorf("fingerprints differ for %v", d)
				}
				if c.identical != (f.SHA256() == base.SHA256()) {
					t.Errorf("byte-identical = %v, want %v", f.SHA256() == base.SHA256(), c.identical)
				}
			case c.differ != nil:
				if !slices.Equal(d, c.differ) {
					t.Errorf("differing packages = %v, want %v", d, c.differ)
				}
			case c.allDiffer:
				if len(d) != len(base.Fingerprints) {
					t.Errorf("%d of %d packages differ: %v", len(d), len(base.Fingerprints), d)
				}
			default:
				var stdD []string
				for _, p := range d {
					if std(p) {
						stdD = append(stdD, p)
					}
				}
				for _, p := range c.stdDiffer {
					if !slices.Contains(stdD, p) {
						t.Errorf("%s did not change", p)
					}
				}
				if len(stdD) < 20 {
					t.Errorf("only %d std packages differ: %v", len(stdD), stdD)
				}
				if !hasSetting(f, "-gcflags", "all=-N -l") {
					t.Errorf("build info does not show -gcflags: %v", f.BuildInfo.Settings)
				}
			}
		})
	}

	// Built with -trimpath in two directories: byte-identical.
	a, b := mustRead(t, fx.PluginTrim), mustRead(t, fx.PluginTrimB)
	if !mapsEqual(a.Fingerprints, b.Fingerprints) || a.SHA256() != b.SHA256() {
		t.Errorf("-trimpath builds in two directories differ: %v", diffKeys(a.Fingerprints, b.Fingerprints))
	}

	// The host, built with the same flags, agrees with the plugin on
	// every package both link, and has none for the plugin's own.
	host := mustRead(t, fx.Host)
	shared := 0
	for p, h := range host.Fingerprints {
		if ph, ok := base.Fingerprints[p]; ok {
			shared++
			if ph != h {
				t.Errorf("host and plugin fingerprints of %s differ", p)
			}
		}
	}
	if shared < 30 {
		t.Errorf("host and plugin share only %d fingerprints", shared)
	}
	for _, p := range []string{"plugin", "example.com/fx/api"} {
		if _, ok := host.Fingerprints[p]; !ok {
			t.Errorf("host has no fingerprint for %s", p)
		}
	}
	if _, ok := host.Fingerprints[fxPkg]; ok {
		t.Errorf("host has a fingerprint for the plugin's package")
	}
	if host.LinkHashes != nil {
		t.Errorf("host has link hashes: %v", host.LinkHashes)
	}
	// Without cgo the host exports no fingerprints; neither does c-shared.
	for _, p := range []string{fx.HostStatic, fx.CShared, fx.CLib} {
		if f := mustRead(t, p); len(f.Fingerprints) != 0 {
			t.Errorf("%s: %d fingerprints, want none", filepath.Base(p), len(f.Fingerprints))
		}
	}
}

func hasSetting(f *File, key, value string) bool {
	for _, s := range f.BuildInfo.Settings {
		if s.Key == key && s.Value == value {
			return true
		}
	}
	return false
}

func mapsEqual(a, b map[string]Hash) bool {
	return len(diffKeys(a, b)) == 0
}

// diffKeys returns the sorted keys whose values differ or that are in
// only one of a and b.
func diffKeys(a, b map[string]Hash) []string {
	var d []string
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			d = append(d, k)
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			d = append(d, k)
		}
	}
	slices.Sort(d)
	return d
}

var unnamedPath = regexp.MustCompile(`^plugin/unnamed-[0-9a-f]{40}$`)

func TestPluginPath(t *testing.T) {
	fx := fixtures(t)
	tests := []struct {
		path, want, source string
	}{
		{fx.Plugin, fxPkg, "symtab"},
		{fx.PluginTrim, fxPkg, "symtab"},
		{fx.PluginStrip, fxPkg, "buildinfo"},
		{fx.PluginFiles, "unnamed", "symtab"},
		{fx.PluginFilesS, "unnamed", "fingerprints"},
	}
	for _, tt := range tests {
		f := mustRead(t, tt.path)
		ok := f.PluginPath == tt.want
		if tt.want == "unnamed" {
			ok = unnamedPath.MatchString(f.PluginPath)
		}
		if !ok || f.PluginPathSource != tt.source {
			t.Errorf("%s: plugin path %q from %q, want %s from %s", filepath.Base(tt.path), f.PluginPath, f.PluginPathSource, tt.want, tt.source)
		}
		if tt.want == "unnamed" && f.BuildInfo.Path != "command-line-arguments" {
			t.Errorf("%s: build info path %q", filepath.Base(tt.path), f.BuildInfo.Path)
		}
		if _, ok := f.Fingerprints[f.PluginPath]; !ok {
			t.Errorf("%s: no fingerprint for the plugin path %s", filepath.Base(tt.path), f.PluginPath)
		}
	}
	// go:link.thispluginpath is a local .symtab symbol whose value is
	// the path's bytes, unterminated, its size the length.
	ef, err := elf.Open(fx.PluginFiles)
	if err != nil {
		t.Fatal(err)
	}
	defer ef.Close()
	syms, err := ef.Symbols()
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(syms, func(s elf.Symbol) bool { return s.Name == "go:link.thispluginpath" })
	if i < 0 {
		t.Fatal("no go:link.thispluginpath in .symtab")
	}
	s := syms[i]
	f := mustRead(t, fx.PluginFiles)
	if elf.ST_BIND(s.Info) != elf.STB_LOCAL || s.Size != uint64(len(f.PluginPath)) {
		t.Errorf("thispluginpath: bind %v, size %d; want local, %d", elf.ST_BIND(s.Info), s.Size, len(f.PluginPath))
	}
	dyn, _ := ef.DynamicSymbols()
	if slices.ContainsFunc(dyn, func(s elf.Symbol) bool { return s.Name == "go:link.thispluginpath" }) {
		t.Error("thispluginpath is in .dynsym")
	}
	// Two builds from the same files with other flags get other paths.
	if g := mustRead(t, fx.PluginFilesS); g.PluginPath == f.PluginPath {
		t.Errorf("-ldflags=-s did not change the unnamed plugin path")
	}
	// Not a plugin: no plugin path, no exports.
	if h := mustRead(t, fx.Host); h.PluginPath != "" || h.Exported != nil {
		t.Errorf("host: plugin path %q, exports %v", h.PluginPath, h.Exported)
	}
}

func TestExported(t *testing.T) {
	fx := fixtures(t)
	want := map[string]ExportKind{
		"APIVersion": ExportVar, "PluginctlMetadata": ExportVar, "Obj": ExportVar,
		"New": ExportFunc, "Inc": ExportFunc, "Make": ExportFunc, "Init": ExportFunc,
	}
	for _, p := range []string{fx.Plugin, fx.PluginStrip, fx.PluginFiles, fx.PluginFilesS, fx.PluginNoOpt} {
		f := mustRead(t, p)
		if len(f.Exported) != len(want) {
			t.Errorf("%s: exports %v, want %v", filepath.Base(p), f.Exported, want)
		}
		for n, k := range want {
			if f.Exported[n] != k {
				t.Errorf("%s: export %s = %q, want %q", filepath.Base(p), n, f.Exported[n], k)
			}
		}
	}
	// The methods, closure and unexported names it must leave out are
	// there as global symbols.
	ef, err := elf.Open(fx.Plugin)
	if err != nil {
		t.Fatal(err)
	}
	defer ef.Close()
	dyn, err := ef.DynamicSymbols()
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"T.Get", "(*T).Set", "(*T).Get", "T.Name", "New.func1", "call", "main", "counter"} {
		if !slices.ContainsFunc(dyn, func(s elf.Symbol) bool { return s.Name == fxPkg+"."+n }) {
			t.Errorf("fixture has no dynamic symbol %s.%s", fxPkg, n)
		}
	}
	if got := mustRead(t, fx.Plugin).SortedExports(); !slices.Equal(got, []string{"APIVersion", "Inc", "Init", "Make", "New", "Obj", "PluginctlMetadata"}) {
		t.Errorf("SortedExports = %v", got)
	}
}

func TestIsExportedIdent(t *testing.T) {
	for s, want := range map[string]bool{
		"New": true, "APIVersion": true, "X_1": true, "Ä": true,
		"": false, "new": false, "_X": false, "T.M": false, "(*T).M": false,
		"New.func1": false, "New.func1·f": false, "F[int]": false, ".inittask": false, "X-y": false,
	} {
		if got := isExportedIdent([]byte(s)); got != want {
			t.Errorf("isExportedIdent(%q) = %v", s, got)
		}
	}
}

func TestSymbolType(t *testing.T) {
	fx := fixtures(t)
	want := map[string]string{
		"New":          "func() int",
		"Make":         "func() example.com/fx/api.Plugin",
		"Init":         "func(example.com/fx/api.Host) error",
		"Inc":          "func(int) int", // inlined: abstract + concrete DWARF entries
		"APIVersion":   "string",
		"Obj":          "*" + fxPkg + ".T",
		fxPkg + ".New": "func() int",
	}
	for _, p := range []string{fx.Plugin, fx.PluginNoOpt, fx.PluginTrim} {
		f := mustRead(t, p)
		for name, w := range want {
			got, err := f.SymbolType(name)
			if err != nil || got != w {
				t.Errorf("%s: SymbolType(%s) = %q, %v; want %q", filepath.Base(p), name, got, err, w)
			}
		}
		if _, err := f.SymbolType("Missing"); err == nil || !strings.Contains(err.Error(), "no DWARF entry for "+fxPkg+".Missing") {
			t.Errorf("SymbolType(Missing): %v", err)
		}
	}
	// Built from files: types are named after the unnamed path.
	f := mustRead(t, fx.PluginFiles)
	if got, err := f.SymbolType("Obj"); err != nil || got != "*"+f.PluginPath+".T" {
		t.Errorf("files: SymbolType(Obj) = %q, %v", got, err)
	}
	// A Go executable: names are looked up in package main.
	h := mustRead(t, fx.Host)
	if got, err := h.SymbolType("main"); err != nil || got != "func()" {
		t.Errorf("host: SymbolType(main) = %q, %v", got, err)
	}
	for _, p := range []string{fx.PluginNoDWARF, fx.PluginStrip, fx.CLib} {
		f := mustRead(t, p)
		_, err := f.SymbolType("New")
		if !errors.Is(err, ErrNoDWARF) || f.HasDWARF {
			t.Errorf("%s: SymbolType = %v, HasDWARF %v; want ErrNoDWARF", filepath.Base(p), err, f.HasDWARF)
		}
	}
	if !mustRead(t, fx.PluginNoDWARF).HasSymtab || mustRead(t, fx.PluginStrip).HasSymtab {
		t.Error("HasSymtab wrong for -w / -s")
	}
}

func TestMetadata(t *testing.T) {
	fx := fixtures(t)
	f := mustRead(t, fx.Plugin)
	if f.Metadata == nil || f.Metadata.Kind != "plugin" || f.Metadata.BuildSet != "bs1" || f.Metadata.Package != "example.com/fx" {
		t.Errorf("metadata = %+v", f.Metadata)
	}
	if h := mustRead(t, fx.Host); h.Metadata != nil {
		t.Errorf("host metadata = %+v", h.Metadata)
	}
}

func TestFindMetadataBounded(t *testing.T) {
	doc := `{"schema":"pluginctl.metadata/v1","kind":"host","build_set":"x"}`
	if m := findMetadata([]byte("junk" + `{"schema":"pluginctl.metadata/v1"` + "junk" + doc + "more")); m == nil || m.Kind != "host" {
		t.Errorf("findMetadata after a broken prefix = %+v", m)
	}
	// Many nested prefixes: unbounded tries would scan to the end of the
	// file once per prefix.
	unit := `{"schema":"pluginctl.metadata/v1","x":[`
	data := bytes.Repeat([]byte(unit), (8<<20)/len(unit))
	start := time.Now()
	if m := findMetadata(data); m != nil {
		t.Errorf("found %+v", m)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("findMetadata took %v", d)
	}
}

func TestStringVar(t *testing.T) {
	fx := fixtures(t)
	for _, p := range []string{fx.Plugin, fx.PluginStrip, fx.PluginFiles} {
		f := mustRead(t, p)
		if got, err := f.StringVar("APIVersion"); err != nil || got != "v1" {
			t.Errorf("%s: StringVar(APIVersion) = %q, %v", filepath.Base(p), got, err)
		}
		if got, err := f.StringVar("PluginctlMetadata"); err != nil || got != fxMeta {
			t.Errorf("%s: StringVar(PluginctlMetadata) = %q, %v", filepath.Base(p), got, err)
		}
		if _, err := f.StringVar("Missing"); err == nil {
			t.Errorf("%s: StringVar(Missing) succeeded", filepath.Base(p))
		}
	}
}

func TestCompareGlibc(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"GLIBC_2.10", "GLIBC_2.9", 1},
		{"GLIBC_2.9", "GLIBC_2.10", -1},
		{"GLIBC_2.34", "GLIBC_2.34", 0},
		{"GLIBC_2.2.5", "GLIBC_2.2", 1},
		{"GLIBC_2.2", "GLIBC_2.2.5", -1},
		{"GLIBC_PRIVATE", "GLIBC_2.0", -1},
		{"GLIBC_2.0", "GLIBC_PRIVATE", 1},
		{"GLIBC_PRIVATE", "junk", 0},
	} {
		if got := CompareGlibc(tc.a, tc.b); got != tc.want {
			t.Errorf("CompareGlibc(%s, %s) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

package artifact

import (
	"bytes"
	"debug/elf"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Libc is what a file needs from the C side of the machine it runs on:
// the shared libraries it names (DT_NEEDED) and the symbol versions it
// requires from the C library. A plugin linked on a newer glibc than the
// one where its host runs, or against musl for a glibc host, fails to
// load there although it loads on the build machine.
type Libc struct {
	// Needed are the DT_NEEDED entries, in file order.
	Needed []string
	// Interp is the PT_INTERP program interpreter ("" for a plugin).
	Interp string
	// Flavor is "glibc", "musl" or "" (no C library, or unknown).
	Flavor string
	// GlibcMax is the highest GLIBC_x.y version an imported symbol
	// requires ("" when none), and GlibcSymbols the imported symbols that
	// require it or any version, by version: "GLIBC_2.34" -> names.
	GlibcMax     string
	GlibcSymbols map[string][]string

	// symbols reads GlibcSymbols when it is needed and not read yet.
	symbols func() map[string][]string
}

// glibcSymbols reads the imported symbols of the ELF file data by the
// GLIBC version they require.
func glibcSymbols(data []byte) (m map[string][]string, err error) {
	defer func() {
		if r := recover(); r != nil {
			m, err = nil, fmt.Errorf("malformed ELF dynamic section: %v", r)
		}
	}()
	if data == nil {
		return nil, ErrReleased
	}
	ef, err := elf.NewFile(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	return glibcSymbolsOf(ef)
}

func glibcSymbolsOf(ef *elf.File) (map[string][]string, error) {
	m := map[string][]string{}
	syms, err := ef.ImportedSymbols()
	if err != nil {
		return m, fmt.Errorf("reading imported symbols: %w", err)
	}
	for _, s := range syms {
		if !strings.HasPrefix(s.Version, "GLIBC_") || glibcVersion(s.Version) == nil {
			continue
		}
		m[s.Version] = append(m[s.Version], s.Name)
	}
	for _, names := range m {
		sort.Strings(names)
	}
	return m, nil
}

// glibcFromVerneed returns the highest GLIBC_x.y version the file's
// version needs (.gnu.version_r, linked to its string table) name; ok is
// false without such a section or when it cannot be read, and the caller
// reads the symbols instead.
func glibcFromVerneed(ef *elf.File) (max string, ok bool) {
	sec := ef.Section(".gnu.version_r")
	if sec == nil || int(sec.Link) >= len(ef.Sections) || sec.Size > 1<<20 {
		return "", false
	}
	data, err := sec.Data()
	if err != nil {
		return "", false
	}
	strs, err := ef.Sections[sec.Link].Data()
	if err != nil {
		return "", false
	}
	str := func(off uint32) (string, bool) {
		if int(off) >= len(strs) {
			return "", false
		}
		end := bytes.IndexByte(strs[off:], 0)
		if end < 0 {
			return "", false
		}
		return string(strs[off : int(off)+end]), true
	}
	bo := ef.ByteOrder
	// Verneed and Vernaux entries are 16 bytes in both ELF classes.
	for i, n := 0, 0; i+16 <= len(data) && n < len(data)/16; n++ {
		cnt := int(bo.Uint16(data[i+2:]))
		aux := i + int(bo.Uint32(data[i+8:]))
		next := int(bo.Uint32(data[i+12:]))
		for j, k := aux, 0; k < cnt; k++ {
			if j < 0 || j+16 > len(data) {
				return "", false
			}
			name, good := str(bo.Uint32(data[j+8:]))
			if !good {
				return "", false
			}
			if strings.HasPrefix(name, "GLIBC_") && glibcVersion(name) != nil && (max == "" || CompareGlibc(name, max) > 0) {
				max = name
			}
			vnext := int(bo.Uint32(data[j+12:]))
			if vnext == 0 {
				break
			}
			j += vnext
		}
		if next == 0 {
			return max, true
		}
		i += next
	}
	return max, true
}

// Libc reads the file's dynamic section and imported symbol versions,
// once per File (a host is compared with every artifact). The file's data
// was checked by Read; a malformed dynamic section is an error, never a
// panic.
func (f *File) Libc() (*Libc, error) {
	f.libcOnce.Do(func() {
		f.libc, f.libcErr = f.readLibc()
		if f.libcErr == nil {
			f.factsMu.Lock()
			f.factsNew = true
			f.factsMu.Unlock()
		}
	})
	return f.libc, f.libcErr
}

// glibcSymbols reads the imported symbols of f by GLIBC version; nil
// when its contents are gone.
func (f *File) glibcSymbols() map[string][]string {
	data, err := f.contents()
	if err != nil {
		return nil
	}
	m, _ := glibcSymbols(data)
	return m
}

func (f *File) readLibc() (l *Libc, err error) {
	defer func() {
		if r := recover(); r != nil {
			l, err = nil, fmt.Errorf("malformed ELF dynamic section: %v", r)
		}
	}()
	data, err := f.contents()
	if err != nil {
		return nil, err
	}
	ef, err := elf.NewFile(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	l = &Libc{}
	if l.Needed, err = ef.ImportedLibraries(); err != nil {
		return nil, fmt.Errorf("reading DT_NEEDED: %w", err)
	}
	for _, p := range ef.Progs {
		if p.Type == elf.PT_INTERP && p.Filesz > 0 && p.Filesz < 4096 {
			b := make([]byte, p.Filesz)
			if _, err := p.ReadAt(b, 0); err == nil {
				l.Interp = string(bytes.TrimRight(b, "\x00"))
			}
		}
	}
	// The highest GLIBC version comes from the version needs
	// (.gnu.version_r): a few entries, where the imported symbols are
	// thousands. The symbols themselves are read only when a message
	// names them (SymbolsAbove).
	if max, ok := glibcFromVerneed(ef); ok {
		l.GlibcMax = max
		// Read from the file when asked (before Release: the static
		// check names the symbols right away); never keeps its data.
		l.symbols = f.glibcSymbols
	} else {
		m, err := glibcSymbolsOf(ef)
		if err != nil && len(l.Needed) > 0 {
			return nil, err
		}
		l.GlibcSymbols = m
		for v := range m {
			if l.GlibcMax == "" || CompareGlibc(v, l.GlibcMax) > 0 {
				l.GlibcMax = v
			}
		}
	}
	l.Flavor = libcFlavor(l)
	return l, nil
}

// libcFlavor tells glibc from musl by the C library named and the
// interpreter: glibc's is libc.so.6 (ld-linux*), musl's libc.so or
// libc.musl-ARCH.so.1 (ld-musl-*).
func libcFlavor(l *Libc) string {
	if strings.Contains(l.Interp, "ld-musl") {
		return "musl"
	}
	for _, n := range l.Needed {
		switch {
		case n == "libc.so.6":
			return "glibc"
		case strings.HasPrefix(n, "libc.musl-"), n == "libc.so":
			return "musl"
		}
	}
	if l.GlibcMax != "" {
		return "glibc"
	}
	return ""
}

// glibcVersion parses "GLIBC_2.34" (or "GLIBC_2.2.5") into its numbers;
// nil for anything else (GLIBC_PRIVATE).
func glibcVersion(v string) []int {
	rest, ok := strings.CutPrefix(v, "GLIBC_")
	if !ok || rest == "" {
		return nil
	}
	var out []int
	for _, p := range strings.Split(rest, ".") {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return nil
		}
		out = append(out, n)
	}
	return out
}

// CompareGlibc compares two GLIBC_x.y[.z] version names as versions
// (GLIBC_2.10 is above GLIBC_2.9); unparsable names sort first.
func CompareGlibc(a, b string) int {
	va, vb := glibcVersion(a), glibcVersion(b)
	for i := 0; i < len(va) || i < len(vb); i++ {
		x, y := -1, -1
		if i < len(va) {
			x = va[i]
		}
		if i < len(vb) {
			y = vb[i]
		}
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	return 0
}

// SymbolsAbove lists the imported symbols that require a GLIBC version
// above max, as "name@GLIBC_x.y", highest version first.
func (l *Libc) SymbolsAbove(max string) []string {
	if l.GlibcSymbols == nil && l.symbols != nil {
		l.GlibcSymbols = l.symbols()
	}
	var vs []string
	for v := range l.GlibcSymbols {
		if CompareGlibc(v, max) > 0 {
			vs = append(vs, v)
		}
	}
	sort.Slice(vs, func(i, j int) bool { return CompareGlibc(vs[i], vs[j]) > 0 })
	var out []string
	for _, v := range vs {
		for _, n := range l.GlibcSymbols[v] {
			out = append(out, n+"@"+v)
		}
	}
	return out
}

package artifact

import (
	"bytes"
	"debug/elf"
	"fmt"
	"slices"
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
}

// Libc reads the file's dynamic section and imported symbol versions,
// once per File (a host is compared with every artifact). The file's data
// was checked by Read; a malformed dynamic section is an error, never a
// panic.
func (f *File) Libc() (*Libc, error) {
	f.libcOnce.Do(func() {
		f.libc, f.libcErr = f.readLibc()
		if f.libcErr == nil { // remembered by Save
			f.factsMu.Lock()
			f.facts.Libc, f.factsNew = f.libc, true
			f.factsMu.Unlock()
		}
	})
	return f.libc, f.libcErr
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
	l = &Libc{GlibcSymbols: map[string][]string{}}
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
	syms, err := ef.ImportedSymbols()
	if err != nil && len(l.Needed) > 0 {
		return nil, fmt.Errorf("reading imported symbols: %w", err)
	}
	for _, s := range syms {
		if !strings.HasPrefix(s.Version, "GLIBC_") || glibcVersion(s.Version) == nil {
			continue
		}
		l.GlibcSymbols[s.Version] = append(l.GlibcSymbols[s.Version], s.Name)
		if l.GlibcMax == "" || CompareGlibc(s.Version, l.GlibcMax) > 0 {
			l.GlibcMax = s.Version
		}
	}
	for _, names := range l.GlibcSymbols {
		sort.Strings(names)
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
func CompareGlibc(a, b string) int { return slices.Compare(glibcVersion(a), glibcVersion(b)) }

// SymbolsAbove lists the imported symbols that require a GLIBC version
// above max, as "name@GLIBC_x.y", highest version first.
func (l *Libc) SymbolsAbove(max string) []string {
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

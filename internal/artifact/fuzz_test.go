package artifact

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"errors"
	"os"
	"runtime"
	"slices"
	"testing"
	"time"
)

// region is a part of the base plugin that FuzzRead overwrites.
type region struct {
	name     string
	off, len uint64
}

// FuzzRead feeds ReadBytes (and SymbolType) two kinds of input: the raw
// fuzz bytes, and the fixture plugin with the fuzz bytes written over one
// of its interesting regions (headers, symbol and string tables, build
// info, package hashes, DWARF), chosen by at. Panics are not recovered
// here, so that every one shows up.
func FuzzRead(f *testing.F) {
	recoverPanics = false
	f.Cleanup(func() { recoverPanics = true })

	f.Add([]byte{}, uint32(0))
	f.Add([]byte("\x7fELF"), uint32(0))
	f.Add(elfHeader64(elf.ET_DYN, 0, 0, 0, 0), uint32(0))
	f.Add(elfHeader64(elf.ET_EXEC, 64, 1, 0, 0), uint32(0))
	f.Add([]byte("!<arch>\n"), uint32(0))
	// Small complete synthetic plugins: ELF32/64, both byte orders.
	for _, s := range []synth{
		synthPlugin(elf.ELFCLASS64, binary.LittleEndian, elf.EM_X86_64, "amd64"),
		synthPlugin(elf.ELFCLASS32, binary.LittleEndian, elf.EM_386, "386"),
		synthPlugin(elf.ELFCLASS64, binary.BigEndian, elf.EM_PPC64, "ppc64"),
		synthPlugin(elf.ELFCLASS32, binary.BigEndian, elf.EM_MIPS, "mips"),
	} {
		f.Add(s.build(), uint32(0))
		s.noSymtab = true
		f.Add(s.build(), uint32(0))
	}

	var base []byte
	var regions []region
	if !testing.Short() {
		fx := fixtures(f)
		var err error
		base, err = os.ReadFile(fx.Plugin)
		if err != nil {
			f.Fatal(err)
		}
		regions = fuzzRegions(f, base)
		// Small complete files, and bit flips in their headers.
		for _, p := range []string{fx.CLib, fx.CExe} {
			data, err := os.ReadFile(p)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data, uint32(0))
			for _, bit := range []int{4*8 + 0, 16 * 8, 32*8 + 3, 40*8 + 1, 56 * 8, 60*8 + 2, 62 * 8, 64*8 + 5, 200 * 8, len(data) * 4} {
				flipped := slices.Clone(data)
				flipped[bit/8] ^= 1 << (bit % 8)
				f.Add(flipped, uint32(0))
			}
		}
		// Bounded prefixes of the Go artifacts.
		for _, p := range []string{fx.Plugin, fx.Host, fx.CShared} {
			data, err := os.ReadFile(p)
			if err != nil {
				f.Fatal(err)
			}
			for _, n := range []int{16, 64, 100, 512, 4096} {
				f.Add(data[:n], uint32(0))
			}
		}
		// Real bytes of each region written back over it (a no-op
		// patch), and a few small corruptions.
		for i, r := range regions {
			at := uint32(i + 1)
			f.Add(slices.Clone(base[r.off:r.off+min(r.len, 256)]), at)
			f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f}, at+uint32(len(regions)+1)*8)
			f.Add([]byte{0}, at+uint32(len(regions)+1)*24)
		}
	}

	f.Fuzz(func(t *testing.T, data []byte, at uint32) {
		fuzzCheck(t, data, false)
		if base == nil || at == 0 {
			return
		}
		n := uint32(len(regions) + 1)
		if at%n == 0 {
			return
		}
		r := regions[at%n-1]
		off := r.off + uint64(at/n)%max(r.len, 1)
		patched := slices.Clone(base)
		copy(patched[off:], data[:min(len(data), 4096)])
		// DWARF is read (slowly: ~10 ms) only where a patch can reach it.
		dwarfRegion := r.name == ".debug_info" || r.name == ".debug_abbrev" || r.name == "section headers"
		fuzzCheck(t, patched, dwarfRegion && at%3 == 0)
	})
}

// fuzzRegions lists the parts of a plugin worth corrupting.
func fuzzRegions(t testing.TB, data []byte) []region {
	ef, err := elf.NewFile(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	shoff := binary.LittleEndian.Uint64(data[40:])
	rs := []region{
		{"ELF and program headers", 0, 64 + uint64(len(ef.Progs))*56},
		{"section headers", shoff, uint64(len(ef.Sections)) * 64},
	}
	for _, s := range ef.Sections {
		switch s.Name {
		case ".dynsym", ".dynstr", ".symtab", ".strtab", ".go.buildinfo", ".shstrtab", ".debug_info", ".debug_abbrev", ".dynamic":
			rs = append(rs, region{s.Name, s.Offset, s.FileSize})
		case ".rodata":
			// The package hashes and the plugin path live here.
			rs = append(rs, region{s.Name, s.Offset, s.FileSize})
		}
	}
	return rs
}

// fuzzCheck reads data and checks the result's invariants.
func fuzzCheck(t *testing.T, data []byte, symbolType bool) {
	var ms0, ms1 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	start := time.Now()
	f, err := ReadBytes("fuzz", data)
	d := time.Since(start)
	runtime.ReadMemStats(&ms1)
	if d > 2*time.Second {
		t.Errorf("ReadBytes took %v on %d bytes", d, len(data))
	}
	if alloc := ms1.TotalAlloc - ms0.TotalAlloc; alloc > 4*uint64(len(data))+64<<20 {
		t.Errorf("ReadBytes allocated %d bytes for %d bytes of input", alloc, len(data))
	}
	if err != nil {
		var npe *NotPluginError
		if !errors.As(err, &npe) || f != nil {
			t.Fatalf("ReadBytes = %v, %v (%T); want only a *NotPluginError", f, err, err)
		}
		return
	}
	switch f.Kind {
	case KindPlugin, KindExecutable, KindCShared, KindCLibrary:
	default:
		t.Fatalf("kind %q", f.Kind)
	}
	if f.Size != int64(len(data)) || len(f.SHA256()) != 64 {
		t.Fatalf("size %d, sha %q", f.Size, f.SHA256())
	}
	if (f.Kind == KindCLibrary) != (f.BuildInfo == nil) {
		t.Fatalf("kind %s with build info %v", f.Kind, f.BuildInfo)
	}
	for n := range f.Exported {
		if !isExportedIdent([]byte(n)) {
			t.Fatalf("exported %q", n)
		}
	}
	if symbolType {
		start := time.Now()
		f.SymbolType("New")
		if d := time.Since(start); d > 10*time.Second {
			t.Errorf("SymbolType took %v", d)
		}
	}
}

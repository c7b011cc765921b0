package artifact

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"slices"
	"testing"
)

// synth describes a small hand-made ELF file with Go build info and the
// symbols Read looks at: what the go linker writes, minus the code. It
// runs without a toolchain, covers ELF32 and big-endian files, and makes
// small, complete fuzz seeds.
type synth struct {
	class    elf.Class
	order    binary.ByteOrder
	machine  elf.Machine
	osabi    elf.OSABI
	typ      elf.Type
	settings string // build info "build" lines, e.g. "-buildmode=plugin\nGOOS=linux"
	path     string // build info path
	noBI     bool   // leave out the build info
	noSymtab bool   // leave out .symtab (like -ldflags=-s)
	plugin   string // go:link.thispluginpath value
	hashes   map[string]Hash
	funcs    []string // global STT_FUNC symbols
	vars     []string // global STT_OBJECT symbols
	metaJSON string   // appended to .rodata
}

type synthSym struct {
	name  string
	value uint64
	size  uint64
	info  byte
}

func (s synth) build() []byte {
	is64 := s.class == elf.ELFCLASS64
	bo := s.order
	ptr := 4
	if is64 {
		ptr = 8
	}
	ehSize, phSize, shSize, symSize := 52, 32, 40, 16
	if is64 {
		ehSize, phSize, shSize, symSize = 64, 56, 64, 24
	}

	// .rodata: the hashes, the plugin path, one byte per func and var.
	var rodata bytes.Buffer
	var dyn, local []synthSym
	names := slices.Sorted(mapKeys(s.hashes))
	const base = 0x1000 // .rodata address and offset
	for _, p := range names {
		h := s.hashes[p]
		dyn = append(dyn, synthSym{"go:link.pkghashbytes." + p, base + uint64(rodata.Len()), 8, byte(elf.STB_GLOBAL)<<4 | byte(elf.STT_OBJECT)})
		rodata.Write(h[:])
	}
	if s.plugin != "" {
		local = append(local, synthSym{"go:link.thispluginpath", base + uint64(rodata.Len()), uint64(len(s.plugin)), byte(elf.STB_LOCAL)<<4 | byte(elf.STT_OBJECT)})
		rodata.WriteString(s.plugin)
	}
	for _, n := range s.funcs {
		dyn = append(dyn, synthSym{n, base + uint64(rodata.Len()), 1, byte(elf.STB_GLOBAL)<<4 | byte(elf.STT_FUNC)})
		rodata.WriteByte(0xc3)
	}
	for _, n := range s.vars {
		dyn = append(dyn, synthSym{n, base + uint64(rodata.Len()), 1, byte(elf.STB_GLOBAL)<<4 | byte(elf.STT_OBJECT)})
		rodata.WriteByte(0)
	}
	rodata.WriteString(s.metaJSON)

	// .go.buildinfo: header, then the inline version and module strings.
	var bi bytes.Buffer
	if !s.noBI {
		bi.WriteString("\xff Go buildinf:")
		bi.WriteByte(byte(ptr))
		flags := byte(2) // strings inline
		if bo == binary.BigEndian {
			flags |= 1
		}
		bi.WriteByte(flags)
		bi.Write(make([]byte, 16))
		mod := "path\t" + s.path + "\nmod\t" + s.path + "\t(devel)\t\n"
		for _, l := range bytes.Split([]byte(s.settings), []byte("\n")) {
			if len(l) > 0 {
				mod += "build\t" + string(l) + "\n"
			}
		}
		mod = string(make([]byte, 16)) + mod + string(make([]byte, 16))
		for _, str := range []string{"go1.26.8", mod} {
			bi.Write(binary.AppendUvarint(nil, uint64(len(str))))
			bi.WriteString(str)
		}
	}

	// Sections, laid out in file order; address = offset.
	type sec struct {
		name           string
		typ            elf.SectionType
		flags          elf.SectionFlag
		data           []byte
		link, info     uint32
		align, entsize uint64
		off            uint64
	}
	var shstr bytes.Buffer
	shstr.WriteByte(0)
	strtab := func(syms []synthSym) ([]byte, []byte) {
		var str, tab bytes.Buffer
		str.WriteByte(0)
		tab.Write(make([]byte, symSize))
		for _, y := range syms {
			nameOff := uint32(str.Len())
			str.WriteString(y.name)
			str.WriteByte(0)
			e := make([]byte, symSize)
			if is64 {
				bo.PutUint32(e[0:], nameOff)
				e[4] = y.info
				bo.PutUint16(e[6:], 3) // .rodata
				bo.PutUint64(e[8:], y.value)
				bo.PutUint64(e[16:], y.size)
			} else {
				bo.PutUint32(e[0:], nameOff)
				bo.PutUint32(e[4:], uint32(y.value))
				bo.PutUint32(e[8:], uint32(y.size))
				e[12] = y.info
				bo.PutUint16(e[14:], 3)
			}
			tab.Write(e)
		}
		return str.Bytes(), tab.Bytes()
	}
	dynstr, dynsym := strtab(dyn)
	symstr, symtab := strtab(local)
	secs := []sec{
		{name: ""},
		{name: ".dynstr", typ: elf.SHT_STRTAB, flags: elf.SHF_ALLOC, data: dynstr, align: 1},
		{name: ".dynsym", typ: elf.SHT_DYNSYM, flags: elf.SHF_ALLOC, data: dynsym, link: 1, info: 1, align: 8, entsize: uint64(symSize)},
		{name: ".rodata", typ: elf.SHT_PROGBITS, flags: elf.SHF_ALLOC, data: rodata.Bytes(), align: 32, off: base},
	}
	if !s.noBI {
		secs = append(secs, sec{name: ".go.buildinfo", typ: elf.SHT_PROGBITS, flags: elf.SHF_ALLOC | elf.SHF_WRITE, data: bi.Bytes(), align: 16})
	}
	if !s.noSymtab {
		secs = append(secs,
			sec{name: ".strtab", typ: elf.SHT_STRTAB, data: symstr, align: 1},
			sec{name: ".symtab", typ: elf.SHT_SYMTAB, data: symtab, link: uint32(len(secs)), info: uint32(len(local) + 1), align: 8, entsize: uint64(symSize)},
		)
	}
	secs = append(secs, sec{name: ".shstrtab", typ: elf.SHT_STRTAB, align: 1})
	nameOffs := make([]uint32, len(secs))
	for i, c := range secs {
		if i > 0 {
			nameOffs[i] = uint32(shstr.Len())
			shstr.WriteString(c.name)
			shstr.WriteByte(0)
		}
	}
	secs[len(secs)-1].data = shstr.Bytes()

	out := make([]byte, ehSize+phSize)
	for i := 1; i < len(secs); i++ {
		c := &secs[i]
		if c.off == 0 {
			c.off = uint64(len(out))
		}
		for uint64(len(out)) < c.off || uint64(len(out))%c.align != 0 {
			out = append(out, 0)
		}
		c.off = uint64(len(out))
		out = append(out, c.data...)
	}
	for len(out)%8 != 0 {
		out = append(out, 0)
	}
	shoff := uint64(len(out))
	for i, c := range secs {
		h := make([]byte, shSize)
		addr := uint64(0)
		if c.flags&elf.SHF_ALLOC != 0 {
			addr = c.off
		}
		if is64 {
			bo.PutUint32(h[0:], nameOffs[i])
			bo.PutUint32(h[4:], uint32(c.typ))
			bo.PutUint64(h[8:], uint64(c.flags))
			bo.PutUint64(h[16:], addr)
			bo.PutUint64(h[24:], c.off)
			bo.PutUint64(h[32:], uint64(len(c.data)))
			bo.PutUint32(h[40:], c.link)
			bo.PutUint32(h[44:], c.info)
			bo.PutUint64(h[48:], c.align)
			bo.PutUint64(h[56:], c.entsize)
		} else {
			bo.PutUint32(h[0:], nameOffs[i])
			bo.PutUint32(h[4:], uint32(c.typ))
			bo.PutUint32(h[8:], uint32(c.flags))
			bo.PutUint32(h[12:], uint32(addr))
			bo.PutUint32(h[16:], uint32(c.off))
			bo.PutUint32(h[20:], uint32(len(c.data)))
			bo.PutUint32(h[24:], c.link)
			bo.PutUint32(h[28:], c.info)
			bo.PutUint32(h[32:], uint32(c.align))
			bo.PutUint32(h[36:], uint32(c.entsize))
		}
		out = append(out, h...)
	}

	// ELF header and one PT_LOAD mapping the whole file.
	h := out[:ehSize]
	copy(h, elf.ELFMAG)
	h[elf.EI_CLASS] = byte(s.class)
	h[elf.EI_DATA] = byte(elf.ELFDATA2LSB)
	if bo == binary.BigEndian {
		h[elf.EI_DATA] = byte(elf.ELFDATA2MSB)
	}
	h[elf.EI_VERSION] = byte(elf.EV_CURRENT)
	h[elf.EI_OSABI] = byte(s.osabi)
	bo.PutUint16(h[16:], uint16(s.typ))
	bo.PutUint16(h[18:], uint16(s.machine))
	bo.PutUint32(h[20:], uint32(elf.EV_CURRENT))
	ph := out[ehSize : ehSize+phSize]
	size := uint64(len(out))
	if is64 {
		bo.PutUint64(h[32:], uint64(ehSize))
		bo.PutUint64(h[40:], shoff)
		bo.PutUint16(h[52:], uint16(ehSize))
		bo.PutUint16(h[54:], uint16(phSize))
		bo.PutUint16(h[56:], 1)
		bo.PutUint16(h[58:], uint16(shSize))
		bo.PutUint16(h[60:], uint16(len(secs)))
		bo.PutUint16(h[62:], uint16(len(secs)-1))
		bo.PutUint32(ph[0:], uint32(elf.PT_LOAD))
		bo.PutUint32(ph[4:], uint32(elf.PF_R|elf.PF_W))
		bo.PutUint64(ph[32:], size) // filesz
		bo.PutUint64(ph[40:], size) // memsz
		bo.PutUint64(ph[48:], 0x1000)
	} else {
		bo.PutUint32(h[28:], uint32(ehSize))
		bo.PutUint32(h[32:], uint32(shoff))
		bo.PutUint16(h[40:], uint16(ehSize))
		bo.PutUint16(h[42:], uint16(phSize))
		bo.PutUint16(h[44:], 1)
		bo.PutUint16(h[46:], uint16(shSize))
		bo.PutUint16(h[48:], uint16(len(secs)))
		bo.PutUint16(h[50:], uint16(len(secs)-1))
		bo.PutUint32(ph[0:], uint32(elf.PT_LOAD))
		bo.PutUint32(ph[16:], uint32(size))
		bo.PutUint32(ph[20:], uint32(size))
		bo.PutUint32(ph[24:], uint32(elf.PF_R|elf.PF_W))
		bo.PutUint32(ph[28:], 0x1000)
	}
	return out
}

func mapKeys[K comparable, V any](m map[K]V) func(func(K) bool) {
	return func(yield func(K) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// synthPlugin is a plugin for arch as the go linker would lay it out.
func synthPlugin(class elf.Class, order binary.ByteOrder, machine elf.Machine, goarch string) synth {
	return synth{
		class: class, order: order, machine: machine, typ: elf.ET_DYN,
		settings: "-buildmode=plugin\nGOARCH=" + goarch + "\nGOOS=linux",
		path:     "example.com/p",
		plugin:   "example.com/p",
		hashes: map[string]Hash{
			"runtime":       {1, 2, 3, 4, 5, 6, 7, 8},
			"example.com/p": {9, 10, 11, 12, 13, 14, 15, 16},
		},
		funcs:    []string{"example.com/p.New", "example.com/p.T.M", "example.com/p.(*T).M", "example.com/p.New.func1", "example.com/p.main", "other.New"},
		vars:     []string{"example.com/p.APIVersion", "example.com/p..inittask"},
		metaJSON: `{"schema":"pluginctl.metadata/v1","kind":"plugin","build_set":"s"}`,
	}
}

func TestSynthetic(t *testing.T) {
	wantFP := map[string]Hash{
		"runtime":       {1, 2, 3, 4, 5, 6, 7, 8},
		"example.com/p": {9, 10, 11, 12, 13, 14, 15, 16},
	}
	wantExp := map[string]ExportKind{"New": ExportFunc, "APIVersion": ExportVar}
	for _, tc := range []struct {
		name      string
		s         synth
		target    Target
		source    string
		reason    string
		kind      Kind
		noFP      bool
		corruptBI bool
	}{
		{name: "amd64", s: synthPlugin(elf.ELFCLASS64, binary.LittleEndian, elf.EM_X86_64, "amd64"), target: Target{"linux", "amd64"}, source: "symtab"},
		{name: "386 (ELF32)", s: synthPlugin(elf.ELFCLASS32, binary.LittleEndian, elf.EM_386, "386"), target: Target{"linux", "386"}, source: "symtab"},
		{name: "ppc64 (big-endian)", s: synthPlugin(elf.ELFCLASS64, binary.BigEndian, elf.EM_PPC64, "ppc64"), target: Target{"linux", "ppc64"}, source: "symtab"},
		{name: "mips (ELF32 big-endian)", s: synthPlugin(elf.ELFCLASS32, binary.BigEndian, elf.EM_MIPS, "mips"), target: Target{"linux", "mips"}, source: "symtab"},
		{name: "stripped", s: func() synth {
			s := synthPlugin(elf.ELFCLASS64, binary.LittleEndian, elf.EM_AARCH64, "arm64")
			s.noSymtab = true
			return s
		}(), target: Target{"linux", "arm64"}, source: "buildinfo"},
		{name: "unnamed, stripped", s: func() synth {
			s := synthPlugin(elf.ELFCLASS64, binary.LittleEndian, elf.EM_X86_64, "amd64")
			s.noSymtab, s.path = true, "command-line-arguments"
			const p = "plugin/unnamed-0123456789012345678901234567890123456789"
			s.hashes = map[string]Hash{"runtime": {1, 2, 3, 4, 5, 6, 7, 8}, p: {9, 10, 11, 12, 13, 14, 15, 16}}
			s.funcs, s.vars = []string{p + ".New", p + ".T.M"}, []string{p + ".APIVersion"}
			return s
		}(), target: Target{"linux", "amd64"}, source: "fingerprints", noFP: true},
		{name: "no -buildmode recorded", s: func() synth {
			s := synthPlugin(elf.ELFCLASS64, binary.LittleEndian, elf.EM_X86_64, "amd64")
			s.settings = ""
			return s
		}(), target: Target{"linux", "amd64"}, source: "symtab"},
		{name: "freebsd", s: func() synth {
			s := synthPlugin(elf.ELFCLASS64, binary.LittleEndian, elf.EM_X86_64, "amd64")
			s.osabi = elf.ELFOSABI_FREEBSD
			return s
		}(), target: Target{"freebsd", "amd64"}, source: "symtab"},
		{name: "exe", s: func() synth {
			s := synthPlugin(elf.ELFCLASS64, binary.LittleEndian, elf.EM_X86_64, "amd64")
			s.typ, s.settings = elf.ET_EXEC, "-buildmode=exe"
			return s
		}(), kind: KindExecutable},
		{name: "plugin but ET_EXEC", s: func() synth {
			s := synthPlugin(elf.ELFCLASS64, binary.LittleEndian, elf.EM_X86_64, "amd64")
			s.typ = elf.ET_EXEC
			return s
		}(), reason: "inconsistent: build info says -buildmode=plugin but the ELF type is ET_EXEC"},
		{name: "shared", s: func() synth {
			s := synthPlugin(elf.ELFCLASS64, binary.LittleEndian, elf.EM_X86_64, "amd64")
			s.settings = "-buildmode=shared"
			return s
		}(), reason: "a Go shared library (-buildmode=shared)"},
		{name: "corrupt build info", s: func() synth {
			s := synthPlugin(elf.ELFCLASS64, binary.LittleEndian, elf.EM_X86_64, "amd64")
			s.path = "" // no path line: debug/buildinfo still parses it, so break the magic instead
			return s
		}(), corruptBI: true, reason: "unreadable Go build info"},
		{name: "no build info", s: func() synth {
			s := synthPlugin(elf.ELFCLASS64, binary.LittleEndian, elf.EM_X86_64, "amd64")
			s.noBI = true
			return s
		}(), kind: KindCLibrary},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := tc.s.build()
			if tc.corruptBI {
				i := bytes.Index(data, []byte("\xff Go buildinf:"))
				data[i+1] = 'X'
			}
			if _, err := elf.NewFile(bytes.NewReader(data)); err != nil {
				t.Fatalf("debug/elf rejects the synthetic file: %v", err)
			}
			f, err := ReadBytes("synth", data)
			if tc.reason != "" {
				wantNotPlugin(t, err, tc.reason)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			kind := tc.kind
			if kind == "" {
				kind = KindPlugin
			}
			if f.Kind != kind {
				t.Fatalf("kind %s, want %s", f.Kind, kind)
			}
			if kind != KindPlugin {
				if f.PluginPath != "" || f.Exported != nil {
					t.Errorf("%s has plugin path %q, exports %v", kind, f.PluginPath, f.Exported)
				}
				return
			}
			if f.ELFTarget != tc.target {
				t.Errorf("ELFTarget = %v, want %v", f.ELFTarget, tc.target)
			}
			if tc.s.settings != "" && f.BuildTarget != tc.target && tc.s.osabi == 0 {
				t.Errorf("BuildTarget = %v, want %v", f.BuildTarget, tc.target)
			}
			if f.PluginPathSource != tc.source {
				t.Errorf("plugin path %q from %q, want from %q", f.PluginPath, f.PluginPathSource, tc.source)
			}
			if !tc.noFP && !mapsEqual(f.Fingerprints, wantFP) {
				t.Errorf("fingerprints %v, want %v", f.Fingerprints, wantFP)
			}
			if len(f.Exported) != len(wantExp) || f.Exported["New"] != ExportFunc || f.Exported["APIVersion"] != ExportVar {
				t.Errorf("exports %v, want %v", f.Exported, wantExp)
			}
			if f.Metadata == nil || f.Metadata.BuildSet != "s" {
				t.Errorf("metadata %+v", f.Metadata)
			}
			if tc.source == "symtab" && !mapsEqual(f.LinkHashes, nil) {
				t.Errorf("link hashes %v without pkgname symbols", f.LinkHashes)
			}
		})
	}
}

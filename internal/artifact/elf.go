package artifact

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"fmt"
)

// checkELFHeader returns why data is no ELF file whose headers lie inside
// it, or "" if it looks like one. debug/elf reports the same conditions,
// but less precisely.
func checkELFHeader(data []byte) string {
	if len(data) < 4 || string(data[:4]) != elf.ELFMAG {
		return notELFReason(data)
	}
	if len(data) < elf.EI_NIDENT {
		return fmt.Sprintf("truncated ELF header (%d bytes)", len(data))
	}
	var hdrSize int
	switch elf.Class(data[elf.EI_CLASS]) {
	case elf.ELFCLASS32:
		hdrSize = 52
	case elf.ELFCLASS64:
		hdrSize = 64
	default:
		return fmt.Sprintf("malformed ELF: unknown class %d", data[elf.EI_CLASS])
	}
	var bo binary.ByteOrder
	switch elf.Data(data[elf.EI_DATA]) {
	case elf.ELFDATA2LSB:
		bo = binary.LittleEndian
	case elf.ELFDATA2MSB:
		bo = binary.BigEndian
	default:
		return fmt.Sprintf("malformed ELF: unknown byte order %d", data[elf.EI_DATA])
	}
	if len(data) < hdrSize {
		return fmt.Sprintf("truncated ELF header (%d of %d bytes)", len(data), hdrSize)
	}
	var phoff, shoff uint64
	var phentsize, phnum, shentsize, shnum uint64
	if hdrSize == 64 {
		phoff, shoff = bo.Uint64(data[32:]), bo.Uint64(data[40:])
		phentsize, phnum = uint64(bo.Uint16(data[54:])), uint64(bo.Uint16(data[56:]))
		shentsize, shnum = uint64(bo.Uint16(data[58:])), uint64(bo.Uint16(data[60:]))
	} else {
		phoff, shoff = uint64(bo.Uint32(data[28:])), uint64(bo.Uint32(data[32:]))
		phentsize, phnum = uint64(bo.Uint16(data[42:])), uint64(bo.Uint16(data[44:]))
		shentsize, shnum = uint64(bo.Uint16(data[46:])), uint64(bo.Uint16(data[48:]))
	}
	size := uint64(len(data))
	if phnum > 0 {
		if end, ok := extent(phoff, phnum*phentsize); !ok || end > size {
			return fmt.Sprintf("truncated ELF: the program header table (at byte %d, %d entries of %d bytes) extends past the end of the file (%d bytes)", phoff, phnum, phentsize, size)
		}
	}
	if shoff != 0 {
		n := shnum
		if n == 0 { // extended numbering: the count is in section 0
			n = 1
		}
		if end, ok := extent(shoff, n*shentsize); !ok || end > size {
			return fmt.Sprintf("truncated ELF: the section header table (at byte %d, %d entries of %d bytes) extends past the end of the file (%d bytes)", shoff, shnum, shentsize, size)
		}
	}
	return ""
}

// extent returns off+n and whether it did not overflow.
func extent(off, n uint64) (uint64, bool) {
	end := off + n
	return end, end >= off
}

// checkExtents returns why a section or segment of ef lies beyond the
// end of a file of size bytes, or "".
func checkExtents(ef *elf.File, size int) string {
	for _, s := range ef.Sections {
		if s.Type == elf.SHT_NOBITS || s.Type == elf.SHT_NULL {
			continue
		}
		if end, ok := extent(s.Offset, s.FileSize); !ok || end > uint64(size) {
			return fmt.Sprintf("truncated ELF: section %s (bytes %d to %d) extends past the end of the file (%d bytes)", sectionName(s), s.Offset, s.Offset+s.FileSize, size)
		}
	}
	for i, p := range ef.Progs {
		if end, ok := extent(p.Off, p.Filesz); !ok || end > uint64(size) {
			return fmt.Sprintf("truncated ELF: segment %d (%v, bytes %d to %d) extends past the end of the file (%d bytes)", i, p.Type, p.Off, p.Off+p.Filesz, size)
		}
	}
	return ""
}

func sectionName(s *elf.Section) string {
	if s.Name == "" {
		return "(unnamed)"
	}
	return s.Name
}

// magics names well-known file formats by their first bytes.
var magics = []struct{ magic, what string }{
	{"!<arch>\n", "an ar archive (static library, e.g. -buildmode=c-archive)"},
	{"\xfe\xed\xfa\xce", "a Mach-O file (macOS)"},
	{"\xce\xfa\xed\xfe", "a Mach-O file (macOS)"},
	{"\xfe\xed\xfa\xcf", "a Mach-O file (macOS)"},
	{"\xcf\xfa\xed\xfe", "a Mach-O file (macOS)"},
	{"\xca\xfe\xba\xbe", "a Mach-O universal binary (macOS) or Java class file"},
	{"MZ", "a PE file (Windows)"},
	{"\x00asm", "a WebAssembly module"},
	{"\x01\xdf", "an XCOFF file (AIX)"},
	{"\x01\xf7", "an XCOFF file (AIX)"},
	{"#!", "a script"},
	{"PK\x03\x04", "a zip archive"},
	{"\x1f\x8b", "a gzip file"},
	{"\x7fEL", "a truncated ELF magic"},
}

// notELFReason describes data that does not start with the ELF magic.
func notELFReason(data []byte) string {
	head := data[:min(len(data), 8)]
	reason := fmt.Sprintf("not an ELF file (starts with % x %q", head, head)
	for _, m := range magics {
		if bytes.HasPrefix(data, []byte(m.magic)) {
			return reason + ": " + m.what + ")"
		}
	}
	return reason + ")"
}

// elfTarget derives GOOS/GOARCH from the ELF header.
func elfTarget(ef *elf.File) Target {
	is64 := ef.Class == elf.ELFCLASS64
	le := ef.Data == elf.ELFDATA2LSB
	pick := func(cond bool, a, b string) string {
		if cond {
			return a
		}
		return b
	}
	var arch string
	switch ef.Machine {
	case elf.EM_X86_64:
		arch = pick(is64, "amd64", "")
	case elf.EM_386:
		arch = "386"
	case elf.EM_ARM:
		arch = "arm"
	case elf.EM_AARCH64:
		arch = "arm64"
	case elf.EM_PPC64:
		arch = pick(le, "ppc64le", "ppc64")
	case elf.EM_S390:
		arch = pick(is64, "s390x", "")
	case elf.EM_RISCV:
		arch = pick(is64, "riscv64", "")
	case elf.EM_MIPS:
		if is64 {
			arch = pick(le, "mips64le", "mips64")
		} else {
			arch = pick(le, "mipsle", "mips")
		}
	case elf.EM_LOONGARCH:
		arch = pick(is64, "loong64", "")
	case elf.EM_SPARCV9:
		arch = "sparc64"
	}
	var goos string
	switch ef.OSABI {
	case elf.ELFOSABI_FREEBSD:
		goos = "freebsd"
	case elf.ELFOSABI_NETBSD:
		goos = "netbsd"
	case elf.ELFOSABI_OPENBSD:
		goos = "openbsd"
	case elf.ELFOSABI_SOLARIS:
		goos = "solaris"
	case elf.ELFOSABI_NONE, elf.ELFOSABI_LINUX:
		goos = "linux"
		for _, s := range ef.Sections {
			switch s.Name {
			case ".note.android.ident":
				goos = "android"
			case ".note.netbsd.ident":
				goos = "netbsd"
			case ".note.openbsd.ident":
				goos = "openbsd"
			}
		}
	}
	return Target{GOOS: goos, GOARCH: arch}
}

// symTable is a raw ELF symbol table, iterated without allocating.
type symTable struct {
	raw  []byte
	str  []byte
	is64 bool
	bo   binary.ByteOrder
}

type rawSym struct {
	name  []byte // aliases the file data
	info  byte
	shndx uint16
	value uint64
	size  uint64
}

// symbolTable returns the first section of type typ (SHT_SYMTAB or
// SHT_DYNSYM) as a symTable, nil if there is none.
func symbolTable(ef *elf.File, data []byte, typ elf.SectionType) (*symTable, error) {
	var s *elf.Section
	for _, c := range ef.Sections {
		if c.Type == typ {
			s = c
			break
		}
	}
	if s == nil {
		return nil, nil
	}
	raw, err := sectionBytes(s, data)
	if err != nil {
		return nil, err
	}
	if s.Link == 0 || int(s.Link) >= len(ef.Sections) {
		return nil, fmt.Errorf("section %s links to string table %d of %d", s.Name, s.Link, len(ef.Sections))
	}
	strSec := ef.Sections[s.Link]
	if strSec.Type != elf.SHT_STRTAB {
		return nil, fmt.Errorf("section %s links to %s, not a string table", s.Name, sectionName(strSec))
	}
	str, err := sectionBytes(strSec, data)
	if err != nil {
		return nil, err
	}
	return &symTable{raw: raw, str: str, is64: ef.Class == elf.ELFCLASS64, bo: ef.ByteOrder}, nil
}

// sectionBytes returns the stored bytes of an uncompressed section,
// checked to lie inside data.
func sectionBytes(s *elf.Section, data []byte) ([]byte, error) {
	if s.Type == elf.SHT_NOBITS {
		return nil, fmt.Errorf("section %s has no data", sectionName(s))
	}
	if s.Flags&elf.SHF_COMPRESSED != 0 {
		return nil, fmt.Errorf("section %s is compressed", sectionName(s))
	}
	end, ok := extent(s.Offset, s.FileSize)
	if !ok || end > uint64(len(data)) {
		return nil, fmt.Errorf("section %s extends past the end of the file", sectionName(s))
	}
	return data[s.Offset:end], nil
}

// each calls fn for every symbol but the null one.
func (t *symTable) each(fn func(rawSym)) {
	entSize := 16
	if t.is64 {
		entSize = 24
	}
	for off := entSize; off+entSize <= len(t.raw); off += entSize {
		e := t.raw[off : off+entSize]
		var s rawSym
		var nameOff uint32
		if t.is64 {
			nameOff = t.bo.Uint32(e[0:])
			s.info = e[4]
			s.shndx = t.bo.Uint16(e[6:])
			s.value = t.bo.Uint64(e[8:])
			s.size = t.bo.Uint64(e[16:])
		} else {
			nameOff = t.bo.Uint32(e[0:])
			s.value = uint64(t.bo.Uint32(e[4:]))
			s.size = uint64(t.bo.Uint32(e[8:]))
			s.info = e[12]
			s.shndx = t.bo.Uint16(e[14:])
		}
		if uint64(nameOff) >= uint64(len(t.str)) {
			continue
		}
		name := t.str[nameOff:]
		if i := bytes.IndexByte(name, 0); i >= 0 {
			name = name[:i]
		}
		s.name = name
		fn(s)
	}
}

// symData returns the s.size bytes at the symbol's address, from the
// section holding them; false if they are not stored in the file.
func symData(ef *elf.File, data []byte, s rawSym) ([]byte, bool) {
	in := func(sec *elf.Section) ([]byte, bool) {
		if sec.Type == elf.SHT_NOBITS || sec.Flags&elf.SHF_COMPRESSED != 0 || s.value < sec.Addr {
			return nil, false
		}
		off := s.value - sec.Addr
		if off > sec.FileSize || s.size > sec.FileSize-off {
			return nil, false
		}
		start := sec.Offset + off
		end, ok := extent(start, s.size)
		if !ok || end > uint64(len(data)) {
			return nil, false
		}
		return data[start:end], true
	}
	if i := int(s.shndx); i > 0 && i < int(elf.SHN_LORESERVE) && i < len(ef.Sections) {
		if b, ok := in(ef.Sections[i]); ok {
			return b, true
		}
	}
	for _, sec := range ef.Sections {
		if sec.Flags&elf.SHF_ALLOC == 0 {
			continue
		}
		if b, ok := in(sec); ok {
			return b, true
		}
	}
	return nil, false
}

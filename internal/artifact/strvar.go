package artifact

import (
	"bytes"
	"debug/elf"
	"errors"
	"fmt"
)

// StringVar returns the value a plugin's exported string variable has when
// the plugin is loaded, without loading it: for `var APIVersion = "v1"`,
// "v1". The variable is a string header (pointer, length) in the data
// section; in a shared object the pointer is filled in by a RELATIVE
// dynamic relocation, whose addend is the address of the bytes.
//
// Only statically initialised variables can be read; one set by code in an
// init function reads as "" or fails.
func (f *File) StringVar(name string) (string, error) {
	if a, ok := f.remembered(f.facts.Strings, name); ok {
		return a.result()
	}
	s, err := f.stringVar(name)
	f.remember(&f.facts.Strings, name, s, err)
	return s, err
}

func (f *File) stringVar(name string) (s string, err error) {
	defer func() {
		if r := recover(); r != nil {
			s, err = "", fmt.Errorf("reading %s: malformed ELF (parser panic: %v)", name, r)
		}
	}()
	if f.Kind != KindPlugin || f.PluginPath == "" {
		return "", errors.New("not a plugin")
	}
	data, err := f.contents()
	if err != nil {
		return "", err
	}
	ef, err := elf.NewFile(bytes.NewReader(data))
	if err != nil {
		return "", err
	}
	if ef.Class != elf.ELFCLASS64 {
		return "", errors.New("only 64-bit files are supported")
	}
	syms, err := symbolTable(ef, data, elf.SHT_DYNSYM)
	if err == nil && syms == nil {
		err = errors.New("no dynamic symbol table")
	}
	if err != nil {
		return "", fmt.Errorf("reading .dynsym: %v", err)
	}
	full := f.PluginPath + "." + name
	var addr uint64
	syms.each(func(sym rawSym) {
		if addr == 0 && string(sym.name) == full && elf.ST_TYPE(sym.info) == elf.STT_OBJECT {
			addr = sym.value
		}
	})
	if addr == 0 {
		return "", fmt.Errorf("no variable %s", full)
	}
	hdr, ok := symData(ef, data, rawSym{value: addr, size: 16})
	if !ok {
		return "", fmt.Errorf("%s: address %#x not in the file", full, addr)
	}
	ptr := ef.ByteOrder.Uint64(hdr[:8])
	n := ef.ByteOrder.Uint64(hdr[8:])
	if rel, ok := relativeAddend(ef, addr); ok {
		ptr = rel
	}
	if n == 0 {
		return "", nil
	}
	if n > uint64(len(data)) {
		return "", fmt.Errorf("%s: implausible length %d", full, n)
	}
	b, ok := symData(ef, data, rawSym{value: ptr, size: n})
	if !ok {
		return "", fmt.Errorf("%s: string data at %#x not in the file", full, ptr)
	}
	return string(b), nil
}

// relativeAddend finds the RELATIVE relocation of the 8 bytes at addr.
func relativeAddend(ef *elf.File, addr uint64) (uint64, bool) {
	var relative uint32
	switch ef.Machine {
	case elf.EM_X86_64:
		relative = uint32(elf.R_X86_64_RELATIVE)
	case elf.EM_AARCH64:
		relative = uint32(elf.R_AARCH64_RELATIVE)
	default:
		return 0, false
	}
	for _, s := range ef.Sections {
		if s.Type != elf.SHT_RELA {
			continue
		}
		data, err := s.Data()
		if err != nil {
			continue
		}
		for off := 0; off+24 <= len(data); off += 24 {
			r := data[off : off+24]
			if ef.ByteOrder.Uint64(r) != addr {
				continue
			}
			if uint32(ef.ByteOrder.Uint64(r[8:])) == relative {
				return uint64(int64(ef.ByteOrder.Uint64(r[16:]))), true
			}
		}
	}
	return 0, false
}

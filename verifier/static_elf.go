// Static comparison of an artifact's ELF identity with its host's:
// machine, class, byte order and OS ABI.

package verifier

import (
	"debug/elf"
	"fmt"
	"strings"

	"github.com/pluginctl/pluginctl/internal/artifact"
	"github.com/pluginctl/pluginctl/internal/diag"
)

// compareELF compares the ELF identity the dynamic loader checks
// (machine, class, byte order, OS ABI) with the host's: a file whose header
// says aarch64 or FreeBSD is refused by dlopen on an x86-64 Linux host,
// whatever its build info claims.
func compareELF(f, h *artifact.File) *diag.Problem {
	osabi := func(a elf.OSABI) elf.OSABI {
		if a == elf.ELFOSABI_LINUX { // "GNU": the same system as NONE (System V)
			return elf.ELFOSABI_NONE
		}
		return a
	}
	var diffs []string
	if f.Machine != h.Machine {
		diffs = append(diffs, fmt.Sprintf("machine: plugin %s, host %s", elfName(f.Machine.String()), elfName(h.Machine.String())))
	}
	if f.Class != h.Class {
		diffs = append(diffs, fmt.Sprintf("class: plugin %s, host %s", className(f.Class), className(h.Class)))
	}
	if f.ByteOrder != h.ByteOrder {
		diffs = append(diffs, fmt.Sprintf("byte order: plugin %s, host %s", orderName(f.ByteOrder), orderName(h.ByteOrder)))
	}
	if osabi(f.OSABI) != osabi(h.OSABI) {
		diffs = append(diffs, fmt.Sprintf("OS ABI: plugin %s, host %s", abiName(osabi(f.OSABI)), abiName(osabi(h.OSABI))))
	}
	if len(diffs) == 0 {
		return nil
	}
	fix := "build the plugin for the host's platform with `pluginctl build`"
	if t := h.BuildTarget; t.String() != "" {
		fix = fmt.Sprintf("build the plugin for %s, the host's platform (GOOS=%s GOARCH=%s pluginctl build); a file with an edited header is not the file that was built", t, t.GOOS, t.GOARCH)
	}
	return &diag.Problem{
		Code: NotAPlugin, Severity: diag.Error,
		Message: fmt.Sprintf("its ELF header is for another platform than the host's (%s): the host's dynamic loader refuses it", settingNames(diffs)),
		Detail:  diffs,
		Fix:     fix,
	}
}

// elfName shortens debug/elf's constant names: EM_AARCH64 -> AARCH64.
func elfName(s string) string {
	if _, rest, ok := strings.Cut(s, "_"); ok {
		return rest
	}
	return s
}

func className(c elf.Class) string {
	switch c {
	case elf.ELFCLASS32:
		return "32-bit"
	case elf.ELFCLASS64:
		return "64-bit"
	}
	return c.String()
}

func orderName(d elf.Data) string {
	switch d {
	case elf.ELFDATA2LSB:
		return "little-endian"
	case elf.ELFDATA2MSB:
		return "big-endian"
	}
	return d.String()
}

func abiName(a elf.OSABI) string {
	if a == elf.ELFOSABI_NONE {
		return "System V (Linux)"
	}
	return strings.TrimPrefix(a.String(), "ELFOSABI_")
}

package artifact

import (
	"bytes"
	"debug/dwarf"
	"debug/elf"
	"fmt"
	"strings"
)

// SymbolType returns the Go type of an exported symbol as the DWARF debug
// info records it: for a function the subprogram's parameters and
// results, rendered like "func(int) error" or
// "func() github.com/x/pluginapi.Plugin"; for a variable its type, like
// "string" (plugin.Lookup returns a pointer to it). name is the bare name
// ("New") or the full symbol name ("example.com/fx.New").
//
// It is best-effort: parameter names are left out, and a variadic
// parameter shows as a slice. A file without DWARF (-ldflags=-w or -s)
// gives an error saying so. DWARF is read on the first call only.
func (f *File) SymbolType(name string) (string, error) {
	pkg := f.PluginPath
	if f.Kind != KindPlugin || pkg == "" {
		pkg = "main"
	}
	full := name
	if !strings.HasPrefix(name, pkg+".") {
		full = pkg + "." + name
	}
	if a, ok := f.remembered(f.facts.Types, full); ok {
		t, err := a.result()
		return t, f.typeError(full, err)
	}
	t, err := f.symbolType(pkg, full)
	f.remember(&f.facts.Types, full, t, err)
	return t, f.typeError(full, err)
}

func (f *File) typeError(full string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("reading type of %s in %s: %w", full, f.Path, err)
}

func (f *File) symbolType(pkg, full string) (typ string, err error) {
	defer func() {
		if !recoverPanics {
			return
		}
		if r := recover(); r != nil {
			typ, err = "", fmt.Errorf("reading DWARF: malformed debug info (parser panic: %v)", r)
		}
	}()
	d, err := f.loadDWARF()
	if err != nil {
		return "", err
	}
	return symbolType(d, pkg, full)
}

// dwarfSizeFactor bounds the claimed uncompressed size of the DWARF
// sections relative to the file size: real Go binaries compress about 4:1.
const dwarfSizeFactor = 64

func (f *File) loadDWARF() (*dwarf.Data, error) {
	f.dwarfOnce.Do(func() {
		if !f.HasDWARF {
			f.dwarfErr = ErrNoDWARF
			return
		}
		data, err := f.contents()
		if err != nil {
			f.dwarfErr = err
			return
		}
		ef, err := elf.NewFile(bytes.NewReader(data))
		if err != nil {
			f.dwarfErr = fmt.Errorf("reading DWARF: %w", err)
			return
		}
		var total uint64
		for _, s := range ef.Sections {
			if strings.HasPrefix(s.Name, ".debug_") || strings.HasPrefix(s.Name, ".zdebug_") {
				total += min(s.Size, 1<<40)
			}
		}
		if limit := dwarfSizeFactor*uint64(len(data)) + 1<<20; total > limit {
			f.dwarfErr = fmt.Errorf("reading DWARF: debug sections claim %d bytes uncompressed, more than %d", total, limit)
			return
		}
		f.dwarf, err = typeDWARF(ef)
		if err != nil {
			f.dwarfErr = fmt.Errorf("reading DWARF: %w", err)
		}
	})
	return f.dwarf, f.dwarfErr
}

// typeDWARF loads only the DWARF sections that names and types need:
// decompressing the line, frame and location tables as ef.DWARF does
// would more than double the cost of a static check.
func typeDWARF(ef *elf.File) (*dwarf.Data, error) {
	data := func(name string) ([]byte, error) {
		s := ef.Section(".debug_" + name)
		if s == nil {
			return nil, nil
		}
		return s.Data() // decompresses SHF_COMPRESSED sections
	}
	var abbrev, info, str []byte
	for name, dst := range map[string]*[]byte{"abbrev": &abbrev, "info": &info, "str": &str} {
		b, err := data(name)
		if err != nil {
			return nil, err
		}
		*dst = b
	}
	if info == nil {
		return nil, ErrNoDWARF
	}
	d, err := dwarf.New(abbrev, nil, nil, info, nil, nil, nil, str)
	if err != nil {
		return nil, err
	}
	// DWARF 5 forms refer to these; they are small.
	for _, name := range []string{"addr", "str_offsets", "line_str"} {
		b, err := data(name)
		if err != nil {
			return nil, err
		}
		if b != nil {
			if err := d.AddSection(".debug_"+name, b); err != nil {
				return nil, err
			}
		}
	}
	return d, nil
}

// symbolType finds the top-level subprogram or variable named full,
// looking first in the compile unit of package pkg, then everywhere.
func symbolType(d *dwarf.Data, pkg, full string) (string, error) {
	for _, onlyPkg := range []bool{true, false} {
		t, found, err := scanUnits(d, pkg, full, onlyPkg)
		if err != nil {
			return "", fmt.Errorf("reading DWARF: %w", err)
		}
		if found {
			return t, nil
		}
	}
	return "", fmt.Errorf("no DWARF entry for %s", full)
}

func scanUnits(d *dwarf.Data, pkg, full string, onlyPkg bool) (string, bool, error) {
	r := d.Reader()
	for {
		cu, err := r.Next()
		if err != nil {
			return "", false, err
		}
		if cu == nil {
			return "", false, nil
		}
		if cu.Tag != dwarf.TagCompileUnit && cu.Tag != dwarf.TagPartialUnit {
			if cu.Children {
				r.SkipChildren()
			}
			continue
		}
		if !cu.Children {
			continue
		}
		if name, _ := cu.Val(dwarf.AttrName).(string); onlyPkg != (name == pkg) {
			r.SkipChildren()
			continue
		}
		t, found, err := scanUnit(d, r, full)
		if err != nil || found {
			return t, found, err
		}
	}
}

// scanUnit reads the children of the compile unit r just entered, up to
// its end.
func scanUnit(d *dwarf.Data, r *dwarf.Reader, full string) (string, bool, error) {
	var abstract dwarf.Offset
	var abstractParams []*dwarf.Entry
	haveAbstract := false
	for {
		e, err := r.Next()
		if err != nil {
			return "", false, err
		}
		if e == nil || e.Tag == 0 {
			break
		}
		switch e.Tag {
		case dwarf.TagVariable:
			if n, _ := e.Val(dwarf.AttrName).(string); n == full {
				if e.Children {
					r.SkipChildren()
				}
				off, ok := e.Val(dwarf.AttrType).(dwarf.Offset)
				if !ok {
					return "", false, fmt.Errorf("variable %s has no type", full)
				}
				return typeName(d, off), true, nil
			}
		case dwarf.TagSubprogram:
			n, _ := e.Val(dwarf.AttrName).(string)
			origin, _ := e.Val(dwarf.AttrAbstractOrigin).(dwarf.Offset)
			switch {
			case n == full && e.Val(dwarf.AttrInline) != nil:
				// Abstract instance: the out-of-line copy follows it and
				// refers to it.
				abstract, haveAbstract = e.Offset, true
				abstractParams, err = children(r, e)
				if err != nil {
					return "", false, err
				}
				continue
			case n == full || (haveAbstract && origin == abstract):
				params, err := children(r, e)
				if err != nil {
					return "", false, err
				}
				t, err := funcType(d, params)
				return t, err == nil, err
			}
		}
		if e.Children {
			r.SkipChildren()
		}
	}
	if haveAbstract {
		t, err := funcType(d, abstractParams)
		return t, err == nil, err
	}
	return "", false, nil
}

// children returns the formal parameters among the direct children of e,
// which r has just returned.
func children(r *dwarf.Reader, e *dwarf.Entry) ([]*dwarf.Entry, error) {
	if !e.Children {
		return nil, nil
	}
	var out []*dwarf.Entry
	for {
		c, err := r.Next()
		if err != nil {
			return nil, err
		}
		if c == nil || c.Tag == 0 {
			return out, nil
		}
		if c.Tag == dwarf.TagFormalParameter {
			out = append(out, c)
		}
		if c.Children {
			r.SkipChildren()
		}
	}
}

// funcType renders a Go func type from formal parameter entries; results
// have DW_AT_variable_parameter set.
func funcType(d *dwarf.Data, params []*dwarf.Entry) (string, error) {
	var in, out []string
	for _, p := range params {
		if origin, ok := p.Val(dwarf.AttrAbstractOrigin).(dwarf.Offset); ok {
			o, err := entryAt(d, origin)
			if err != nil {
				return "", err
			}
			p = o
		}
		off, ok := p.Val(dwarf.AttrType).(dwarf.Offset)
		if !ok {
			return "", fmt.Errorf("parameter without a type at offset %#x", p.Offset)
		}
		t := typeName(d, off)
		if isResult, _ := p.Val(dwarf.AttrVarParam).(bool); isResult {
			out = append(out, t)
		} else {
			in = append(in, t)
		}
	}
	s := "func(" + strings.Join(in, ", ") + ")"
	switch len(out) {
	case 0:
	case 1:
		s += " " + out[0]
	default:
		s += " (" + strings.Join(out, ", ") + ")"
	}
	return s, nil
}

func entryAt(d *dwarf.Data, off dwarf.Offset) (*dwarf.Entry, error) {
	r := d.Reader()
	r.Seek(off)
	e, err := r.Next()
	if err != nil {
		return nil, err
	}
	if e == nil {
		return nil, fmt.Errorf("no DWARF entry at offset %#x", off)
	}
	return e, nil
}

// typeName returns the Go name of the type entry at off: Go records every
// type's Go spelling as its DW_AT_name.
func typeName(d *dwarf.Data, off dwarf.Offset) string {
	if e, err := entryAt(d, off); err == nil {
		if n, _ := e.Val(dwarf.AttrName).(string); n != "" {
			return n
		}
	}
	if t, err := d.Type(off); err == nil {
		return t.String()
	}
	return "?"
}

package released

import (
	"fmt"
	"regexp"
	"strings"
)

// PackageFlag is one -gcflags or -asmflags value as cmd/go reads it: an
// optional package pattern before "=", then the flags for the packages
// it matches. Without a pattern the flags apply to the packages named on
// the command line only: the main package of a program or a plugin,
// which no other binary links.
type PackageFlag struct {
	// Pattern is "" (the command-line packages), "all", "std", "cmd", an
	// import path pattern ("..." matches anything) or a relative or
	// absolute directory pattern.
	Pattern string
	// Flags are the flags, as written.
	Flags string
}

// ParsePackageFlag parses a recorded -gcflags/-asmflags/-ldflags value.
// As cmd/go: a value that does not start with "-" is pattern=flags.
func ParsePackageFlag(v string) PackageFlag {
	v = strings.TrimSpace(v)
	if v == "" || strings.HasPrefix(v, "-") {
		return PackageFlag{Flags: v}
	}
	pat, flags, ok := strings.Cut(v, "=")
	if !ok {
		return PackageFlag{Flags: v}
	}
	return PackageFlag{Pattern: strings.TrimSpace(pat), Flags: strings.TrimSpace(flags)}
}

func (f PackageFlag) String() string {
	if f.Pattern == "" {
		return f.Flags
	}
	return f.Pattern + "=" + f.Flags
}

// Relative reports whether the pattern is a directory pattern, which
// depends on the directory the binary was built in.
func (f PackageFlag) Relative() bool {
	return strings.HasPrefix(f.Pattern, ".") || strings.HasPrefix(f.Pattern, "/")
}

// Applies reports whether the flags apply to package pkg of a binary
// whose main module is mainMod; isMain says pkg is the binary's main
// package (a command-line package). A directory pattern is taken to
// match the main module's packages (the usual ./... in the module root).
func (f PackageFlag) Applies(pkg, mainMod string, isMain bool) bool {
	switch {
	case f.Pattern == "":
		return isMain
	case f.Pattern == "all":
		return true
	case f.Pattern == "std":
		return IsStd(pkg)
	case f.Pattern == "cmd":
		return pkg == "cmd" || strings.HasPrefix(pkg, "cmd/")
	case f.Relative():
		return isMain || mainMod != "" && (pkg == mainMod || strings.HasPrefix(pkg, mainMod+"/"))
	}
	return MatchPattern(f.Pattern, pkg)
}

// For returns the flags package pkg is compiled with ("" for none).
func (f PackageFlag) For(pkg, mainMod string, isMain bool) string {
	if f.Applies(pkg, mainMod, isMain) {
		return f.Flags
	}
	return ""
}

// MatchPattern matches an import path pattern as cmd/go does: "..."
// matches any string, and "x/..." matches x too.
func MatchPattern(pat, pkg string) bool {
	if !strings.Contains(pat, "...") {
		return pat == pkg
	}
	re := regexp.QuoteMeta(pat)
	re = strings.ReplaceAll(re, `/\.\.\.`, `(/.*)?`)
	re = strings.ReplaceAll(re, `\.\.\.`, `.*`)
	ok, _ := regexp.MatchString("^"+re+"$", pkg)
	return ok
}

// IsStd reports whether an import path is of the standard library (no
// dot in its first element).
func IsStd(pkg string) bool {
	first, _, _ := strings.Cut(pkg, "/")
	return !strings.Contains(first, ".") && pkg != "main"
}

// SplitFlags splits a flag list as cmd/go does (spaces, and single or
// double quotes around an argument with spaces).
func SplitFlags(s string) []string {
	var out []string
	var cur strings.Builder
	in := false
	quote := rune(0)
	for _, r := range s {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			cur.WriteRune(r)
		case r == '\'' || r == '"':
			quote, in = r, true
		case r == ' ' || r == '\t' || r == '\n':
			if in {
				out = append(out, cur.String())
				cur.Reset()
				in = false
			}
		default:
			cur.WriteRune(r)
			in = true
		}
	}
	if in {
		out = append(out, cur.String())
	}
	return out
}

// joinFlags joins flags back into one value, quoting those with spaces.
func joinFlags(fs []string) string {
	var out []string
	for _, f := range fs {
		if strings.ContainsAny(f, " \t'\"") {
			f = fmt.Sprintf("%q", f)
		}
		out = append(out, f)
	}
	return strings.Join(out, " ")
}

// stripLinkFlags drops from -ldflags what changes no package fingerprint
// and must not be copied into plugins: -s and -w (no symbol table or
// DWARF: a stripped plugin cannot have its types checked), -X (the
// host's own variables) and -buildid. It returns what is kept and what
// was left out.
func stripLinkFlags(v string) (kept, left []string) {
	fs := SplitFlags(v)
	for i := 0; i < len(fs); i++ {
		f := fs[i]
		name, _, hasVal := strings.Cut(strings.TrimLeft(f, "-"), "=")
		switch name {
		case "s", "w":
			left = append(left, f)
		case "X", "buildid", "installsuffix":
			if !hasVal && i+1 < len(fs) {
				left = append(left, f+" "+fs[i+1])
				i++
			} else {
				left = append(left, f)
			}
		default:
			kept = append(kept, f)
		}
	}
	return kept, left
}

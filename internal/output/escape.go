package output

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Escape makes an untrusted string (a file name, a plugin's output, a
// message that quotes either) safe to print on a terminal: control
// characters (newline, carriage return, escape, the C1 controls), other
// invisible or reordering characters (such as U+202E) and bytes that are
// not UTF-8 are shown as Go escapes (\n, \x1b, \u202e, \xff), so that a
// name cannot start a line, move the cursor or draw a fake PASS line.
// Tabs and ordinary spaces are kept.
func Escape(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return !safeRune(r) }) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case safeRune(r):
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x80:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r <= 0xffff:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			fmt.Fprintf(&b, `\U%08x`, r)
		}
		i += n
	}
	return b.String()
}

// EscapeLines is Escape for text that may span lines: each line is
// escaped, the line breaks are kept (the caller indents them).
func EscapeLines(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = Escape(l)
	}
	return strings.Join(lines, "\n")
}

func safeRune(r rune) bool {
	return r == '\t' || (r != utf8.RuneError && unicode.IsPrint(r))
}

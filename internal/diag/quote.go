package diag

import (
	"strconv"
	"unicode"
	"unicode/utf8"
)

// QuotePath writes a path for a message: as it is, or Go-quoted when it
// has a character that is not printable or not UTF-8, so that a file name
// cannot hide or forge text in a diagnosis.
func QuotePath(p string) string {
	for _, r := range p {
		if r == utf8.RuneError || !unicode.IsPrint(r) {
			return strconv.Quote(p)
		}
	}
	return p
}

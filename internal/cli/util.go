package cli

import (
	"bytes"
	"strings"
)

func bytesReaderAt(b []byte) *bytes.Reader { return bytes.NewReader(b) }

func splitLines(s string) []string {
	return strings.Split(strings.TrimRight(s, "\n"), "\n")
}

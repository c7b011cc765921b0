package cli

import "strings"

func splitLines(s string) []string {
	return strings.Split(strings.TrimRight(s, "\n"), "\n")
}

// first is the first element of list, "" when empty.
func first(list []string) string {
	if len(list) == 0 {
		return ""
	}
	return list[0]
}

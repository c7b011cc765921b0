package cli

import (
	"encoding/json"
	"io"
)

// JSON document schemas: each document pluginctl prints carries one, so
// that a program reading it knows what it reads (verify's and check's
// report is verifier.Schema, build's the manifest's). A document is its
// value embedded after the field, which encoding/json writes first:
// struct{Schema string `json:"schema"`; *T}.
const (
	contractSchema = "pluginctl.contract/v1"
	inspectSchema  = "pluginctl.inspect/v1"
	diffSchema     = "pluginctl.diff/v1"
)

// writeJSON writes v as indented JSON.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// first is the first element of list, "" when empty.
func first(list []string) string {
	if len(list) == 0 {
		return ""
	}
	return list[0]
}

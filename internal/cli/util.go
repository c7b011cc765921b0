package cli

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
)

// JSON document schemas: each document pluginctl prints carries one, so
// that a program reading it knows what it reads (verify's and check's
// report is diag.Schema, build's the manifest's).
const (
	contractSchema = "pluginctl.contract/v1"
	inspectSchema  = "pluginctl.inspect/v1"
	diffSchema     = "pluginctl.diff/v1"
)

// writeJSON writes v, a JSON object, indented, with "schema" first.
func writeJSON(w io.Writer, schema string, v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return err
	}
	head, _ := json.Marshal(schema)
	doc := []byte(`{"schema":` + string(head))
	if rest := bytes.TrimPrefix(bytes.TrimSpace(body), []byte("{")); len(rest) > 0 && rest[0] != '}' {
		doc = append(append(doc, ','), rest...)
	} else {
		doc = append(doc, '}')
	}
	var out bytes.Buffer
	if err := json.Indent(&out, doc, "", "  "); err != nil {
		return err
	}
	out.WriteByte('\n')
	_, err = w.Write(out.Bytes())
	return err
}

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

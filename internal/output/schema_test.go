package output

import (
	"cmp"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/pluginctl/pluginctl/internal/diag"
)

// schema is the part of JSON Schema (draft 2020-12) the documents in
// schema/ use.
type schema struct {
	Ref         string             `json:"$ref"`
	Type        any                `json:"type"`
	Const       any                `json:"const"`
	Enum        []any              `json:"enum"`
	Description string             `json:"description"`
	Properties  map[string]*schema `json:"properties"`
	Required    []string           `json:"required"`
	Additional  *bool              `json:"additionalProperties"`
	Items       *schema            `json:"items"`
	Defs        map[string]*schema `json:"$defs"`
}

// documents are the JSON documents with a schema: the Go type each
// schema describes and the golden file rendered from it.
var documents = []struct {
	schema, golden string
	typ            reflect.Type
}{
	{"verify.schema.json", "json.golden", reflect.TypeFor[diag.Report]()},
	{"vet.schema.json", "vet-json.golden", reflect.TypeFor[diag.VetReport]()},
}

func loadSchema(t *testing.T, name string) *schema {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("schema", name))
	if err != nil {
		t.Fatal(err)
	}
	var s schema
	if err := json.Unmarshal(data, &s); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return &s
}

// resolve follows s's $ref into root's $defs.
func (s *schema) resolve(root *schema) *schema {
	for s.Ref != "" {
		s = root.Defs[strings.TrimPrefix(s.Ref, "#/$defs/")]
	}
	return s
}

// types are the JSON types s allows ("string" for a const or enum of
// strings).
func (s *schema) types() []string {
	switch t := s.Type.(type) {
	case string:
		return []string{t}
	case []any:
		var out []string
		for _, v := range t {
			out = append(out, v.(string))
		}
		return out
	}
	if v := s.Const; v != nil {
		return []string{jsonType(v)}
	}
	if len(s.Enum) > 0 {
		return []string{jsonType(s.Enum[0])}
	}
	return nil
}

func jsonType(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case bool:
		return "boolean"
	case float64:
		if v == float64(int64(v)) {
			return "integer"
		}
		return "number"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

// field is one JSON field of a Go struct.
type field struct {
	name      string
	typ       reflect.Type
	omitempty bool
}

// jsonFields are t's fields as encoding/json writes them, embedded
// structs' fields promoted.
func jsonFields(t reflect.Type) []field {
	var out []field
	for f := range t.Fields() {
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		if f.Anonymous && tag == "" && f.Type.Kind() == reflect.Struct {
			out = append(out, jsonFields(f.Type)...)
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		out = append(out, field{cmp.Or(name, f.Name), f.Type, strings.Contains(opts, "omitempty")})
	}
	return out
}

// matchGo reports where s does not describe what encoding/json writes
// for typ: a field missing or extra, a field without a description, a
// wrong type, required not the fields always present, null allowed where
// Go never writes it (or not allowed where it does).
func matchGo(root, s *schema, typ reflect.Type, path string, omitempty bool) []string {
	s = s.resolve(root)
	var errs []string
	want, null := "", "no"
	switch typ.Kind() {
	case reflect.Pointer:
		if !omitempty {
			null = "must"
		}
		typ = typ.Elem()
	case reflect.Slice:
		if !omitempty && typ.Elem().Kind() != reflect.Uint8 {
			null = "may"
		}
	}
	switch typ.Kind() {
	case reflect.String:
		want = "string"
	case reflect.Bool:
		want = "boolean"
	case reflect.Int:
		want = "integer"
	case reflect.Struct:
		want = "object"
	case reflect.Slice:
		want = "array"
		if typ.Elem().Kind() == reflect.Uint8 {
			want = "string" // base64
		}
	default:
		return append(errs, fmt.Sprintf("%s: Go type %s has no JSON Schema type here", path, typ))
	}
	got := s.types()
	if !slices.Contains(got, want) || len(got) > 2 || len(got) == 2 && !slices.Contains(got, "null") {
		errs = append(errs, fmt.Sprintf("%s: type %v, Go writes %s", path, got, want))
	}
	if has := slices.Contains(got, "null"); has && null == "no" || !has && null == "must" {
		errs = append(errs, fmt.Sprintf("%s: null allowed %v, but Go's %s (omitempty %v) writes null: %s", path, has, typ, omitempty, null))
	}
	switch want {
	case "array":
		if s.Items == nil {
			return append(errs, path+": no items")
		}
		errs = append(errs, matchGo(root, s.Items, typ.Elem(), path+"[]", false)...)
	case "object":
		if s.Additional == nil || *s.Additional {
			errs = append(errs, path+": additionalProperties is not false")
		}
		var required []string
		seen := map[string]bool{}
		for _, f := range jsonFields(typ) {
			seen[f.name] = true
			if !f.omitempty {
				required = append(required, f.name)
			}
			p, ok := s.Properties[f.name]
			if !ok {
				errs = append(errs, fmt.Sprintf("%s.%s: in Go (%s), not in the schema", path, f.name, typ))
				continue
			}
			if p.resolve(root).Description == "" {
				errs = append(errs, path+"."+f.name+": no description")
			}
			errs = append(errs, matchGo(root, p, f.typ, path+"."+f.name, f.omitempty)...)
		}
		for name := range s.Properties {
			if !seen[name] {
				errs = append(errs, fmt.Sprintf("%s.%s: in the schema, not in Go (%s)", path, name, typ))
			}
		}
		sort.Strings(required)
		have := slices.Sorted(slices.Values(s.Required))
		if !slices.Equal(required, have) {
			errs = append(errs, fmt.Sprintf("%s: required %v, Go always writes %v", path, have, required))
		}
	}
	return errs
}

// validate reports where v, a decoded JSON document, does not follow s.
func validate(root, s *schema, v any, path string) []string {
	s = s.resolve(root)
	if s.Const != nil && !reflect.DeepEqual(v, s.Const) {
		return []string{fmt.Sprintf("%s: %v, want %v", path, v, s.Const)}
	}
	if len(s.Enum) > 0 && !slices.Contains(s.Enum, v) {
		return []string{fmt.Sprintf("%s: %v not one of %v", path, v, s.Enum)}
	}
	if t := jsonType(v); !slices.Contains(s.types(), t) && !(t == "integer" && slices.Contains(s.types(), "number")) {
		return []string{fmt.Sprintf("%s: a %s, want %v", path, t, s.types())}
	}
	var errs []string
	switch v := v.(type) {
	case map[string]any:
		for _, r := range s.Required {
			if _, ok := v[r]; !ok {
				errs = append(errs, fmt.Sprintf("%s: no %s", path, r))
			}
		}
		for k, e := range v {
			p, ok := s.Properties[k]
			if !ok {
				errs = append(errs, fmt.Sprintf("%s.%s: not in the schema", path, k))
				continue
			}
			errs = append(errs, validate(root, p, e, path+"."+k)...)
		}
	case []any:
		for i, e := range v {
			errs = append(errs, validate(root, s.Items, e, fmt.Sprintf("%s[%d]", path, i))...)
		}
	}
	return errs
}

// TestSchema: each JSON Schema in schema/ describes exactly the Go type
// its document is written from (every field, documented, of the right
// type), and the golden document follows it.
func TestSchema(t *testing.T) {
	for _, d := range documents {
		t.Run(d.schema, func(t *testing.T) {
			s := loadSchema(t, d.schema)
			for _, e := range matchGo(s, s, d.typ, "$", false) {
				t.Error(e)
			}
			data, err := os.ReadFile(filepath.Join("testdata", d.golden))
			if err != nil {
				t.Fatal(err)
			}
			var v any
			if err := json.Unmarshal(data, &v); err != nil {
				t.Fatal(err)
			}
			for _, e := range validate(s, s, v, "$") {
				t.Errorf("%s: %s", d.golden, e)
			}
		})
	}
}

// TestSchemaChecksFail: the checks above find a field the schema lacks,
// one it does not document, and a document that does not follow it.
func TestSchemaChecksFail(t *testing.T) {
	s := loadSchema(t, "verify.schema.json")
	delete(s.Defs["problem"].Properties, "pos")
	s.Properties["summary"].Properties["failed"].Description = ""
	errs := strings.Join(matchGo(s, s, reflect.TypeFor[diag.Report](), "$", false), "\n")
	for _, want := range []string{"$.artifacts[].problems[].pos: in Go", "$.summary.failed: no description"} {
		if !strings.Contains(errs, want) {
			t.Errorf("matchGo missed %q:\n%s", want, errs)
		}
	}
	var v any
	json.Unmarshal([]byte(`{"schema": "pluginctl.verify/v2", "host": null, "checks": ["static", "x"], "artifacts": [{"path": 1, "name": "a", "ok": true, "problems": [], "extra": 1}]}`), &v)
	errs = strings.Join(validate(s, s, v, "$"), "\n")
	for _, want := range []string{"$.schema: pluginctl.verify/v2", "$: no summary", "$.checks[1]: x not one of", "$.artifacts[0].path: a integer", "$.artifacts[0].extra: not in the schema"} {
		if !strings.Contains(errs, want) {
			t.Errorf("validate missed %q:\n%s", want, errs)
		}
	}
}

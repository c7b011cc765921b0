package contract

import (
	"errors"
	"fmt"
	"go/token"
	"go/types"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
)

// ConfigFile is the name of the project file, at the module root.
const ConfigFile = "pluginctl.toml"

// Config is a parsed pluginctl.toml:
//
//	# pluginctl.toml, at the module root. Every key is optional.
//
//	[contract]
//	hosts = ["./cmd/server"]   # host packages to infer the contract from
//	                           # (default: the hosts pluginctl build discovers)
//	infer = true               # false: use only the declared symbols
//
//	[[symbol]]                 # one table per expected symbol
//	name = "Handler"           # exported name (required)
//	type = "func(net/http.ResponseWriter, *net/http.Request)"
//	                           # exact type, with full import paths; a variable's
//	                           # type is a pointer ("*int"). Or
//	                           # types = ["...", "..."]: alternatives, one must match.
//	                           # Neither: any type.
//	required = true            # default true; false: used when present
//	plugins = "auth*"          # default: all plugins. Comma-separated names or globs
//	                           # matched against the file name without .so, or its path
//	kind = "func"              # "func" or "var"; default: from the type
//
//	[[kind]]                   # kinds of plugin: each plugin must export every
//	name = "handler"           # symbol of at least one kind (replaces the
//	symbols = ["HandlerRegisterer"]  # kinds inferred from independent loaders)
//
//	[plugins]
//	dirs = ["plugins/"]        # every package main under these folders is a plugin
//
//	[folder]                   # which files of a folder the host opens (default:
//	match = "*.so"             # inferred from where it lists the folder); a
//	recursive = false          # file name pattern, subfolders too, names
//	fold_case = false          # compared lower-cased
//
//	api = "example.com/app/pluginapi"   # top level, before any table: the
//	                           # project's API package(s) (a string or a list);
//	                           # default: inferred from the contract's types
//	host = "hosts/server"      # top level: the host binary pluginctl check
//	                           # verifies against when it builds none
//
// Declared symbols are merged over the inferred contract (Merge): a
// [[symbol]] replaces the type and the requirement of the inferred entry
// with the same name and plugins, and adds one otherwise.
type Config struct {
	// File is the name the configuration was parsed under (positions use it).
	File string
	// Hosts are the [contract] hosts patterns.
	Hosts []string
	// Infer is [contract] infer (default true).
	Infer bool
	// Symbols are the [[symbol]] tables, in file order, each with a
	// SourceConfig source "FILE:LINE".
	Symbols []Entry
	// PluginDirs are [plugins] dirs, as written (slash-separated,
	// relative to the module root).
	PluginDirs []string
	// API are the import paths of the project's API packages (top-level
	// api, a string or a list).
	API []string
	// Kinds are the [[kind]] tables, in file order, each with a
	// SourceConfig source: they replace the inferred kinds (WithKinds).
	Kinds []Kind
	// Folder is the [folder] table: the host's rule for the files of a
	// folder it opens, replacing the inferred one.
	Folder *Folder
	// Host is the top-level host: the path of a host binary (a released
	// one) that pluginctl check verifies the plugins against when it
	// builds no host; relative to the file's directory.
	Host string
}

// ConfigError is a problem in the configuration file, at a line (0 when
// unknown).
type ConfigError struct {
	File string
	Line int
	Msg  string
}

func (e *ConfigError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return e.File + ": " + e.Msg
}

// LoadConfig reads dir/pluginctl.toml (dir: the module root). It returns
// nil and no error when the file does not exist. Positions are
// "pluginctl.toml:LINE", relative to dir.
func LoadConfig(dir string) (*Config, error) {
	data, err := os.ReadFile(filepath.Join(dir, ConfigFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return ParseConfig(ConfigFile, data)
}

// ParseConfig parses a configuration; name is used in positions and
// errors. The error joins one *ConfigError per problem.
func ParseConfig(name string, data []byte) (*Config, error) {
	cfg := &Config{File: name, Infer: true}
	var raw map[string]any
	if _, err := toml.Decode(string(data), &raw); err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, &ConfigError{File: name, Line: pe.Position.Line, Msg: pe.Message}
		}
		return nil, &ConfigError{File: name, Msg: err.Error()}
	}
	lines := indexLines(string(data))
	var errs []error
	fail := func(line int, format string, args ...any) {
		errs = append(errs, &ConfigError{File: name, Line: line, Msg: fmt.Sprintf(format, args...)})
	}
	// table calls set with each key of the table [key], in order, its
	// value and its line; false when key is not a table.
	table := func(key string, val any, set func(k string, v any, line int)) bool {
		t, ok := val.(map[string]any)
		if !ok {
			fail(lines.top(key), "%s must be a table: [%s]", key, key)
			return false
		}
		for _, k := range sortedKeys(t) {
			set(k, t[k], lines.key(key, 0, k))
		}
		return true
	}
	boolean := func(v any, line int, key string) bool {
		b, ok := v.(bool)
		if !ok {
			fail(line, "%s must be true or false", key)
		}
		return b
	}
	for _, key := range sortedKeys(raw) {
		val := raw[key]
		switch key {
		case "contract":
			table(key, val, func(k string, v any, line int) {
				switch k {
				case "hosts":
					cfg.Hosts = stringList(v, func(msg string) { fail(line, "contract.hosts: %s", msg) })
				case "infer":
					cfg.Infer = boolean(v, line, "contract.infer")
				default:
					fail(line, "unknown key contract.%s (want hosts, infer)", k)
				}
			})
		case "plugins":
			table(key, val, func(k string, v any, line int) {
				if k != "dirs" {
					fail(line, "unknown key plugins.%s (want dirs)", k)
					return
				}
				cfg.PluginDirs = stringList(v, func(msg string) { fail(line, "plugins.dirs: %s", msg) })
				for _, d := range cfg.PluginDirs {
					if filepath.IsAbs(d) || strings.HasPrefix(path.Clean(filepath.ToSlash(d)), "../") {
						fail(line, "plugins.dirs: %q is not inside the module", d)
					}
				}
			})
		case "api":
			line := lines.top(key)
			if str, ok := val.(string); ok {
				val = []any{str}
			}
			cfg.API = stringList(val, func(msg string) { fail(line, "api: %s", msg) })
			for _, a := range cfg.API {
				if a == "" || strings.ContainsAny(a, " \t\\") || strings.HasPrefix(a, ".") {
					fail(line, "api: %q is not an import path", a)
				}
			}
		case "host":
			str, ok := val.(string)
			if !ok || str == "" {
				fail(lines.top(key), "host must be the path of a host binary, a string: host = \"bin/server\"")
				continue
			}
			cfg.Host = str
		case "symbol":
			list, ok := val.([]map[string]any)
			if anys, isList := val.([]any); isList { // symbol = [{...}, ...]
				ok = true
				for _, x := range anys {
					m, isMap := x.(map[string]any)
					ok = ok && isMap
					list = append(list, m)
				}
			}
			if !ok {
				fail(lines.top(key), "symbol must be an array of tables: [[symbol]]")
				continue
			}
			seen := map[[2]string]int{}
			for i, t := range list {
				e, ok := parseSymbol(t, i, lines, fail)
				if !ok {
					continue
				}
				line := lines.key("symbol", i, "name")
				e.Sources = []Source{{Kind: SourceConfig, Pos: name + ":" + strconv.Itoa(line)}}
				k := [2]string{e.Symbol, e.Plugins}
				if prev, dup := seen[k]; dup {
					fail(line, "symbol %s declared twice for the same plugins (first at line %d)", e.Symbol, prev)
					continue
				}
				seen[k] = line
				cfg.Symbols = append(cfg.Symbols, e)
			}
		case "kind":
			list, ok := val.([]map[string]any)
			if !ok {
				fail(lines.top(key), "kind must be an array of tables: [[kind]]")
				continue
			}
			seen := map[string]int{}
			for i, t := range list {
				k, ok := parseKind(t, i, lines, fail)
				if !ok {
					continue
				}
				line := lines.table("kind", i)
				k.Sources = []Source{{Kind: SourceConfig, Pos: name + ":" + strconv.Itoa(line)}}
				if prev, dup := seen[k.Name]; dup {
					fail(line, "kind %s declared twice (first at line %d)", k.Name, prev)
					continue
				}
				seen[k.Name] = line
				cfg.Kinds = append(cfg.Kinds, k)
			}
		case "folder":
			r := &Folder{How: "declared", Pos: name + ":" + strconv.Itoa(lines.top(key))}
			if table(key, val, func(k string, v any, line int) {
				switch k {
				case "match":
					m, ok := v.(string)
					if _, err := path.Match(m, ""); !ok || err != nil || strings.Contains(m, "/") {
						fail(line, "folder.match must be a file name pattern such as \"*.so\"")
					}
					r.Match = m
				case "recursive":
					r.Recursive = boolean(v, line, "folder.recursive")
				case "fold_case":
					r.FoldCase = boolean(v, line, "folder.fold_case")
				default:
					fail(line, "unknown key folder.%s (want match, recursive, fold_case)", k)
				}
			}) {
				cfg.Folder = r
			}
		default:
			fail(lines.top(key), "unknown key %s (want api, host, [contract], [[symbol]], [[kind]], [plugins], [folder])", key)
		}
	}
	if len(errs) > 0 {
		sort.SliceStable(errs, func(i, j int) bool {
			return errs[i].(*ConfigError).Line < errs[j].(*ConfigError).Line
		})
		return nil, errors.Join(errs...)
	}
	return cfg, nil
}

func parseSymbol(t map[string]any, i int, lines *lineIndex, fail func(int, string, ...any)) (Entry, bool) {
	e := Entry{Required: true}
	header := lines.table("symbol", i)
	ok := true
	bad := func(key, format string, args ...any) {
		fail(lines.key("symbol", i, key), format, args...) // the header's line without the key
		ok = false
	}
	str := func(key string) (string, bool) {
		v, present := t[key]
		if !present {
			return "", false
		}
		s, isStr := v.(string)
		if !isStr {
			bad(key, "symbol.%s must be a string", key)
			return "", false
		}
		return s, true
	}
	for _, k := range sortedKeys(t) {
		switch k {
		case "name", "type", "types", "required", "plugins", "kind":
		default:
			bad(k, "unknown key symbol.%s (want name, type, types, required, plugins, kind)", k)
		}
	}
	name, present := str("name")
	switch {
	case !present && t["name"] == nil:
		fail(header, "[[symbol]] without a name")
		ok = false
	case present && !validSymbol(name):
		bad("name", "symbol name %q is not an exported Go identifier", name)
	}
	e.Symbol = name
	if typ, present := str("type"); present {
		e.Types = []string{typ}
		if _, both := t["types"]; both {
			bad("types", "symbol %s: give type or types, not both", name)
		}
	} else if v, present := t["types"]; present {
		listOK := true
		e.Types = stringList(v, func(msg string) { listOK = false; bad("types", "symbol.types: %s", msg) })
		if listOK && len(e.Types) == 0 {
			bad("types", "symbol %s: types is empty (leave it out to accept any type)", name)
		}
	}
	typeKey := "type"
	if _, present := t["types"]; present {
		typeKey = "types"
	}
	for j, typ := range e.Types {
		c, err := checkSymbolType(typ)
		if err != nil {
			bad(typeKey, "symbol %s: %v", name, err)
			continue
		}
		e.Types[j] = c
	}
	if v, present := t["required"]; present {
		b, isBool := v.(bool)
		if !isBool {
			bad("required", "symbol.required must be true or false")
		}
		e.Required = b
	}
	if p, present := str("plugins"); present {
		if err := checkPlugins(p); err != nil {
			bad("plugins", "symbol %s: %v", name, err)
		}
		e.Plugins = p
	}
	if k, present := str("kind"); present {
		if k != KindFunc && k != KindVar {
			bad("kind", "symbol.kind must be %q or %q", KindFunc, KindVar)
		}
		for _, typ := range e.Types {
			if tk := KindOf(typ); tk != "" && tk != k {
				bad("kind", "symbol %s: kind %s does not fit type %s (a %s's)", name, k, typ, tk)
			}
		}
		e.Kind = k
	} else {
		e.Kind = KindOf(e.Types...)
	}
	return e, ok
}

// parseKind parses a [[kind]] table: name = "handler", symbols = ["HandlerRegisterer"].
func parseKind(t map[string]any, i int, lines *lineIndex, fail func(int, string, ...any)) (Kind, bool) {
	var k Kind
	ok := true
	bad := func(key, format string, args ...any) {
		fail(lines.key("kind", i, key), format, args...)
		ok = false
	}
	for _, key := range sortedKeys(t) {
		if key != "name" && key != "symbols" {
			bad(key, "unknown key kind.%s (want name, symbols)", key)
		}
	}
	switch n, isStr := t["name"].(string); {
	case t["name"] == nil:
		bad("name", "[[kind]] without a name")
	case !isStr || strings.TrimSpace(n) == "":
		bad("name", "kind.name must be a non-empty string")
	default:
		k.Name = n
	}
	v, present := t["symbols"]
	if !present {
		bad("symbols", "kind %s: no symbols (symbols = [\"Name\", ...]: what a plugin of this kind exports)", k.Name)
		return k, false
	}
	k.Symbols = stringList(v, func(msg string) { bad("symbols", "kind.symbols: %s", msg) })
	if len(k.Symbols) == 0 {
		bad("symbols", "kind %s: symbols is empty", k.Name)
	}
	for _, s := range k.Symbols {
		if !validSymbol(s) {
			bad("symbols", "kind %s: %q is not an exported Go identifier", k.Name, s)
		}
	}
	return k, ok
}

func validSymbol(name string) bool {
	return token.IsIdentifier(name) && token.IsExported(name)
}

// checkSymbolType canonicalizes a declared type and refuses types that
// Lookup can never return.
func checkSymbolType(typ string) (string, error) {
	c, err := CanonicalType(typ)
	if err != nil {
		return "", err
	}
	if _, basic := types.Universe.Lookup(c).(*types.TypeName); basic && c != "error" || strings.HasPrefix(c, "[") ||
		strings.HasPrefix(c, "map[") || strings.HasPrefix(c, "chan ") || strings.HasPrefix(c, "struct{") {
		return "", fmt.Errorf("type %s is never what Lookup returns: a variable's is a pointer (*%s), a function's a func type", c, c)
	}
	return c, nil
}

func checkPlugins(p string) error {
	for _, g := range strings.Split(p, ",") {
		g = strings.TrimSpace(g)
		if g == "" {
			return fmt.Errorf("empty name in plugins %q", p)
		}
		if _, err := path.Match(g, ""); err != nil {
			return fmt.Errorf("bad glob %q in plugins", g)
		}
	}
	return nil
}

func stringList(v any, fail func(string)) []string {
	list, ok := v.([]any)
	if !ok {
		fail("must be a list of strings")
		return nil
	}
	var out []string
	for _, x := range list {
		s, ok := x.(string)
		if !ok {
			fail("must be a list of strings")
			return nil
		}
		out = append(out, s)
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}

// lineIndex finds the lines of table headers and keys, which the TOML
// decoder does not report.
type lineIndex struct {
	tables map[string][]int // header lines, by table name, in order
	keys   map[string]int   // "table#index.key" -> line
}

var (
	headerRE = regexp.MustCompile(`^\s*(\[\[?)\s*([A-Za-z0-9_.-]+)\s*\]\]?`)
	keyRE    = regexp.MustCompile(`^\s*([A-Za-z0-9_-]+|"[^"]*"|'[^']*')\s*(\.\s*[A-Za-z0-9_-]+\s*)?=`)
)

func indexLines(src string) *lineIndex {
	li := &lineIndex{tables: map[string][]int{}, keys: map[string]int{}}
	table, index := "", 0
	inString := ""
	for n, line := range strings.Split(src, "\n") {
		lineNo := n + 1
		if inString != "" {
			if strings.Count(line, inString)%2 == 1 {
				inString = ""
			}
			continue
		}
		if m := headerRE.FindStringSubmatch(line); m != nil {
			table = m[2]
			li.tables[table] = append(li.tables[table], lineNo)
			index = len(li.tables[table]) - 1
			continue
		}
		if m := keyRE.FindStringSubmatch(line); m != nil {
			key := strings.Trim(m[1], `"'`)
			t, i := table, index
			if m[2] != "" && table == "" { // dotted key: plugins.dirs = [...]
				t, i = key, 0
				key = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(m[2]), "."))
			}
			k := fmt.Sprintf("%s#%d.%s", t, i, key)
			if _, dup := li.keys[k]; !dup {
				li.keys[k] = lineNo
			}
		}
		for _, q := range []string{`"""`, `'''`} {
			if strings.Count(line, q)%2 == 1 {
				inString = q
			}
		}
	}
	return li
}

func (li *lineIndex) key(table string, index int, key string) int {
	if l, ok := li.keys[fmt.Sprintf("%s#%d.%s", table, index, key)]; ok {
		return l
	}
	return li.table(table, index)
}

// top returns the line of a top-level key or table.
func (li *lineIndex) top(key string) int {
	if l, ok := li.keys["#0."+key]; ok {
		return l
	}
	return li.table(key, 0)
}

func (li *lineIndex) table(table string, index int) int {
	if ls := li.tables[table]; index < len(ls) {
		return ls[index]
	}
	return 0
}

// ParseExpect parses an --expect flag:
//
//	[PLUGINS:]NAME[?][=TYPE[|TYPE...]]
//
// NAME is the exported symbol; TYPE its exact type with full import paths
// (alternatives separated by |; none: any type); a ? after the name makes
// it optional (default required); PLUGINS restricts it to the plugins
// matching those comma-separated names or globs. Examples:
//
//	Seven=*int
//	auth*:Handler=func(net/http.ResponseWriter, *net/http.Request)
//	Describe?=func() string
//	New=func() example.com/app/api.Source|func() example.com/app/api.Sink
func ParseExpect(s string) (Entry, error) {
	e := Entry{Required: true, Sources: []Source{{Kind: SourceExpect, Pos: "--expect " + s}}}
	left, typs, hasType := strings.Cut(s, "=")
	left = strings.TrimSpace(left)
	if i := strings.LastIndex(left, ":"); i >= 0 {
		e.Plugins = strings.TrimSpace(left[:i])
		left = strings.TrimSpace(left[i+1:])
		if err := checkPlugins(e.Plugins); err != nil {
			return Entry{}, fmt.Errorf("--expect %s: %v", s, err)
		}
	}
	if name, ok := strings.CutSuffix(left, "?"); ok {
		e.Required = false
		left = strings.TrimSpace(name)
	}
	if !validSymbol(left) {
		return Entry{}, fmt.Errorf("--expect %s: %q is not an exported Go identifier (want [PLUGINS:]NAME[?]=TYPE)", s, left)
	}
	e.Symbol = left
	if hasType {
		for _, t := range strings.Split(typs, "|") {
			c, err := checkSymbolType(t)
			if err != nil {
				return Entry{}, fmt.Errorf("--expect %s: %v", s, err)
			}
			e.Types = append(e.Types, c)
		}
	}
	e.Kind = KindOf(e.Types...)
	return e, nil
}

// Resolve returns the contract in force: the declared entries merged over
// the inferred contract, or over the pluginapi convention (Default of
// apiPkg) when nothing is known otherwise (no inferred entry or
// unresolved lookup, nothing declared). apiPkg "" means no convention.
func Resolve(inferred *Contract, apiPkg string, declared ...Entry) *Contract {
	known := inferred != nil && (len(inferred.Entries) > 0 || len(inferred.Unresolved) > 0)
	if !known && len(declared) == 0 && apiPkg != "" {
		c := Default(apiPkg)
		if inferred != nil {
			c.Hosts = inferred.Hosts
		}
		return Merge(c)
	}
	return Merge(inferred, declared...)
}

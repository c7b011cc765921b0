package contract

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const goodConfig = `# pluginctl.toml
[contract]
hosts = ["./cmd/server"]
infer = false

[[symbol]]
name = "Handler"
type = "func(w net/http.ResponseWriter, r *net/http.Request)"
required = true
plugins = "auth*"

[[symbol]]
name = "New"
types = ["func() example.com/app/api.Source", "func() example.com/app/api.Sink"]

[[symbol]]
# optional variable, any plugin
name = "Debug"
type = "*bool"
required = false
kind = "var"

[[symbol]]
name = "Anything"

[plugins]
dirs = ["plugins/", "extra/plugins"]
`

func TestParseConfig(t *testing.T) {
	cfg, err := ParseConfig("pluginctl.toml", []byte(goodConfig))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(cfg.Hosts, []string{"./cmd/server"}) || cfg.Infer || !slices.Equal(cfg.PluginDirs, []string{"plugins/", "extra/plugins"}) {
		t.Errorf("%+v", cfg)
	}
	want := []Entry{
		{Symbol: "Handler", Types: []string{"func(net/http.ResponseWriter, *net/http.Request)"}, Kind: KindFunc, Required: true, Plugins: "auth*",
			Sources: []Source{{Kind: SourceConfig, Pos: "pluginctl.toml:7"}}},
		{Symbol: "New", Types: []string{"func() example.com/app/api.Source", "func() example.com/app/api.Sink"}, Kind: KindFunc, Required: true,
			Sources: []Source{{Kind: SourceConfig, Pos: "pluginctl.toml:13"}}},
		{Symbol: "Debug", Types: []string{"*bool"}, Kind: KindVar, Required: false,
			Sources: []Source{{Kind: SourceConfig, Pos: "pluginctl.toml:18"}}},
		{Symbol: "Anything", Required: true, Sources: []Source{{Kind: SourceConfig, Pos: "pluginctl.toml:24"}}},
	}
	if len(cfg.Symbols) != len(want) {
		t.Fatalf("%d symbols: %+v", len(cfg.Symbols), cfg.Symbols)
	}
	for i, w := range want {
		g := cfg.Symbols[i]
		if !entryEqual(g, w) || !slices.Equal(g.Sources, w.Sources) {
			t.Errorf("symbol %d:\n got %+v\nwant %+v", i, g, w)
		}
	}

	empty, err := ParseConfig("pluginctl.toml", nil)
	if err != nil || !empty.Infer || len(empty.Symbols) != 0 {
		t.Errorf("empty file: %+v, %v", empty, err)
	}
	host, err := ParseConfig("pluginctl.toml", []byte("host = \"released/server\"\napi = \"example.com/api\"\n"))
	if err != nil || host.Host != "released/server" {
		t.Errorf("host: %+v, %v", host, err)
	}
	dotted, err := ParseConfig("p.toml", []byte("plugins.dirs = [\"p\"]\nsymbol = [{name = \"X\", type = \"*int\"}]\n"))
	if err != nil || !slices.Equal(dotted.PluginDirs, []string{"p"}) || len(dotted.Symbols) != 1 {
		t.Errorf("dotted keys and inline tables: %+v, %v", dotted, err)
	}
}

func TestParseConfigErrors(t *testing.T) {
	for _, tt := range []struct {
		name, src string
		want      []string // each a line of the error
	}{
		{"syntax", "[[symbol]]\nname = \"X\nx", []string{"pluginctl.toml:2: "}},
		{"unknown top-level key", "\n\n[contracts]\nhosts = []\n", []string{"pluginctl.toml:3: unknown key contracts"}},
		{"unknown symbol key", "[[symbol]]\nname = \"X\"\ntyp = \"*int\"\n", []string{"pluginctl.toml:3: unknown key symbol.typ"}},
		{"unknown contract key", "[contract]\nhost = [\"x\"]\n", []string{"pluginctl.toml:2: unknown key contract.host"}},
		{"missing name", "[[symbol]]\ntype = \"*int\"\n\n[[symbol]]\nname = \"Y\"\n[[symbol]]\nrequired = false\n", []string{
			"pluginctl.toml:1: [[symbol]] without a name", "pluginctl.toml:6: [[symbol]] without a name"}},
		{"bad name", "[[symbol]]\nname = \"lower\"\n", []string{`pluginctl.toml:2: symbol name "lower" is not an exported Go identifier`}},
		{"bad type", "[[symbol]]\nname = \"Handler\"\n\ntype = \"func(ResponseWriter)\"\n", []string{"pluginctl.toml:4: symbol Handler: not a Go type: \"func(ResponseWriter)\": unqualified type name ResponseWriter"}},
		{"not what Lookup returns", "[[symbol]]\nname = \"Seven\"\ntype = \"int\"\n", []string{"pluginctl.toml:3: symbol Seven: type int is never what Lookup returns: a variable's is a pointer (*int)"}},
		{"type and types", "[[symbol]]\nname = \"X\"\ntype = \"*int\"\ntypes = [\"*int\"]\n", []string{"pluginctl.toml:4: symbol X: give type or types, not both"}},
		{"types not strings", "[[symbol]]\nname = \"X\"\ntypes = [1]\n", []string{"pluginctl.toml:3: symbol.types: must be a list of strings"}},
		{"required not a bool", "[[symbol]]\nname = \"X\"\nrequired = \"yes\"\n", []string{"pluginctl.toml:3: symbol.required must be true or false"}},
		{"kind", "[[symbol]]\nname = \"X\"\ntype = \"*int\"\nkind = \"func\"\n", []string{"pluginctl.toml:4: symbol X: kind func does not fit type *int (a var's)"}},
		{"bad kind", "[[symbol]]\nname = \"X\"\nkind = \"const\"\n", []string{`pluginctl.toml:3: symbol.kind must be "func" or "var"`}},
		{"bad glob", "[[symbol]]\nname = \"X\"\nplugins = \"a[\"\n", []string{`pluginctl.toml:3: symbol X: bad glob "a[" in plugins`}},
		{"duplicate", "[[symbol]]\nname = \"X\"\n[[symbol]]\nname = \"X\"\n", []string{"pluginctl.toml:4: symbol X declared twice for the same plugins (first at line 2)"}},
		{"dirs outside", "[plugins]\ndirs = [\"../elsewhere\"]\n", []string{`pluginctl.toml:2: plugins.dirs: "../elsewhere" is not inside the module`}},
		{"symbol is a table", "[symbol]\nname = \"X\"\n", []string{"pluginctl.toml:1: symbol must be an array of tables"}},
		{"infer not a bool", "[contract]\n\ninfer = 1\n", []string{"pluginctl.toml:3: contract.infer must be true or false"}},
		{"host not a string", "\nhost = [\"a\"]\n", []string{"pluginctl.toml:2: host must be the path of a host binary"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseConfig("pluginctl.toml", []byte(tt.src))
			if err == nil {
				t.Fatal("no error")
			}
			lines := strings.Split(err.Error(), "\n")
			if len(lines) != len(tt.want) {
				t.Fatalf("errors:\n%v\nwant %d", err, len(tt.want))
			}
			for i, w := range tt.want {
				if !strings.HasPrefix(lines[i], w) {
					t.Errorf("error %q, want prefix %q", lines[i], w)
				}
			}
			var ce *ConfigError
			if !errors.As(err, &ce) || ce.File != "pluginctl.toml" || ce.Line == 0 {
				t.Errorf("not a positioned *ConfigError: %#v", err)
			}
		})
	}
}

func TestLoadConfig(t *testing.T) {
	dir := t.TempDir()
	if cfg, err := LoadConfig(dir); cfg != nil || err != nil {
		t.Errorf("no file: %v, %v", cfg, err)
	}
	if err := os.WriteFile(filepath.Join(dir, ConfigFile), []byte(goodConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := LoadConfig(dir)
	if err != nil || cfg.File != ConfigFile || len(cfg.Symbols) != 4 {
		t.Errorf("%+v, %v", cfg, err)
	}
}

func TestParseExpect(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want Entry
	}{
		{"Seven=*int", Entry{Symbol: "Seven", Types: []string{"*int"}, Kind: KindVar, Required: true}},
		{"Answer=func() int", Entry{Symbol: "Answer", Types: []string{"func() int"}, Kind: KindFunc, Required: true}},
		{"auth*:Handler=func(w net/http.ResponseWriter, r *net/http.Request)", Entry{Symbol: "Handler",
			Types: []string{"func(net/http.ResponseWriter, *net/http.Request)"}, Kind: KindFunc, Required: true, Plugins: "auth*"}},
		{"Describe?=func() string", Entry{Symbol: "Describe", Types: []string{"func() string"}, Kind: KindFunc}},
		{"a,b:New=func() example.com/app/api.Source|func() example.com/app/api.Sink", Entry{Symbol: "New",
			Types: []string{"func() example.com/app/api.Source", "func() example.com/app/api.Sink"}, Kind: KindFunc, Required: true, Plugins: "a,b"}},
		{"Present", Entry{Symbol: "Present", Required: true}},
		{"Mixed=*int|func() int", Entry{Symbol: "Mixed", Types: []string{"*int", "func() int"}, Required: true}},
	} {
		got, err := ParseExpect(tt.in)
		if err != nil {
			t.Errorf("ParseExpect(%q): %v", tt.in, err)
			continue
		}
		if !entryEqual(got, tt.want) || len(got.Sources) != 1 || got.Sources[0] != (Source{Kind: SourceExpect, Pos: "--expect " + tt.in}) {
			t.Errorf("ParseExpect(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
	for _, bad := range []string{"", "=*int", "seven=*int", "Seven=", "Seven=int", "Seven=Plugin", "x[:Seven=*int", "Se ven=*int", "Seven=*int|"} {
		if got, err := ParseExpect(bad); err == nil {
			t.Errorf("ParseExpect(%q) = %+v, want an error", bad, got)
		} else if !strings.HasPrefix(err.Error(), "--expect ") {
			t.Errorf("ParseExpect(%q): error %q does not name the flag", bad, err)
		}
	}
}

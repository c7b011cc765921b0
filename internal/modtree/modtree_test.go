package modtree

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Nested modules, and the plugins and hosts in them, are found from their
// files; main modules, skipped folders and the root are not nested.
func TestFind(t *testing.T) {
	root := t.TempDir()
	for name, content := range map[string]string{
		"go.mod":                   "module example.com/shop\n",
		"plugins/filter/filter.go": "package main\n\nfunc New() any { return nil }\n",
		"plugins/ext/go.mod":       "module example.com/ext\n",
		"plugins/ext/ext.go":       "package main\n\nfunc New() any { return nil }\n",
		"plugins/ext/cmd/h/h.go":   "package main\n\nimport \"example.com/api/loader\"\n\nvar _ = loader.Load\n\nfunc main() {}\n",
		"plugins/ext/in/go.mod":    "module example.com/in\n",
		"plugins/ext/in/p.go":      "package main\n\nvar New = 1\n",
		"host/go.mod":              "module example.com/host\n",
		"host/main.go":             "package main\n\nimport _ \"plugin\"\n\nfunc main() {}\n",
		"work/go.mod":              "module example.com/work\n",
		"work/p.go":                "package main\n\nfunc New() any { return nil }\n",
		"testdata/m/go.mod":        "module example.com/ignored\n",
		"_old/go.mod":              "module example.com/old\n",
		"broken/go.mod":            "modul\n",
	} {
		p := filepath.Join(root, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	for _, m := range Find(root, []string{root, filepath.Join(root, "work")}, "example.com/api/loader") {
		rel, _ := filepath.Rel(root, m.Dir)
		got = append(got, rel+"="+m.File.Module.Mod.Path+" plugins"+strings.Join(m.Plugins, ",")+" hosts"+strings.Join(m.Hosts, ","))
	}
	want := "host=example.com/host plugins hostsexample.com/host;" +
		"plugins/ext=example.com/ext pluginsexample.com/ext hostsexample.com/ext/cmd/h;" +
		"plugins/ext/in=example.com/in pluginsexample.com/in hosts"
	if strings.Join(got, ";") != want {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, ";\n"), strings.ReplaceAll(want, ";", ";\n"))
	}
}

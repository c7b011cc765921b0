package builder

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestNestedPlugins(t *testing.T) {
	root := t.TempDir()
	write := func(name, content string) {
		p := filepath.Join(root, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("go.mod", "module example.com/shop\n")
	write("plugins/filter/filter.go", "package main\n\nfunc New() any { return nil }\n")
	write("plugins/ext/go.mod", "module example.com/ext\n")
	write("plugins/ext/ext.go", "package main\n\nfunc New() any { return nil }\n")
	write("plugins/deep/go.mod", "module example.com/deep\n")
	write("plugins/deep/cmd/p/p.go", "package main\n\nvar New = func() any { return nil }\n")
	write("tools/go.mod", "module example.com/tools\n") // a module, but no plugin in it
	write("tools/lint/main.go", "package main\n\nfunc main() {}\n")
	write("work/go.mod", "module example.com/work\n") // in the go.work: part of the build
	write("work/p/p.go", "package main\n\nfunc New() any { return nil }\n")
	write("testdata/mod/go.mod", "module example.com/ignored\n")
	write("testdata/mod/p.go", "package main\n\nfunc New() any { return nil }\n")

	got := nestedPlugins(root, []string{"./..."}, []string{root, filepath.Join(root, "work")})
	if len(got) != 2 || !strings.HasPrefix(got[0], "plugins/deep has its own go.mod") || !strings.HasPrefix(got[1], "plugins/ext has its own go.mod") {
		t.Fatalf("got %q", got)
	}
	if !strings.Contains(got[1], "go work use plugins/ext") || !strings.Contains(got[1], "cd plugins/ext && pluginctl build") {
		t.Errorf("no fix in %q", got[1])
	}
	if got := nestedPlugins(root, []string{"./plugins/filter"}, []string{root}); len(got) != 0 {
		t.Errorf("a pattern without ... names what it builds; got %q", got)
	}
	if got := nestedPlugins(root, []string{"example.com/shop/..."}, []string{root}); len(got) != 0 {
		t.Errorf("import path patterns are left alone; got %q", got)
	}
}

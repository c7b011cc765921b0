package contract

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestFolderFiles(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"good.so", "Legacy.SO", "readme.txt", "zz/legacy.so", "zz/deep/x.so", "a.so.bak"} {
		p := filepath.Join(dir, filepath.FromSlash(f))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	rel := func(ps []string) []string {
		var out []string
		for _, p := range ps {
			r, _ := filepath.Rel(dir, p)
			out = append(out, filepath.ToSlash(r))
		}
		return out
	}
	for _, tt := range []struct {
		name       string
		rule       Folder
		open, left []string
	}{
		{"readdir *.so", Folder{How: "readdir", Match: "*.so"},
			[]string{"good.so"}, []string{"Legacy.SO", "a.so.bak", "readme.txt", "zz/deep/x.so", "zz/legacy.so"}},
		{"walk, folded", Folder{How: "walk", Recursive: true, Match: "*.so", FoldCase: true},
			[]string{"Legacy.SO", "good.so", "zz/deep/x.so", "zz/legacy.so"}, []string{"a.so.bak", "readme.txt"}},
		{"every file", Folder{How: "readdir"},
			[]string{"Legacy.SO", "a.so.bak", "good.so", "readme.txt"}, []string{"zz/deep/x.so", "zz/legacy.so"}},
		{"contains", Folder{How: "readdir", Match: "*.so*"},
			[]string{"a.so.bak", "good.so"}, []string{"Legacy.SO", "readme.txt", "zz/deep/x.so", "zz/legacy.so"}},
	} {
		open, left, err := tt.rule.Files(dir)
		if err != nil {
			t.Fatal(err)
		}
		if got := rel(open); !slices.Equal(got, tt.open) {
			t.Errorf("%s: opens %q, want %q", tt.name, got, tt.open)
		}
		if got := rel(left); !slices.Equal(got, tt.left) {
			t.Errorf("%s: leaves %q, want %q", tt.name, got, tt.left)
		}
	}
}

func TestForMostSpecific(t *testing.T) {
	lookup := []Source{{Kind: SourceLookup, Pos: "host.go:1"}}
	c := &Contract{Entries: []Entry{
		{Symbol: "Seven", Plugins: "plugin1", Required: true, Sources: lookup},
		{Symbol: "FuncVar", Plugins: "sub/plugin1", Required: true, Sources: lookup},
		{Symbol: "All", Required: true, Sources: lookup},
		{Symbol: "Declared", Plugins: "plugin*", Required: true, Sources: []Source{{Kind: SourceConfig, Pos: "pluginctl.toml:1"}}},
	}}
	names := func(path string) []string {
		var out []string
		for _, e := range c.For(path) {
			out = append(out, e.Symbol)
		}
		return out
	}
	if got, want := names("plugin1.so"), []string{"Seven", "All", "Declared"}; !slices.Equal(got, want) {
		t.Errorf("For(plugin1.so) = %q, want %q", got, want)
	}
	if got, want := names("x/sub/plugin1.so"), []string{"FuncVar", "All", "Declared"}; !slices.Equal(got, want) {
		t.Errorf("For(x/sub/plugin1.so) = %q, want %q", got, want)
	}
}

package builder

import (
	"os"
	"path/filepath"
	"testing"
)

// TestReplaceWholeOrNothing: when a rename fails halfway through the set,
// the files already moved are put back, so OUT keeps the previous set.
func TestReplaceWholeOrNothing(t *testing.T) {
	out := t.TempDir()
	stage := filepath.Join(out, stagePrefix+"test")
	write := func(name, content string) {
		os.MkdirAll(filepath.Dir(name), 0o755)
		if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(out, "host"), "old host")
	write(filepath.Join(out, "plugins", "a.so"), "old a")
	write(filepath.Join(stage, "host"), "new host")
	write(filepath.Join(stage, "plugins", "a.so"), "new a")
	write(filepath.Join(stage, "plugins", "b.so"), "new b")
	// pluginctl.json is not staged: its rename fails, after the others.
	b := &run{out: out, stage: stage}
	if err := b.replace([]string{"host", "plugins/a.so", "plugins/b.so", "pluginctl.json"}); err == nil {
		t.Fatal("replace succeeded without a staged manifest")
	}
	for name, want := range map[string]string{"host": "old host", "plugins/a.so": "old a"} {
		got, err := os.ReadFile(filepath.Join(out, name))
		if err != nil || string(got) != want {
			t.Errorf("%s = %q, %v; want the previous %q", name, got, err, want)
		}
	}
	if _, err := os.Stat(filepath.Join(out, "plugins", "b.so")); !os.IsNotExist(err) {
		t.Errorf("plugins/b.so, new in the failed set, was left in OUT: %v", err)
	}

	// With everything staged, the set is replaced.
	write(filepath.Join(stage, "host"), "new host")
	write(filepath.Join(stage, "plugins", "a.so"), "new a")
	write(filepath.Join(stage, "plugins", "b.so"), "new b")
	write(filepath.Join(stage, "pluginctl.json"), "{}")
	if err := b.replace([]string{"host", "plugins/a.so", "plugins/b.so", "pluginctl.json"}); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"host": "new host", "plugins/a.so": "new a", "plugins/b.so": "new b", "pluginctl.json": "{}"} {
		if got, _ := os.ReadFile(filepath.Join(out, name)); string(got) != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
}

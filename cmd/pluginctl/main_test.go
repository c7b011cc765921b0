package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){"pluginctl": func() { os.Exit(run()) }})
}

// TestScript runs the end-to-end scenarios in testdata/script: real go
// builds of real modules, through the real command line.
//
// In a script's go.mod, $REPO stands for this repository's root, so that a
// module can use pluginapi through a replace directive; a go.mod mentioning
// it gets this repository's go.sum unless the script provides one.
func TestScript(t *testing.T) {
	repo, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	goenv := map[string]string{}
	for _, v := range []string{"GOCACHE", "GOMODCACHE", "GOPATH", "GOPROXY", "GOFLAGS", "GONOSUMDB", "GOSUMDB", "GOTOOLCHAIN"} {
		out, err := exec.Command("go", "env", v).Output()
		if err != nil {
			t.Fatal(err)
		}
		goenv[v] = strings.TrimSpace(string(out))
	}
	gosum, err := os.ReadFile(filepath.Join(repo, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		Setup: func(env *testscript.Env) error {
			for k, v := range goenv {
				env.Setenv(k, v)
			}
			env.Setenv("REPO", repo)
			env.Setenv("XDG_CACHE_HOME", filepath.Join(env.WorkDir, ".cache"))
			env.Setenv("CGO_ENABLED", "1")
			return filepath.WalkDir(env.WorkDir, func(path string, d os.DirEntry, err error) error {
				if err != nil || d.IsDir() || (d.Name() != "go.mod" && d.Name() != "go.work") {
					return err
				}
				data, err := os.ReadFile(path)
				if err != nil || !strings.Contains(string(data), "$REPO") {
					return err
				}
				if err := os.WriteFile(path, []byte(strings.ReplaceAll(string(data), "$REPO", repo)), 0o644); err != nil {
					return err
				}
				sum := filepath.Join(filepath.Dir(path), "go.sum")
				if _, err := os.Stat(sum); os.IsNotExist(err) && d.Name() == "go.mod" {
					return os.WriteFile(sum, gosum, 0o644)
				}
				return nil
			})
		},
	})
}

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestVetTool builds pluginctl-vet and runs it under go vet -vettool, and
// standalone, on a small module with one broken plugin.
func TestVetTool(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the vet tool")
	}
	repo, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	tool := filepath.Join(tmp, "pluginctl-vet")
	run(t, ".", nil, "go", "build", "-o", tool, ".")

	mod := filepath.Join(tmp, "mod")
	write := func(name, content string) {
		p := filepath.Join(mod, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("go.mod", "module example.com/m\n\ngo 1.26.0\n\nrequire github.com/pluginctl/pluginctl v0.0.0\n\nreplace github.com/pluginctl/pluginctl => "+repo+"\n")
	sum, _ := os.ReadFile(filepath.Join(repo, "go.sum"))
	write("go.sum", string(sum))
	write("plugins/stale/main.go", `package main

import "github.com/pluginctl/pluginctl/pluginapi"

var APIVersion = "v0"

type p struct{}

func (p) Name() string { return "stale" }

func (p) Handle(r *pluginapi.Request) (*pluginapi.Response, error) { return nil, nil }

func New() pluginapi.Plugin { return p{} }

func main() {}
`)
	env := append(os.Environ(), "GOWORK=off", "GOFLAGS=-buildvcs=false")

	out, err := output(mod, env, "go", "vet", "-vettool="+tool, "./...")
	if err == nil || !strings.Contains(out, `plugins/stale/main.go:5:18: APIVersion is the hand-copied literal "v0"`) {
		t.Errorf("go vet -vettool: %v\n%s", err, out)
	}
	// -api points every analyzer at another API package: this plugin does
	// not use that one, so the convention does not apply to it.
	if out, err := output(mod, env, "go", "vet", "-vettool="+tool, "-api=example.com/other", "./..."); err != nil || out != "" {
		t.Errorf("go vet -vettool -api: %v\n%s", err, out)
	}
	// Analyzers can be deselected like go vet's own.
	if out, err := output(mod, env, "go", "vet", "-vettool="+tool, "-contract=false", "./..."); err != nil || out != "" {
		t.Errorf("go vet -vettool -contract=false: %v\n%s", err, out)
	}
	// Standalone: the runner, with its summary line and exit status 1.
	out, err = output(mod, env, tool, "./...")
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 ||
		!strings.Contains(out, "plugins/stale/main.go:5:18: error apiversion:") || !strings.Contains(out, "pluginctl vet: 1 problem (1 error, 0 warnings)") {
		t.Errorf("standalone: %v\n%s", err, out)
	}

	// A contract declared in pluginctl.toml: go vet checks it, like the
	// runner; the declared contract has no APIVersion, so apiversion
	// leaves the stale plugin alone in both.
	write("pluginctl.toml", `[[symbol]]
name = "Seven"
type = "*int"

[[symbol]]
name = "Double"
type = "func(int) int"
`)
	write("plugins/noseven/main.go", "package main\n\nfunc Double(x int) int { return 2 * x }\n\nfunc main() {}\n")
	write("plugins/good/main.go", "package main\n\nvar Seven = 7\n\nfunc Double(x int) int { return 2 * x }\n\nfunc main() {}\n")
	const missing = `plugins/noseven/main.go:1:9: plugin has no Seven: the host looks up "Seven" as *int and refuses the plugin without it (pluginctl.toml:2)`
	out, err = output(mod, env, "go", "vet", "-vettool="+tool, "./...")
	if err == nil || !strings.Contains(out, missing) || strings.Contains(out, "APIVersion") || strings.Contains(out, "plugins/good") {
		t.Errorf("go vet -vettool with pluginctl.toml: %v\n%s", err, out)
	}
	// The stale plugin declares New: a plugin (project.Classify), so the
	// declared contract applies to it too.
	out, err = output(mod, env, tool, "./...")
	if !strings.Contains(out, strings.Replace(missing, "1:9: ", "1:9: error contract: ", 1)) || !strings.Contains(out, "pluginctl vet: 3 problems (3 errors, 0 warnings) in 3 packages (3 plugins, 0 hosts)") {
		t.Errorf("standalone with pluginctl.toml: %v\n%s", err, out)
	}
	// A broken pluginctl.toml is an error.
	write("pluginctl.toml", "[[symbol]]\nname = \"seven\"\n")
	if out, err := output(mod, env, "go", "vet", "-vettool="+tool, "./..."); err == nil || !strings.Contains(out, "pluginctl.toml:2:") {
		t.Errorf("go vet -vettool with a bad pluginctl.toml: %v\n%s", err, out)
	}
}

func output(dir string, env []string, name string, args ...string) (string, error) {
	cmd := exec.Command(name, args...)
	cmd.Dir, cmd.Env = dir, env
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func run(t *testing.T, dir string, env []string, name string, args ...string) {
	t.Helper()
	if out, err := output(dir, env, name, args...); err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
}

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// actionlintVersion is the actionlint TestReadmeWorkflow installs.
const actionlintVersion = "github.com/rhysd/actionlint/cmd/actionlint@v1.7.12"

// TestReadmeWorkflow: README's GitHub Actions example is one check step
// that writes a report, then its upload, and actionlint finds nothing
// wrong with it. actionlint comes from PATH, else is installed from the
// module proxy; the test is skipped, saying why, when neither works.
func TestReadmeWorkflow(t *testing.T) {
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	i := strings.Index(text, "## The CI gate")
	if i < 0 {
		t.Fatal("README has no CI gate section")
	}
	text = text[i:]
	start := strings.Index(text, "```yaml\n")
	if start < 0 {
		t.Fatal("the CI gate section has no yaml block")
	}
	text = text[start+len("```yaml\n"):]
	workflow := text[:strings.Index(text, "```")]
	for _, want := range []string{"pluginctl check --format github --output report.xml", "actions/upload-artifact", "if: always()"} {
		if !strings.Contains(workflow, want) {
			t.Errorf("the workflow lacks %q:\n%s", want, workflow)
		}
	}
	if n := strings.Count(workflow, "pluginctl check"); n != 1 || strings.Contains(workflow, "pluginctl verify") {
		t.Errorf("the workflow should be one check step:\n%s", workflow)
	}
	if testing.Short() {
		t.Skip("installs actionlint")
	}
	lint, err := exec.LookPath("actionlint")
	if err != nil {
		bin := t.TempDir()
		cmd := exec.Command("go", "install", actionlintVersion)
		cmd.Env = append(os.Environ(), "GOBIN="+bin, "GOFLAGS=")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Skipf("actionlint is not on PATH and could not be installed from the module proxy: %v\n%s", err, out)
		}
		lint = filepath.Join(bin, "actionlint")
	}
	dir := t.TempDir()
	wf := filepath.Join(dir, ".github", "workflows", "plugins.yml")
	if err := os.MkdirAll(filepath.Dir(wf), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(wf, []byte(workflow), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(lint, "-shellcheck=", "-pyflakes=", wf)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("actionlint: %v\n%s", err, out)
	}
}

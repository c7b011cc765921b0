package vet

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pluginctl/pluginctl/internal/fixture"
)

// The apicopy layouts are small generated modules: no network, local
// replacements only.

const testAPI = "example.com/app/pluginapi"

const apiSource = `package pluginapi

const APIVersion = "v1"

type Plugin interface{ Name() string }
`

const hostSource = `package main

import (
	"plugin"

	"example.com/app/pluginapi"
)

func main() {
	p, err := plugin.Open("x.so")
	if err != nil {
		return
	}
	v, _ := p.Lookup("APIVersion")
	if s, ok := v.(*string); !ok || *s != pluginapi.APIVersion {
		return
	}
	n, err := p.Lookup("New")
	if err != nil {
		return
	}
	if newFn, ok := n.(func() pluginapi.Plugin); ok {
		_ = newFn()
	}
}
`

const pluginSource = `package main

import "example.com/app/pluginapi"

var APIVersion = pluginapi.APIVersion

type plug struct{}

func (plug) Name() string { return "p" }

func New() pluginapi.Plugin { return plug{} }

func main() {}
`

func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	fixture.WriteFiles(t, dir, files)
	return dir
}

func testEnv(extra ...string) []string {
	return append(os.Environ(), append([]string{"GOTOOLCHAIN=local", "GOPROXY=off", "GOFLAGS=-buildvcs=false"}, extra...)...)
}

func runAPICopy(t *testing.T, dir string, env []string) *Result {
	t.Helper()
	res, err := Run(context.Background(), Options{Dir: dir, APIPackage: testAPI, Env: env, Checks: []string{"apicopy"}})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// want checks that res has exactly the given "category@pos" findings.
func want(t *testing.T, res *Result, wants ...string) {
	t.Helper()
	var got []string
	for _, f := range res.Findings {
		got = append(got, f.Category+"@"+f.Pos)
	}
	if strings.Join(got, "\n") != strings.Join(wants, "\n") {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(wants, "\n"))
		for _, f := range res.Findings {
			t.Logf("%s: %s %s/%s: %s\n\t%s\n\tfix: %s", f.Pos, f.Severity, f.Code, f.Category, f.Message, strings.Join(f.Detail, "\n\t"), f.Fix)
		}
	}
}

func mainModule(extra map[string]string) map[string]string {
	files := map[string]string{
		"go.mod":               "module example.com/app\n\ngo 1.26\n",
		"pluginapi/api.go":     apiSource,
		"cmd/host/main.go":     hostSource,
		"plugins/good/main.go": pluginSource,
	}
	for k, v := range extra {
		files[k] = v
	}
	return files
}

func TestAPICopySingleModule(t *testing.T) {
	t.Parallel()
	res := runAPICopy(t, writeTree(t, mainModule(nil)), testEnv())
	want(t, res)
	if len(res.Plugins) != 1 || len(res.Hosts) != 1 {
		t.Errorf("plugins %v, hosts %v", res.Plugins, res.Hosts)
	}
}

// A plugin folder with its own go.mod whose replace points the API
// module elsewhere.
func TestAPICopyNestedReplace(t *testing.T) {
	t.Parallel()
	dir := writeTree(t, mainModule(map[string]string{
		"fork/go.mod":            "module example.com/app\n\ngo 1.26\n",
		"fork/pluginapi/api.go":  strings.Replace(apiSource, "Name() string", "Name() string\n\tClose() error", 1),
		"plugins/ext/go.mod":     "module example.com/ext\n\ngo 1.26\n\nrequire example.com/app v0.0.0\n\nreplace example.com/app => ../../fork\n",
		"plugins/ext/main.go":    pluginSource,
		"plugins/same/go.mod":    "module example.com/same\n\ngo 1.26\n\nrequire example.com/app v0.0.0\n\nreplace example.com/app => ../..\n",
		"plugins/same/main.go":   pluginSource,
		"plugins/copied/go.mod":  "module example.com/copied\n\ngo 1.26\n\nrequire example.com/app v0.0.0\n\nreplace example.com/app => ../../copy\n",
		"plugins/copied/main.go": pluginSource,
		"copy/go.mod":            "module example.com/app\n\ngo 1.26\n",
		"copy/pluginapi/api.go":  apiSource,
	}))
	res := runAPICopy(t, dir, testEnv("GOWORK=off"))
	want(t, res,
		"same-bytes@plugins/copied/go.mod:7:1",
		"api-copy@plugins/ext/go.mod:7:1",
		"nested-module@plugins/same/go.mod:1:1",
	)
	for _, f := range res.Findings {
		if f.Category == "api-copy" && (!strings.Contains(f.Message, "replacement ../../fork") || len(f.Detail) != 2 ||
			f.Detail[0] != "plugins/ext/go.mod:7: replace example.com/app => ../../fork") {
			t.Errorf("api-copy finding does not explain itself: %s %q", f.Message, f.Detail)
		}
	}
}

// A go.work listing two modules that provide the same import path.
func TestAPICopyWorkspace(t *testing.T) {
	t.Parallel()
	files := map[string]string{
		"go.work":            "go 1.26\n\nuse (\n\t./app\n\t./apifork\n)\n",
		"apifork/go.mod":     "module example.com/app/pluginapi\n\ngo 1.26\n",
		"apifork/api.go":     apiSource,
		"other/go.work.note": "",
	}
	for k, v := range mainModule(nil) {
		files["app/"+k] = v
	}
	dir := writeTree(t, files)
	res := runAPICopy(t, dir, testEnv())
	want(t, res, "workspace-dup@go.work:5:1")
	if f := res.Findings; len(f) == 1 && !strings.Contains(f[0].Message, "the API package "+testAPI) {
		t.Errorf("message does not name the API package: %s", f[0].Message)
	}

	// Without the duplicate, the workspace is clean.
	if err := os.WriteFile(filepath.Join(dir, "go.work"), []byte("go 1.26\n\nuse ./app\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	want(t, runAPICopy(t, dir, testEnv()))
}

// A vendored copy: the host's module vendors the API (and the copy was
// edited), and a plugin folder with its own go.mod uses the original.
func TestAPICopyVendor(t *testing.T) {
	t.Parallel()
	files := map[string]string{
		"go.mod":               "module example.com/app\n\ngo 1.26\n\nrequire example.com/api v0.0.0\n\nreplace example.com/api => ./api\n",
		"api/go.mod":           "module example.com/api\n\ngo 1.26\n",
		"api/pluginapi/api.go": strings.Replace(apiSource, "package pluginapi", "package pluginapi // example.com/api", 1),
		"cmd/host/main.go":     strings.ReplaceAll(hostSource, "example.com/app/pluginapi", "example.com/api/pluginapi"),
		"plugins/p/main.go":    strings.ReplaceAll(pluginSource, "example.com/app/pluginapi", "example.com/api/pluginapi"),
		"plugins/ext/go.mod":   "module example.com/ext\n\ngo 1.26\n\nrequire example.com/api v0.0.0\n\nreplace example.com/api => ../../api\n",
		"plugins/ext/main.go":  strings.ReplaceAll(pluginSource, "example.com/app/pluginapi", "example.com/api/pluginapi"),
	}
	dir := writeTree(t, files)
	cmd := exec.Command("go", "mod", "vendor")
	cmd.Dir, cmd.Env = dir, testEnv("GOWORK=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go mod vendor: %v\n%s", err, out)
	}
	run := func() *Result {
		res, err := Run(context.Background(), Options{Dir: dir, APIPackage: "example.com/api/pluginapi", Env: testEnv("GOWORK=off"), Checks: []string{"apicopy"}})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	// Identical copies: two places, same bytes.
	want(t, run(), "same-bytes@plugins/ext/go.mod:7:1")

	// Someone edits the vendored copy.
	vendored := filepath.Join(dir, "vendor/example.com/api/pluginapi/api.go")
	if err := os.WriteFile(vendored, []byte(strings.Replace(apiSource, "Name() string", "Name() string\n\tClose() error", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	want(t, run(), "api-copy@plugins/ext/go.mod:7:1", "vendor-drift@vendor/modules.txt:1:1")
}

// The host and a plugin resolve a shared module to different versions.
func TestAPICopyVersionSkew(t *testing.T) {
	t.Parallel()
	lib := func(v string) string { return "package lib\n\nfunc V() string { return \"" + v + "\" }\n" }
	useLib := func(src string) string {
		src = strings.Replace(src, "import (\n", "import (\n\t\"example.com/lib\"\n", 1)
		src = strings.Replace(src, `import "example.com/app/pluginapi"`, "import (\n\t\"example.com/lib\"\n\n\t\"example.com/app/pluginapi\"\n)", 1)
		return src + "\nvar _ = lib.V\n"
	}
	files := mainModule(map[string]string{
		"go.mod":              "module example.com/app\n\ngo 1.26\n\nrequire example.com/lib v1.0.0\n\nreplace example.com/lib v1.0.0 => ./lib10\n",
		"cmd/host/main.go":    useLib(hostSource),
		"lib10/go.mod":        "module example.com/lib\n\ngo 1.26\n",
		"lib10/lib.go":        lib("1.0"),
		"lib11/go.mod":        "module example.com/lib\n\ngo 1.26\n",
		"lib11/lib.go":        lib("1.1"),
		"plugins/ext/go.mod":  "module example.com/ext\n\ngo 1.26\n\nrequire (\n\texample.com/app v0.0.0\n\texample.com/lib v1.1.0\n)\n\nreplace example.com/app => ../..\n\nreplace example.com/lib v1.1.0 => ../../lib11\n",
		"plugins/ext/main.go": useLib(pluginSource),
	})
	dir := writeTree(t, files)
	res := runAPICopy(t, dir, testEnv("GOWORK=off"))
	want(t, res, "version-skew@plugins/ext/go.mod:12:1")
	if f := res.Findings; len(f) == 1 && !strings.Contains(f[0].Message, "example.com/lib to v1.1.0") {
		t.Errorf("message: %s", f[0].Message)
	}
}

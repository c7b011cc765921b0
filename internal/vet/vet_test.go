package vet

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pluginctl/pluginctl/internal/diag"
	"github.com/pluginctl/pluginctl/internal/output"
	"github.com/pluginctl/pluginctl/internal/vet/contractcheck"
)

// The real example project has no findings.
func TestExampleTextpipe(t *testing.T) {
	t.Parallel()
	res, err := Run(context.Background(), Options{Dir: "../../examples/textpipe"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Findings) != 0 || len(res.Errors) != 0 || res.Failed() {
		var b bytes.Buffer
		output.Vet(&b, "text", &res.VetReport)
		t.Fatalf("findings on examples/textpipe:\n%s", b.String())
	}
	if len(res.Plugins) != 2 || len(res.Hosts) != 1 {
		t.Errorf("plugins %v, hosts %v; want filter and transform, and the host", res.Plugins, res.Hosts)
	}
	// The host loads its plugins with pluginapi/loader: the contract
	// inferred from it is the convention.
	if !contractcheck.Conventional(res.Contract, res.API) || len(res.Contract.Hosts) != 1 || !slices.Contains(res.Contract.Symbols(), "New") {
		t.Errorf("contract %+v", res.Contract)
	}
}

// Each broken plugin of the corpus that is broken in its source gets
// its finding; the plugins that are broken only by how they are built
// get none.
func TestFixtureCorpus(t *testing.T) {
	t.Parallel()
	expect := map[string][]string{
		"badnew":    {"factory"},
		"nonew":     {"factory"},
		"staleapi":  {"apiversion"},
		"initpanic": {"initio"},
		"initexit":  {"initio"},
		"inithang":  {"initio", "initio"},
		"initabort": {"initio"},
		"initforge": {"initio", "initio", "initio"},
		// C calls, output, exits and a system call, all in init.
		"initforgedlsym": {"initio", "initio", "initio", "initio", "initio", "initio", "initio", "initio", "initio"},
		// Broken by the build, not the source.
		"good": nil, "apicopy": nil, "gotoolchain": nil, "mainnoopt": nil,
		"nocap": nil, "noopt": nil, "notrim": nil, "race": nil,
	}
	res, err := Run(context.Background(), Options{Dir: "../..", Patterns: []string{"./testdata/plugins/..."}})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	failing := map[string]bool{}
	for _, f := range res.Findings {
		name := strings.TrimPrefix(f.Package, "github.com/pluginctl/pluginctl/testdata/plugins/")
		got[name] = append(got[name], string(f.Code))
		if f.Severity == diag.Error {
			failing[name] = true
		}
		if f.Check != diag.Vet || f.Fix == "" || !strings.HasPrefix(f.Pos, "testdata/plugins/"+name+"/") {
			t.Errorf("%s: %+v", name, f.Problem)
		}
	}
	for name, want := range expect {
		if _, err := os.Stat(filepath.Join("../../testdata/plugins", name)); err != nil {
			continue // the corpus is still growing
		}
		if strings.Join(got[name], ",") != strings.Join(want, ",") {
			t.Errorf("%s: findings %v, want %v", name, got[name], want)
		}
		// Every plugin broken in its source fails to load or takes its
		// host down: at least one finding is an error.
		if len(want) > 0 && !failing[name] {
			t.Errorf("%s: no error among %v", name, got[name])
		}
	}
}

// Findings have the problem shape of verify reports, with the fix
// edits, and every format renders them.
func TestFindingShapeAndFormats(t *testing.T) {
	t.Parallel()
	dir := writeTree(t, mainModule(map[string]string{
		"plugins/stale/main.go": strings.Replace(pluginSource, "var APIVersion = pluginapi.APIVersion", `var APIVersion = "v0"`, 1),
	}))
	res, err := Run(context.Background(), Options{Dir: dir, APIPackage: testAPI, Env: testEnv("GOWORK=off")})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Findings) != 1 {
		t.Fatalf("findings %+v", res.Findings)
	}
	f := res.Findings[0]
	want := diag.Problem{
		Code: "apiversion", Severity: diag.Error, Check: diag.Vet,
		Message: `APIVersion is the hand-copied literal "v0", but pluginapi.APIVersion is "v1": the host refuses this plugin`,
		Fix:     "use pluginapi.APIVersion", Pos: "plugins/stale/main.go:5:18",
	}
	if f.Problem.Code != want.Code || f.Severity != want.Severity || f.Check != want.Check || f.Message != want.Message || f.Fix != want.Fix || f.Pos != want.Pos {
		t.Errorf("got  %+v\nwant %+v", f.Problem, want)
	}
	if f.Package != "example.com/app/plugins/stale" || f.Category != "stale" || len(f.Edits) != 1 ||
		f.Edits[0].File != "plugins/stale/main.go" || f.Edits[0].New != "pluginapi.APIVersion" {
		t.Errorf("finding %+v", f)
	}
	src, _ := os.ReadFile(filepath.Join(dir, "plugins/stale/main.go"))
	if got := string(src[f.Edits[0].Start:f.Edits[0].End]); got != `"v0"` {
		t.Errorf("edit replaces %q", got)
	}
	if !res.Failed() || res.Summary != (Summary{Packages: 4, Errors: 1}) {
		t.Errorf("summary %+v", res.Summary)
	}

	var text, js, gh bytes.Buffer
	for format, b := range map[string]*bytes.Buffer{"text": &text, "json": &js, "github": &gh} {
		if err := output.Vet(b, format, &res.VetReport); err != nil {
			t.Fatal(err)
		}
	}
	if want := "plugins/stale/main.go:5:18: error apiversion: APIVersion is the hand-copied literal \"v0\", but pluginapi.APIVersion is \"v1\": the host refuses this plugin\n\tfix: use pluginapi.APIVersion\npluginctl vet: 1 problem (1 error, 0 warnings) in 4 packages (2 plugins, 1 host)\n"; text.String() != want {
		t.Errorf("text:\n%s\nwant:\n%s", text.String(), want)
	}
	var decoded struct {
		Findings []map[string]any `json:"findings"`
	}
	if err := json.Unmarshal(js.Bytes(), &decoded); err != nil || len(decoded.Findings) != 1 ||
		decoded.Findings[0]["code"] != "apiversion" || decoded.Findings[0]["check"] != "vet" || decoded.Findings[0]["pos"] != "plugins/stale/main.go:5:18" {
		t.Errorf("json: %v\n%s", err, js.String())
	}
	if !strings.HasPrefix(gh.String(), "::error file=plugins/stale/main.go,line=5,col=18,title=pluginctl vet apiversion::APIVersion is the hand-copied literal") ||
		!strings.Contains(gh.String(), "%0Afix: use pluginapi.APIVersion\n") {
		t.Errorf("github:\n%s", gh.String())
	}
	if err := output.Vet(&text, "xml", &res.VetReport); err == nil {
		t.Error("unknown format accepted")
	}
}

// Packages that do not compile are reported as errors, the others are
// still vetted.
func TestBrokenPackage(t *testing.T) {
	t.Parallel()
	dir := writeTree(t, mainModule(map[string]string{
		"plugins/broken/main.go": "package main\n\nfunc New() int { return \"x\" }\n\nfunc main() {}\n",
		"plugins/nonew/main.go":  strings.Replace(pluginSource, "func New()", "func NewPlugin()", 1),
	}))
	res, err := Run(context.Background(), Options{Dir: dir, APIPackage: testAPI, Env: testEnv("GOWORK=off")})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Errors) != 1 || !strings.Contains(res.Errors[0], "plugins/broken/main.go:3:25") || !res.Failed() {
		t.Errorf("errors %q", res.Errors)
	}
	if len(res.Findings) != 1 || res.Findings[0].Message != `plugin has no New; found NewPlugin: the host looks up "New" and skips the plugin` {
		t.Errorf("findings %+v", res.Findings)
	}
	if _, err := Run(context.Background(), Options{Dir: dir, Checks: []string{"nope"}}); err == nil {
		t.Error("unknown check accepted")
	}
}

// A go.work workspace and a vendored module are vetted like a single
// module.
func TestLayouts(t *testing.T) {
	t.Parallel()
	bad := strings.Replace(pluginSource, "func New() pluginapi.Plugin", "func New() (pluginapi.Plugin, error)", 1)
	bad = strings.Replace(bad, "return plug{} }", "return plug{}, nil }", 1)

	t.Run("workspace", func(t *testing.T) {
		t.Parallel()
		files := map[string]string{
			"go.work":             "go 1.26\n\nuse (\n\t./app\n\t./plugins\n)\n",
			"plugins/go.mod":      "module example.com/plugins\n\ngo 1.26\n\nrequire example.com/app v0.0.0\n",
			"plugins/bad/main.go": bad,
		}
		for k, v := range mainModule(nil) {
			files["app/"+k] = v
		}
		dir := writeTree(t, files)
		res, err := Run(context.Background(), Options{Dir: dir, APIPackage: testAPI, Env: testEnv()})
		if err != nil {
			t.Fatal(err)
		}
		checkOne(t, res, "factory@plugins/bad/main.go:11:6", 2, 1)
	})
	t.Run("vendor", func(t *testing.T) {
		t.Parallel()
		api := "example.com/api/pluginapi"
		sub := func(s string) string { return strings.ReplaceAll(s, testAPI, api) }
		dir := writeTree(t, map[string]string{
			"go.mod":               "module example.com/app\n\ngo 1.26\n\nrequire example.com/api v0.0.0\n\nreplace example.com/api => ./api\n",
			"api/go.mod":           "module example.com/api\n\ngo 1.26\n",
			"api/pluginapi/api.go": apiSource,
			"cmd/host/main.go":     sub(hostSource),
			"plugins/good/main.go": sub(pluginSource),
			"plugins/bad/main.go":  sub(bad),
		})
		cmd := exec.Command("go", "mod", "vendor")
		cmd.Dir, cmd.Env = dir, testEnv("GOWORK=off")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go mod vendor: %v\n%s", err, out)
		}
		res, err := Run(context.Background(), Options{Dir: dir, APIPackage: api, Env: testEnv("GOWORK=off")})
		if err != nil {
			t.Fatal(err)
		}
		checkOne(t, res, "factory@plugins/bad/main.go:11:6", 2, 1)
	})
}

func checkOne(t *testing.T, res *Result, want string, plugins, hosts int) {
	t.Helper()
	var got []string
	for _, f := range res.Findings {
		got = append(got, string(f.Code)+"@"+f.Pos)
	}
	if strings.Join(got, " ") != want || len(res.Errors) > 0 {
		t.Errorf("findings %v, errors %q; want %s", got, res.Errors, want)
	}
	if len(res.Plugins) != plugins || len(res.Hosts) != hosts {
		t.Errorf("plugins %v, hosts %v", res.Plugins, res.Hosts)
	}
}

// An imported package's initialization is reported only when the host
// does not link that package (otherwise it ran in the host already), and
// a registration only when the host links the registry.
func TestInitHostFilter(t *testing.T) {
	t.Parallel()
	plugin := strings.Replace(pluginSource, `import "example.com/app/pluginapi"`, `import (
	"example.com/app/pluginapi"
	"example.com/app/registry"
	"example.com/app/shared"
	"example.com/app/private"
	"example.com/app/pluginonly"
)

var _ = shared.Config
var _ = private.Config
var _ = pluginonly.Config

func init() {
	registry.Register("p")
	private.Register("p")
}`, 1)
	host := strings.Replace(hostSource, `"example.com/app/pluginapi"`, `"example.com/app/pluginapi"
	"example.com/app/registry"
	"example.com/app/shared"`, 1) + "\nvar _ = registry.Register\nvar _ = shared.Config\n"
	cfg := func(pkg string) string {
		return "package " + pkg + "\n\nimport \"os\"\n\nvar Config, _ = os.ReadFile(\"/etc/" + pkg + "\")\n\nfunc Register(string) {}\n"
	}
	dir := writeTree(t, mainModule(map[string]string{
		"cmd/host/main.go":         host,
		"plugins/good/main.go":     plugin,
		"registry/registry.go":     "package registry\n\nfunc Register(string) {}\n",
		"shared/shared.go":         cfg("shared"),
		"private/private.go":       cfg("private"),
		"pluginonly/pluginonly.go": cfg("pluginonly"),
	}))
	res, err := Run(context.Background(), Options{Dir: dir, APIPackage: testAPI, Env: testEnv("GOWORK=off"), Checks: []string{"initio"}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range res.Findings {
		got = append(got, f.Category+"@"+f.Pos+": "+f.Message)
	}
	want := []string{
		"io@plugins/good/main.go:7:2: imports example.com/app/private, whose initialization does file I/O (var Config, _ → os.ReadFile at private.go:5): it runs inside the host's plugin.Open unless the host links example.com/app/private too",
		"io@plugins/good/main.go:8:2: imports example.com/app/pluginonly, whose initialization does file I/O (var Config, _ → os.ReadFile at pluginonly.go:5): it runs inside the host's plugin.Open unless the host links example.com/app/pluginonly too",
		"register@plugins/good/main.go:16:2: init registers with example.com/app/registry (init → registry.Register at main.go:16): the host has not returned from plugin.Open yet",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") || len(res.Errors) > 0 {
		t.Errorf("findings:\n%s\nwant:\n%s\nerrors %q", strings.Join(got, "\n"), strings.Join(want, "\n"), res.Errors)
	}
}

package vet

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pluginctl/pluginctl/internal/contract"
	"github.com/pluginctl/pluginctl/internal/diag"
)

// A host that never heard of pluginapi: it looks up Seven (*int) and
// Double (func(int) int) in every plugin it is given.
const sevenHost = `package main

import (
	"fmt"
	"os"
	"plugin"
)

func main() {
	for _, path := range os.Args[1:] {
		p, err := plugin.Open(path)
		if err != nil {
			fmt.Println(err)
			continue
		}
		v, err := p.Lookup("Seven")
		if err != nil {
			fmt.Println(err)
			continue
		}
		f, err := p.Lookup("Double")
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Println(f.(func(int) int)(*v.(*int)))
	}
}
`

func sevenModule(extra map[string]string) map[string]string {
	files := map[string]string{
		"go.mod":           "module example.com/seven\n\ngo 1.26\n",
		"cmd/host/main.go": sevenHost,
		"plugins/good/main.go": `package main

var Seven = 7

func Double(x int) int { return 2 * x }

func main() {}
`,
		"plugins/noseven/main.go": `package main

func Double(x int) int { return 2 * x }

func main() {}
`,
		"plugins/vardouble/main.go": `package main

var Seven = 7

var Double = 2

func main() {}
`,
		// Not a plugin: a tool of the module with none of the symbols.
		"cmd/tool/main.go": "package main\n\nfunc main() {}\n",
	}
	for k, v := range extra {
		files[k] = v
	}
	return files
}

// findings returns "code/category@pos: message" for each finding but
// hostload's (the hosts here are deliberately plain).
func findings(res *Result) []string {
	var out []string
	for _, f := range res.Findings {
		if f.Code == "hostload" {
			continue
		}
		out = append(out, string(f.Code)+"/"+f.Category+"@"+f.Pos+": "+f.Message)
	}
	return out
}

func wantFindings(t *testing.T, res *Result, wants ...string) {
	t.Helper()
	got := findings(res)
	ok := len(got) == len(wants) && len(res.Errors) == 0
	for i := 0; ok && i < len(got); i++ {
		ok = strings.HasPrefix(got[i], wants[i])
	}
	if !ok {
		t.Errorf("findings:\n\t%s\nerrors %q\nwant:\n\t%s", strings.Join(got, "\n\t"), res.Errors, strings.Join(wants, "\n\t"))
	}
}

// The contract inferred from the host: a plugin lacking Seven, and one
// whose Double is a variable, are reported; the correct plugin and the
// module's other programs are not.
func TestContractInferred(t *testing.T) {
	t.Parallel()
	dir := writeTree(t, sevenModule(nil))
	res, err := Run(context.Background(), Options{Dir: dir, Env: testEnv("GOWORK=off")})
	if err != nil {
		t.Fatal(err)
	}
	wantFindings(t, res,
		`contract/missing@plugins/noseven/main.go:1:9: plugin has no Seven: the host looks up "Seven" as *int and refuses the plugin without it (cmd/host/main.go:16)`,
		`contract/kind@plugins/vardouble/main.go:5:5: Double is a variable of type int: Lookup gives the host a *int, but it wants a function, func(int) int (cmd/host/main.go:21)`,
	)
	if strings.Join(res.Plugins, " ") != "example.com/seven/plugins/good example.com/seven/plugins/noseven example.com/seven/plugins/vardouble" ||
		strings.Join(res.Hosts, " ") != "example.com/seven/cmd/host" {
		t.Errorf("plugins %v, hosts %v", res.Plugins, res.Hosts)
	}
	if res.Contract == nil || strings.Join(res.Contract.Symbols(), " ") != "Double Seven" {
		t.Errorf("contract %+v", res.Contract)
	}
	for _, f := range res.Findings {
		if f.Code != "contract" {
			continue
		}
		if f.Fix == "" || f.Severity != "error" || f.Package == "" {
			t.Errorf("finding %+v", f)
		}
	}
	// From a subdirectory: the same contract (pluginctl.toml and
	// inference at the module root), positions relative to Dir.
	res, err = Run(context.Background(), Options{Dir: filepath.Join(dir, "plugins"), Patterns: []string{"./...", "../cmd/..."}, Env: testEnv("GOWORK=off")})
	if err != nil {
		t.Fatal(err)
	}
	wantFindings(t, res,
		`contract/missing@noseven/main.go:1:9: plugin has no Seven: the host looks up "Seven" as *int and refuses the plugin without it (../cmd/host/main.go:16)`,
		`contract/kind@vardouble/main.go:5:5: Double is a variable of type int`,
	)
	// The check can be deselected like the others.
	res, err = Run(context.Background(), Options{Dir: dir, Env: testEnv("GOWORK=off"), Checks: []string{"factory", "initio"}})
	if err != nil {
		t.Fatal(err)
	}
	wantFindings(t, res)
}

// pluginctl.toml declares a symbol over the inferred contract, an
// optional one, and a plugin folder whose every package main is a plugin.
func TestContractDeclared(t *testing.T) {
	t.Parallel()
	dir := writeTree(t, sevenModule(map[string]string{
		"pluginctl.toml": `[[symbol]]
name = "Name"
type = "func() string"
plugins = "good"

[[symbol]]
name = "Verbose"
type = "*bool"
required = false

[plugins]
dirs = ["plugins/"]
`,
		"plugins/empty/main.go": "package main\n\nfunc main() {}\n",
		"plugins/vardouble/main.go": `package main

var Seven = 7

func Double(x int) int { return 2 * x }

var Verbose = 1

func main() {}
`,
	}))
	res, err := Run(context.Background(), Options{Dir: dir, Env: testEnv("GOWORK=off")})
	if err != nil {
		t.Fatal(err)
	}
	wantFindings(t, res,
		`contract/missing@plugins/empty/main.go:1:9: plugin has no Double`,
		`contract/missing@plugins/empty/main.go:1:9: plugin has no Seven`,
		`contract/missing@plugins/good/main.go:1:9: plugin has no Name: the host looks up "Name" as func() string and refuses the plugin without it (pluginctl.toml:2)`,
		`contract/missing@plugins/noseven/main.go:1:9: plugin has no Seven`,
		`contract/type@plugins/vardouble/main.go:7:5: Verbose is a variable of type int: Lookup gives the host a *int, want *bool: the host's assertion fails (pluginctl.toml:7)`,
	)
	if len(res.Plugins) != 4 {
		t.Errorf("plugins %v", res.Plugins)
	}

	// infer = false: only what is declared (noseven, which declares none
	// of it, is no plugin then).
	dir = writeTree(t, sevenModule(map[string]string{
		"pluginctl.toml": "[contract]\ninfer = false\n\n[[symbol]]\nname = \"Seven\"\ntype = \"*int64\"\n",
	}))
	res, err = Run(context.Background(), Options{Dir: dir, Env: testEnv("GOWORK=off")})
	if err != nil {
		t.Fatal(err)
	}
	wantFindings(t, res,
		`contract/type@plugins/good/main.go:3:5: Seven is a variable of type int: Lookup gives the host a *int, want *int64`,
		`contract/type@plugins/vardouble/main.go:3:5: Seven is a variable of type int`,
	)
}

// A contract given by the caller is used as is; a bad pluginctl.toml is
// an error of the run (as for every command: the project model does not
// load).
func TestContractOption(t *testing.T) {
	t.Parallel()
	dir := writeTree(t, sevenModule(map[string]string{"pluginctl.toml": "[[symbol]]\nname = \"seven\"\n"}))
	c := contract.Merge(nil, contract.Entry{Symbol: "Double", Types: []string{"func(int) int"}, Required: true})
	_, err := Run(context.Background(), Options{Dir: dir, Env: testEnv("GOWORK=off"), Contract: c})
	if err == nil || !strings.HasPrefix(err.Error(), "pluginctl.toml:2: ") || diag.ExitCode(err) != diag.ExitUsage {
		t.Errorf("bad pluginctl.toml: err %v", err)
	}
	dir = writeTree(t, sevenModule(nil))
	res, err := Run(context.Background(), Options{Dir: dir, Env: testEnv("GOWORK=off"), Contract: c})
	if err != nil {
		t.Fatal(err)
	}
	wantFindings(t, res, `contract/kind@plugins/vardouble/main.go:5:5: Double is a variable of type int`)
}

// A host following the convention that also looks up Seven: factory and
// apiversion keep the convention's symbols of the plugins that use the
// API package, the contract check does the rest.
func TestContractMixed(t *testing.T) {
	t.Parallel()
	host := strings.Replace(hostSource, "\t\t_ = newFn()\n\t}\n", `		_ = newFn()
	}
	s, err := p.Lookup("Seven")
	if err != nil {
		return
	}
	_ = s.(*int)
`, 1)
	host = strings.Replace(host, `plugin.Open("x.so")`, "plugin.Open(os.Args[1])", 1)
	host = strings.Replace(host, `"plugin"`, "\"os\"\n\t\"plugin\"", 1)
	stale := strings.Replace(pluginSource, "var APIVersion = pluginapi.APIVersion", "var APIVersion = \"v0\"\n\nvar Seven = 7", 1)
	dir := writeTree(t, mainModule(map[string]string{
		"cmd/host/main.go":      host,
		"plugins/stale/main.go": stale,
	}))
	res, err := Run(context.Background(), Options{Dir: dir, APIPackage: testAPI, Env: testEnv("GOWORK=off")})
	if err != nil {
		t.Fatal(err)
	}
	wantFindings(t, res,
		`contract/missing@plugins/good/main.go:1:9: plugin has no Seven`,
		`apiversion/stale@plugins/stale/main.go:5:18: APIVersion is the hand-copied literal "v0"`,
	)
	if len(res.Plugins) != 2 || len(res.Hosts) != 1 {
		t.Errorf("plugins %v, hosts %v", res.Plugins, res.Hosts)
	}
}

// A host that does not type-check is an error of the run; the contract
// is inferred from the others.
func TestContractBrokenHost(t *testing.T) {
	t.Parallel()
	dir := writeTree(t, sevenModule(map[string]string{
		"cmd/broken/main.go": "package main\n\nimport \"plugin\"\n\nfunc main() { p, _ := plugin.Open(1); _ = p }\n",
	}))
	res, err := Run(context.Background(), Options{Dir: dir, Env: testEnv("GOWORK=off")})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Errors) != 1 || !strings.Contains(res.Errors[0], "cmd/broken/main.go:5:") {
		t.Errorf("errors %q", res.Errors)
	}
	res.Errors = nil
	wantFindings(t, res,
		`contract/missing@plugins/noseven/main.go:1:9: plugin has no Seven`,
		`contract/kind@plugins/vardouble/main.go:5:5: Double is a variable of type int`,
	)
	if res.Contract == nil || strings.Join(res.Contract.Hosts, " ") != "example.com/seven/cmd/host" {
		t.Errorf("contract %+v", res.Contract)
	}
}

// On a module with its own API package, a package main is a plugin for
// every check when the project says so: through a symbol of the
// contract its host infers (plugins/conf declares Config, and has func
// main), or a [plugins] dirs folder of pluginctl.toml (ext/reader
// declares nothing the host wants). Both get initio's finding.
func TestPluginsOfTheProject(t *testing.T) {
	t.Parallel()
	const initIO = "package main\n\nimport (\n\t\"os\"\n\n\t\"example.com/conf/api\"\n)\n\nvar data []byte\n\nfunc init() { data, _ = os.ReadFile(\"/etc/hosts\") }\n\nvar _ api.Config\n\nfunc main() {}\n"
	dir := writeTree(t, map[string]string{
		"go.mod":         "module example.com/conf\n\ngo 1.26\n",
		"pluginctl.toml": "[plugins]\ndirs = [\"ext/\"]\n",
		"api/api.go":     "package api\n\ntype Config struct{ Name string }\n",
		"cmd/host/main.go": `package main

import (
	"os"
	"plugin"

	"example.com/conf/api"
)

func main() {
	p, err := plugin.Open(os.Args[1])
	if err != nil {
		return
	}
	c, err := p.Lookup("Config")
	if err != nil {
		return
	}
	_ = c.(*api.Config).Name
}
`,
		"plugins/conf/main.go": initIO + "\nvar Config api.Config\n",
		"ext/reader/main.go":   initIO,
	})
	res, err := Run(context.Background(), Options{Dir: dir, Env: testEnv("GOWORK=off"), Checks: []string{"initio"}})
	if err != nil {
		t.Fatal(err)
	}
	wantFindings(t, res,
		`initio/io@ext/reader/main.go:11:25: init does file I/O`,
		`initio/io@plugins/conf/main.go:11:25: init does file I/O`,
	)
	if res.API != "example.com/conf/api" || len(res.Plugins) != 2 {
		t.Errorf("API %s, plugins %v", res.API, res.Plugins)
	}
}

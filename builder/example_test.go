package builder_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/pluginctl/pluginctl/builder"
)

// A Go program builds a module's hosts and plugins with builder.Build:
// one toolchain, one module graph, one flag set, metadata in every
// artifact, the set in OUT/pluginctl.json. The module here imports nothing
// of pluginctl's: its own API package, a host that opens plugins, and a
// plugin (a package main without func main).
func ExampleBuild() {
	dir, err := os.MkdirTemp("", "example-build-")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	writeModule(dir)

	res, err := builder.Build(context.Background(), builder.Options{
		Dir:   dir,
		Out:   "bin",
		Flags: builder.Flags{Trimpath: true},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, a := range res.Manifest.Artifacts {
		fmt.Println(a.Kind, a.Path)
	}
	fmt.Println("api:", res.Manifest.Contract.API)
	// Output:
	// host host
	// plugin plugins/hello.so
	// api: [example.com/app/api]
}

// writeModule writes a small module that never heard of pluginctl.
func writeModule(dir string) {
	files := map[string]string{
		"go.mod":     "module example.com/app\n\ngo 1.22\n",
		"api/api.go": "package api\n\nconst APIVersion = \"v1\"\n\ntype Plugin interface{ Name() string }\n",
		"host/main.go": `package main

import (
	"fmt"
	"os"
	"plugin"

	"example.com/app/api"
)

func main() {
	p, err := plugin.Open(os.Args[1])
	if err != nil {
		panic(err)
	}
	sym, err := p.Lookup("New")
	if err != nil {
		panic(err)
	}
	if newFn, ok := sym.(func() api.Plugin); ok {
		fmt.Println(newFn().Name())
	}
}
`,
		"plugins/hello/main.go": `package main

import "example.com/app/api"

type hello struct{}

func (hello) Name() string { return "hello" }

func New() api.Plugin { return hello{} }
`,
	}
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte(content), 0o644)
	}
}

package verifier_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/pluginctl/pluginctl/builder"
	"github.com/pluginctl/pluginctl/verifier"
)

// A Go program verifies artifacts with verifier.Verify: here statically
// (nothing executed), against the host and the contract that
// builder.Build recorded in bin/pluginctl.json. One plugin exports New of
// the host's type, the other exports no New: the host would skip it.
func ExampleVerify() {
	dir, err := os.MkdirTemp("", "example-verify-")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	files := map[string]string{
		"go.mod":     "module example.com/app\n\ngo 1.22\n",
		"api/api.go": "package api\n\ntype Plugin interface{ Name() string }\n",
		"host/main.go": `package main

import (
	"os"
	"plugin"

	"example.com/app/api"
)

func main() {
	p, err := plugin.Open(os.Args[1])
	if err != nil {
		os.Exit(1)
	}
	sym, err := p.Lookup("New")
	if err != nil {
		os.Exit(1)
	}
	if newFn, ok := sym.(func() api.Plugin); ok {
		println(newFn().Name())
	}
}
`,
		"plugins/good/main.go":  "package main\n\nimport \"example.com/app/api\"\n\ntype p struct{}\n\nfunc (p) Name() string { return \"good\" }\n\nfunc New() api.Plugin { return p{} }\n",
		"plugins/nonew/main.go": "package main\n\nimport \"example.com/app/api\"\n\ntype p struct{}\n\nfunc (p) Name() string { return \"nonew\" }\n\nfunc Make() api.Plugin { return p{} }\n",
	}
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte(content), 0o644)
	}
	if _, err := builder.Build(context.Background(), builder.Options{Dir: dir, Flags: builder.Flags{Trimpath: true}}); err != nil {
		fmt.Println(err)
		return
	}

	r, err := verifier.Verify(context.Background(), verifier.Options{Static: true},
		[]string{filepath.Join(dir, "bin", "plugins")})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("contract from", r.Contract)
	for _, a := range r.Artifacts {
		fmt.Println(a.Name, a.OK)
		for _, p := range a.Problems {
			fmt.Println("  ", p.Code)
		}
	}
	// Output:
	// contract from manifest
	// good true
	// nonew false
	//    missing-new
}

// Command pluginctl-vet runs pluginctl's source checks (the analyzers of
// `pluginctl vet`) as a go vet tool:
//
//	go install github.com/pluginctl/pluginctl/cmd/pluginctl-vet
//	go vet -vettool=$(which pluginctl-vet) ./...
//	go vet -vettool=$(which pluginctl-vet) -api=example.com/app/pluginapi ./...
//	go vet -vettool=$(which pluginctl-vet) -initio=false ./...   # all but initio
//
// -api sets the import path of the shared API package for every analyzer
// (default github.com/pluginctl/pluginctl/pluginapi); -NAME selects
// analyzers, -NAME.api sets it for one. The module-level apicopy check
// needs the whole module, not one package at a time, so go vet does not
// run it; nor does go vet know which packages only plugins import, so
// initio also reports imported packages whose initialization the host
// may already have run.
//
// Given package patterns instead of the configuration file go vet
// passes, it runs everything, apicopy included, like `pluginctl vet`:
//
//	pluginctl-vet [-api PATH] [-format text|json|github] [packages]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"

	"golang.org/x/tools/go/analysis/unitchecker"

	"github.com/pluginctl/pluginctl/internal/vet"
)

func main() {
	if standalone(os.Args[1:]) {
		os.Exit(runStandalone(os.Args[1:]))
	}
	api := vet.DefaultAPI
	flag.StringVar(&api, "api", api, "import `path` of the shared API package, for every analyzer")
	unitchecker.Main(vet.Analyzers(&api)...)
}

// standalone reports whether the arguments are package patterns rather
// than what go vet passes (flags, -flags, -V=full, a *.cfg file, help).
func standalone(args []string) bool {
	for _, a := range args {
		switch {
		case a == "help", strings.HasSuffix(a, ".cfg"), a == "-flags", a == "--flags", strings.HasPrefix(a, "-V"), strings.HasPrefix(a, "--V"):
			return false
		}
	}
	for _, a := range args {
		if !strings.HasPrefix(a, "-") {
			return true
		}
	}
	return false
}

func runStandalone(args []string) int {
	fs := flag.NewFlagSet("pluginctl-vet", flag.ContinueOnError)
	api := fs.String("api", vet.DefaultAPI, "import `path` of the shared API package")
	format := fs.String("format", "text", "output `format`: text, json or github")
	tags := fs.String("tags", "", "comma-separated build `tags`")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	o := vet.Options{Patterns: fs.Args(), APIPackage: *api}
	if *tags != "" {
		o.Tags = strings.Split(*tags, ",")
	}
	res, err := vet.Run(context.Background(), o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "pluginctl-vet:", err)
		return 2
	}
	if err := res.Write(os.Stdout, *format); err != nil {
		fmt.Fprintln(os.Stderr, "pluginctl-vet:", err)
		return 2
	}
	if res.Failed() {
		return 1
	}
	return 0
}

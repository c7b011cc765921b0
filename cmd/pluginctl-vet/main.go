// Command pluginctl-vet runs pluginctl's source checks (the analyzers of
// `pluginctl vet`) as a go vet tool:
//
//	go install github.com/pluginctl/pluginctl/cmd/pluginctl-vet
//	go vet -vettool=$(which pluginctl-vet) ./...
//	go vet -vettool=$(which pluginctl-vet) -api=example.com/app/pluginapi ./...
//	go vet -vettool=$(which pluginctl-vet) -initio=false ./...   # all but initio
//
// -api sets the import path of the project's API package (default: the
// project's, from pluginctl.toml or its hosts' contract, else
// github.com/pluginctl/pluginctl/pluginapi); -NAME=false deselects an
// analyzer (contract, initio, sharedstate, hostload). The module-level
// apicopy check needs the whole module, not one package at a time, so go
// vet does not run it; nor does go vet know which packages only plugins
// import, so initio also reports imported packages whose initialization
// the host may already have run.
//
// The contract is the project's, as `pluginctl vet` resolves it
// (pluginctl.toml's declarations over what the hosts imply, inferred once
// and cached on disk), loaded from the directory of the package go vet
// hands the tool; every pluginctl.toml of the project is part of the
// tool's identity (-V=full), so that go vet does not replay results
// cached under another contract; a broken pluginctl.toml fails the run.
//
// Given package patterns instead of the configuration file go vet
// passes, it runs everything, apicopy included, like `pluginctl vet`:
//
//	pluginctl-vet [-api PATH] [-format text|json|github] [packages]
package main

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/tools/go/analysis/unitchecker"

	"github.com/pluginctl/pluginctl/internal/project"

	"github.com/pluginctl/pluginctl/internal/contract"
	report "github.com/pluginctl/pluginctl/internal/output"
	"github.com/pluginctl/pluginctl/internal/vet"
)

func main() {
	if standalone(os.Args[1:]) {
		os.Exit(runStandalone(os.Args[1:]))
	}
	if slices.Contains(os.Args[1:], "-V=full") {
		if err := versionFull(os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "pluginctl-vet:", err)
			os.Exit(2)
		}
		return
	}
	cfg, err := toolConfig(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "pluginctl-vet:", err)
		os.Exit(1)
	}
	flag.StringVar(&cfg.API, "api", cfg.API, "import `path` of the project's API package (default: pluginctl.toml's api, else inferred from the hosts' contract)")
	unitchecker.Main(vet.Analyzers(cfg)...)
}

// versionFull answers go vet's -V=full as unitchecker does (the
// executable's hash as build ID: go vet keys its cache of results on
// it), with pluginctl.toml of the module in the current directory mixed
// into the hash: the contract check reads that file, which go vet does
// not know, so a changed contract must not replay results cached under
// the previous one.
func versionFull(w io.Writer) error {
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	f, err := os.Open(exe)
	if err != nil {
		return err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return err
	}
	if p, err := project.Load(context.Background(), project.Options{}); err == nil && p.InModule() {
		// go vet caches the tool's findings by this identity: it changes
		// with every pluginctl.toml of the project.
		for _, d := range append([]string{p.Root}, p.ModuleDirs()...) {
			if data, err := os.ReadFile(filepath.Join(d, contract.ConfigFile)); err == nil {
				fmt.Fprintf(h, "\x00%s\x00", filepath.Join(d, contract.ConfigFile))
				h.Write(data)
			}
		}
	}
	_, err = fmt.Fprintf(w, "%s version devel comments-go-here buildID=%02x\n", filepath.Base(exe), h.Sum(nil))
	return err
}

// toolConfig is the project of the package go vet hands the tool (the
// Dir of the unitchecker .cfg file it passes): its API package and
// contract, the convention's (nil, so that -api applies) when nothing
// is known. A dependency analyzed only for its facts needs neither.
func toolConfig(args []string) (*vet.Config, error) {
	cfg := &vet.Config{API: project.API("")}
	var unit struct {
		Dir      string
		VetxOnly bool
	}
	for _, a := range args {
		if strings.HasSuffix(a, ".cfg") {
			data, err := os.ReadFile(a)
			if err != nil || json.Unmarshal(data, &unit) != nil {
				return cfg, nil // unitchecker reports it
			}
		}
	}
	if unit.Dir == "" || unit.VetxOnly {
		return cfg, nil
	}
	ctx := context.Background()
	p, err := project.Load(ctx, project.Options{Dir: unit.Dir})
	if err != nil || !p.InModule() {
		return cfg, err
	}
	r, err := project.InForce(ctx, project.Known{Project: p})
	if err != nil {
		return nil, err
	}
	cfg.Project, cfg.API = p, cmp.Or(r.PrimaryAPI(), cfg.API)
	if r.From != project.FromConvention {
		cfg.Contract = r.Contract
	}
	return cfg, nil
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
	api := fs.String("api", project.API(""), "import `path` of the shared API package")
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
	if err := report.Vet(os.Stdout, *format, &res.VetReport); err != nil {
		fmt.Fprintln(os.Stderr, "pluginctl-vet:", err)
		return 2
	}
	if res.Failed() {
		return 1
	}
	return 0
}

package cli

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/pluginctl/pluginctl/internal/contract"
	"github.com/pluginctl/pluginctl/pluginapi"
)

// expectFlag returns a new --expect flag. Its values keep their commas
// (a plugin list "a,b:Sym=T", a type "func(int, string)"): it is a
// Generic flag collecting each occurrence whole, never a StringSliceFlag,
// which splits every value at commas.
func expectFlag() ucli.Flag {
	return &ucli.GenericFlag{
		Name:  "expect",
		Usage: "declare a contract symbol: [PLUGINS:]NAME[?]=TYPE[|TYPE...] (? = optional; repeatable), e.g. Seven=*int",
		Value: &repeated{},
	}
}

// repeated is a flag value that collects each occurrence unsplit.
type repeated struct{ vals []string }

func (r *repeated) Set(v string) error { r.vals = append(r.vals, v); return nil }
func (r *repeated) String() string {
	if r == nil {
		return ""
	}
	return strings.Join(r.vals, " ")
}

// expectValues returns the --expect values given to the command, unsplit.
func expectValues(c *ucli.Context) []string {
	if r, ok := c.Generic("expect").(*repeated); ok && r != nil {
		return append([]string(nil), r.vals...)
	}
	return nil
}

// contractSpec is what the contract is resolved from.
type contractSpec struct {
	dir     string   // where to look for the module root and run go list
	hosts   []string // host packages to infer from ("" = the config's, else ./...)
	api     string
	expects []string
	infer   bool // false when there is no source to infer from (verify --static)
}

// resolveContract returns the contract in force: the one inferred from
// the hosts' code, with pluginctl.toml and --expect declarations merged
// over it, or the pluginapi convention when nothing is known.
func resolveContract(ctx context.Context, s contractSpec) (*contract.Contract, error) {
	var declared []contract.Entry
	infer := s.infer
	hosts := s.hosts
	cfg, root := contractConfig(s.dir)
	if root != "" {
		if cfg.err != nil {
			return nil, usageError("%v", cfg.err)
		}
		if cfg := cfg.Config; cfg != nil {
			declared = append(declared, cfg.Symbols...)
			infer = infer && cfg.Infer
			if len(hosts) == 0 {
				hosts = cfg.Hosts
			}
		}
	}
	for _, e := range s.expects {
		entry, err := contract.ParseExpect(e)
		if err != nil {
			return nil, usageError("--expect %q: %v", e, err)
		}
		declared = append(declared, entry)
	}
	var inferred *contract.Contract
	if infer && root != "" {
		c, err := contract.Infer(ctx, contract.InferOptions{Dir: s.dir, Patterns: hosts})
		if err != nil {
			return nil, fmt.Errorf("inferring the contract from the hosts: %w", err)
		}
		inferred = c
	}
	api := s.api
	if api == "" {
		api = pluginapi.ImportPath
	}
	var kinds []contract.Kind
	if cfg.Config != nil {
		kinds = cfg.Config.Kinds
	}
	return contract.WithKinds(contract.Resolve(inferred, api, declared...), kinds...), nil
}

type loadedConfig struct {
	*contract.Config
	err error
}

// contractConfig reads pluginctl.toml at the module root above dir; root
// is "" outside a module.
func contractConfig(dir string) (loadedConfig, string) {
	root := moduleRoot(dir)
	if root == "" {
		return loadedConfig{}, ""
	}
	cfg, err := contract.LoadConfig(root)
	return loadedConfig{cfg, err}, root
}

// moduleRoot is the directory of the go.work or go.mod above dir, or "".
func moduleRoot(dir string) string {
	for d := dir; ; d = filepath.Dir(d) {
		for _, f := range []string{"go.work", "go.mod"} {
			if _, err := os.Stat(filepath.Join(d, f)); err == nil {
				return d
			}
		}
		if filepath.Dir(d) == d {
			return ""
		}
	}
}

func contractCommand(stdio IO) *ucli.Command {
	return &ucli.Command{
		Name:      "contract",
		Usage:     "print the symbols the hosts look up in their plugins, with their types and where each comes from",
		ArgsUsage: "[host packages]",
		Description: `Contract prints the plugin contract in force: every symbol the hosts look up in
their plugins, with the exact Go type they assert (or the alternatives), whether a
plugin without it is refused, and which plugins it applies to. It is inferred from
the hosts' code (each plugin.Lookup with a constant name and the assertion on its
result, through helpers such as pluginapi/loader), merged with pluginctl.toml and
--expect declarations; with nothing known, it is the pluginapi convention.
Lookups whose name is not a constant are listed as unresolved: declare them.
Lookups in dependencies (a framework that loads the plugins) are followed, with
positions as module@version/path; a symbol asserted to an interface must
implement it (its method set is printed). Independent loaders give kinds: each
plugin must have every symbol of one kind (listed first; declare them with
[[kind]] in pluginctl.toml).
build, verify and vet all use this contract.

Examples:
   pluginctl contract
   pluginctl contract --format json ./cmd/server
   pluginctl contract --expect 'Handler=func(net/http.ResponseWriter, *net/http.Request)'`,
		Flags: []ucli.Flag{formatFlag("text", "json"), expectFlag(),
			&ucli.StringFlag{Name: "api", Value: pluginapi.ImportPath, Usage: "import path of the shared API package of the convention"}},
		Action: func(c *ucli.Context) error {
			format, err := checkFormat(c, "text", "json")
			if err != nil {
				return err
			}
			wd, err := os.Getwd()
			if err != nil {
				return err
			}
			ct, err := resolveContract(c.Context, contractSpec{dir: wd, hosts: c.Args().Slice(), api: c.String("api"), expects: expectValues(c), infer: true})
			if err != nil {
				return err
			}
			if format == "json" {
				js, err := ct.JSON()
				if err != nil {
					return err
				}
				_, err = stdio.Stdout.Write(append(js, '\n'))
				return err
			}
			writeContract(stdio.Stdout, ct)
			return nil
		},
	}
}

func writeContract(w io.Writer, c *contract.Contract) {
	if len(c.Hosts) > 0 {
		fmt.Fprintf(w, "hosts: %s\n", strings.Join(c.Hosts, ", "))
	}
	if len(c.Kinds) > 0 {
		fmt.Fprintln(w, "kinds: each plugin must have every symbol of one kind")
		for _, k := range c.Kinds {
			var from []string
			for _, s := range k.Sources {
				from = append(from, cmp.Or(s.Pos, s.Kind))
			}
			fmt.Fprintf(w, "  %-16s %s   from %s\n", k.Name, strings.Join(k.Symbols, ", "), strings.Join(from, ", "))
		}
	}
	for _, e := range c.Entries {
		req := "optional"
		if e.Required {
			req = "required"
		}
		types := strings.Join(e.Types, " | ")
		if types == "" {
			types = "(any type)"
		}
		line := fmt.Sprintf("%-18s %s   %s", e.Symbol, types, req)
		if e.Plugins != "" {
			line += "   plugins: " + e.Plugins
		}
		var kinds []string
		for _, k := range c.Kinds {
			if slices.Contains(k.Symbols, e.Symbol) {
				kinds = append(kinds, k.Name)
			}
		}
		if len(kinds) > 0 {
			line += "   kind: " + strings.Join(kinds, ", ")
		}
		fmt.Fprintln(w, line)
		for _, t := range e.Types {
			if lit, ok := e.Interfaces[t]; ok {
				fmt.Fprintf(w, "%-18s %s: implements %s\n", "", t, lit)
			}
		}
		for _, x := range e.Extras {
			fmt.Fprintf(w, "%-18s optional extension (comma-ok): %s\n", "", x)
		}
		var from []string
		for _, s := range e.Sources {
			switch {
			case s.Pos != "":
				from = append(from, s.Pos)
			default:
				from = append(from, s.Kind)
			}
		}
		if from = slices.Compact(from); len(from) > 0 {
			fmt.Fprintf(w, "%-18s from %s\n", "", strings.Join(from, ", "))
		}
	}
	for _, u := range c.Unresolved {
		fmt.Fprintf(w, "unresolved         %s: %s\n", u.Pos, u.Reason)
	}
}

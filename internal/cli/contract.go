package cli

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/pluginctl/pluginctl/internal/contract"
	"github.com/pluginctl/pluginctl/internal/project"
)

var apiFlag = &ucli.StringSliceFlag{
	Name:  "api",
	Usage: "import path of the project's API package (repeatable; default: pluginctl.toml's api, else the package whose types the hosts assert)",
}

var tagsFlag = &ucli.StringSliceFlag{Name: "tags", Usage: "build tags (comma-separated or repeated)"}

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

// projectOptions are the flags every command that models the project
// reads: --go, --api, --expect, --tags (each only where the command has it).
func projectOptions(c *ucli.Context, stdio IO) project.Options {
	// The cache root is package cachedir's ($PLUGINCTL_CACHE). Packages
	// load with -trimpath, as pluginctl build compiles them by default:
	// the export data of a project built before comes from the go cache
	// instead of being compiled again.
	return project.Options{Go: goRunner(c, stdio), API: c.StringSlice("api"), Expect: expectValues(c), Tags: splitTags(c.StringSlice("tags")), BuildFlags: []string{"-trimpath"}}
}

// loadProject builds the command's one project model.
func loadProject(c *ucli.Context, stdio IO) (*project.Project, error) {
	return project.Load(c.Context, projectOptions(c, stdio))
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
		Flags: []ucli.Flag{formatFlag("text", "json"), expectFlag(), apiFlag, tagsFlag, goFlag},
		Action: func(c *ucli.Context) error {
			format, err := checkFormat(c, "text", "json")
			if err != nil {
				return err
			}
			p, err := loadProject(c, stdio)
			if err != nil {
				return err
			}
			if len(p.Expect) == 0 {
				// As build, check and vet: outside a module there is no
				// contract but what --expect declares.
				if err := p.NeedModule(); err != nil {
					return err
				}
			}
			ct, err := project.InForce(c.Context, project.Known{Project: p, Hosts: c.Args().Slice()})
			if err != nil {
				return err
			}
			if format == "json" {
				return writeJSON(stdio.Stdout, struct {
					Schema string `json:"schema"`
					*project.Resolved
				}{contractSchema, ct})
			}
			writeContract(stdio.Stdout, ct)
			return nil
		},
	}
}

func writeContract(w io.Writer, r *project.Resolved) {
	c := r.Contract
	if len(c.Hosts) > 0 {
		fmt.Fprintf(w, "hosts: %s\n", strings.Join(c.Hosts, ", "))
	}
	if len(r.API) > 0 {
		fmt.Fprintf(w, "api: %s\n", strings.Join(r.API, ", "))
	}
	fmt.Fprintf(w, "from: %s\n", r.From)
	var choice, tied []contract.Kind
	for _, k := range c.Kinds {
		if k.Plugins != "" {
			tied = append(tied, k)
		} else {
			choice = append(choice, k)
		}
	}
	writeKinds := func(title string, ks []contract.Kind) {
		if len(ks) == 0 {
			return
		}
		fmt.Fprintln(w, title)
		for _, k := range ks {
			var from []string
			for _, s := range k.Sources {
				from = append(from, cmp.Or(s.Pos, s.Kind))
			}
			syms := strings.Join(k.Symbols, ", ")
			if syms == "" {
				syms = "(nothing looked up)"
			}
			fmt.Fprintf(w, "  %-16s %s   from %s\n", k.Name, syms, strings.Join(slices.Compact(from), ", "))
		}
	}
	writeKinds("kinds: each plugin must have every symbol of one kind", choice)
	writeKinds("plugins the host opens by name: each file must have every symbol of its kind", tied)
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
		for _, k := range choice {
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
			from = append(from, cmp.Or(s.Pos, s.Kind))
		}
		if from = slices.Compact(from); len(from) > 0 {
			fmt.Fprintf(w, "%-18s from %s\n", "", strings.Join(from, ", "))
		}
		if e.Uncertain != "" {
			fmt.Fprintf(w, "%-18s warning: looked up on a plugin opened at %s whose file pluginctl cannot tell: declare it ([[symbol]] name = %q plugins = \"NAME\" in pluginctl.toml, or --expect NAME:%s=TYPE)\n", "", e.Uncertain, e.Symbol, e.Symbol)
		}
		if len(e.Values) > 0 {
			var vals []string
			for _, v := range e.Values {
				vals = append(vals, fmt.Sprintf("%q (%s)", v.Value, v.Pos))
			}
			fmt.Fprintf(w, "%-18s value %s\n", "", strings.Join(vals, " or "))
		}
	}
	if f := c.Folder; f != nil && f.Unknown != "" {
		fmt.Fprintf(w, "folder: warning: which files of a folder the host opens is not known: %s; declare it in pluginctl.toml ([folder] match, recursive, fold_case)\n", f.Unknown)
	} else if f != nil {
		fmt.Fprintf(w, "folder: %s\n", f)
	}
	for _, u := range c.Unresolved {
		line := fmt.Sprintf("unresolved         %s: %s", u.Pos, u.Reason)
		if len(u.Types) > 0 {
			line += "; asserted to " + strings.Join(u.Types, " | ")
		}
		fmt.Fprintln(w, line)
		fmt.Fprintf(w, "%-18s warning: not checked; declare it: [[symbol]] name = \"NAME\" type = %q in pluginctl.toml, or --expect NAME=%s\n", "", cmp.Or(strings.Join(u.Types, " | "), "TYPE"), cmp.Or(strings.Join(u.Types, "|"), "TYPE"))
	}
	for _, n := range r.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
}

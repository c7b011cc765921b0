package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/pluginctl/pluginctl/internal/project"
)

var apiFlag = &ucli.StringSliceFlag{
	Name:  "api",
	Usage: "import path of the project's API package (repeatable; default: pluginctl.toml's api, else the package whose types the hosts assert)",
}

var tagsFlag = &ucli.StringSliceFlag{Name: "tags", Usage: "build tags (comma-separated or repeated)"}

var expectFlag = &ucli.StringSliceFlag{
	Name:  "expect",
	Usage: "declare a contract symbol: [PLUGINS:]NAME[?]=TYPE[|TYPE...] (? = optional; repeatable), e.g. Seven=*int",
}

// projectOptions are the flags every command that models the project
// reads: --go, --api, --expect, --tags (each only where the command has it).
func projectOptions(c *ucli.Context, stdio IO) project.Options {
	o := project.Options{Go: goRunner(c, stdio), API: c.StringSlice("api"), Expect: c.StringSlice("expect"), Tags: splitTags(c.StringSlice("tags"))}
	if d := stdio.Getenv("PLUGINCTL_CACHE"); d != "" {
		o.CacheDir = d
	}
	return o
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
build, verify and vet all use this contract.

Examples:
   pluginctl contract
   pluginctl contract --format json ./cmd/server
   pluginctl contract --expect 'Handler=func(net/http.ResponseWriter, *net/http.Request)'`,
		Flags: []ucli.Flag{formatFlag("text", "json"), expectFlag, apiFlag, tagsFlag, goFlag},
		Action: func(c *ucli.Context) error {
			format, err := checkFormat(c, "text", "json")
			if err != nil {
				return err
			}
			p, err := loadProject(c, stdio)
			if err != nil {
				return err
			}
			ct, err := p.Contract(c.Context, c.Args().Slice())
			if err != nil {
				return err
			}
			if format == "json" {
				js, err := json.MarshalIndent(ct, "", "  ")
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

func writeContract(w io.Writer, r *project.Resolved) {
	c := r.Contract
	if len(c.Hosts) > 0 {
		fmt.Fprintf(w, "hosts: %s\n", strings.Join(c.Hosts, ", "))
	}
	if len(r.API) > 0 {
		fmt.Fprintf(w, "api: %s\n", strings.Join(r.API, ", "))
	}
	fmt.Fprintf(w, "from: %s\n", r.From)
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
		fmt.Fprintln(w, line)
		var from []string
		for _, s := range e.Sources {
			switch {
			case s.Pos != "":
				from = append(from, s.Pos)
			default:
				from = append(from, s.Kind)
			}
		}
		if len(from) > 0 {
			fmt.Fprintf(w, "%-18s from %s\n", "", strings.Join(from, ", "))
		}
		if len(e.Values) > 0 {
			var vals []string
			for _, v := range e.Values {
				vals = append(vals, fmt.Sprintf("%q (%s)", v.Value, v.Pos))
			}
			fmt.Fprintf(w, "%-18s value %s\n", "", strings.Join(vals, " or "))
		}
	}
	for _, u := range c.Unresolved {
		fmt.Fprintf(w, "unresolved         %s: %s\n", u.Pos, u.Reason)
	}
	for _, n := range r.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
}

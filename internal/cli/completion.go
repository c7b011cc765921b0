package cli

import (
	"fmt"
	"io"
	"slices"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/pluginctl/pluginctl/internal/diag"
)

// shells are the shells pluginctl completion writes a script for.
var shells = []string{"bash", "zsh", "fish"}

func completionCommand(stdio IO, app func() *ucli.App) *ucli.Command {
	return &ucli.Command{
		Name:      "completion",
		Usage:     "print a shell completion script (bash, zsh or fish)",
		ArgsUsage: "bash|zsh|fish",
		Description: `Completion prints a script that completes pluginctl's commands and flags, and
file names for their arguments. Load it from your shell's start-up file.

Examples:
   source <(pluginctl completion bash)           # ~/.bashrc
   source <(pluginctl completion zsh)            # ~/.zshrc
   pluginctl completion fish > ~/.config/fish/completions/pluginctl.fish`,
		Action: func(c *ucli.Context) error {
			if c.NArg() != 1 {
				return diag.Usage("completion takes one shell: %s", strings.Join(shells, ", "))
			}
			cmds := completable(app())
			switch sh := c.Args().First(); sh {
			case "bash":
				return writeBash(stdio.Stdout, cmds)
			case "zsh":
				io.WriteString(stdio.Stdout, "#compdef pluginctl\nautoload -U +X bashcompinit && bashcompinit\n")
				return writeBash(stdio.Stdout, cmds)
			case "fish":
				return writeFish(stdio.Stdout, cmds)
			default:
				return diag.Usage("completion %q: want one of %s", sh, strings.Join(shells, ", "))
			}
		},
	}
}

// completable are the commands a shell completes: all but help.
func completable(app *ucli.App) []*ucli.Command {
	return slices.DeleteFunc(slices.Clone(app.Commands), func(c *ucli.Command) bool { return c.Hidden || c.Name == "help" })
}

// flagsOf are c's flags as a shell sees them: --help last, whether or not
// urfave/cli has added it yet.
func flagsOf(c *ucli.Command) []ucli.Flag {
	return append(slices.DeleteFunc(slices.Clone(c.Flags), func(f ucli.Flag) bool { return f == ucli.HelpFlag }), ucli.HelpFlag)
}

// dashed are f's names as typed: -v, --verbose.
func dashed(f ucli.Flag) []string {
	var out []string
	for _, n := range f.Names() {
		if len(n) == 1 {
			out = append(out, "-"+n)
		} else {
			out = append(out, "--"+n)
		}
	}
	return out
}

func writeBash(w io.Writer, cmds []*ucli.Command) error {
	var b strings.Builder
	var names []string
	for _, c := range cmds {
		names = append(names, c.Name)
	}
	b.WriteString("# bash completion for pluginctl (pluginctl completion bash)\n")
	b.WriteString("_pluginctl() {\n")
	b.WriteString("\tlocal cur prev cmd i\n\tcur=${COMP_WORDS[COMP_CWORD]}\n\tprev=${COMP_WORDS[COMP_CWORD-1]}\n")
	b.WriteString("\tcmd=\n\tfor ((i = 1; i < COMP_CWORD; i++)); do\n\t\tcase ${COMP_WORDS[i]} in -*) ;; *) cmd=${COMP_WORDS[i]}; break ;; esac\n\tdone\n")
	fmt.Fprintf(&b, "\tif [[ -z $cmd ]]; then\n\t\tCOMPREPLY=($(compgen -W %q -- \"$cur\"))\n\t\treturn\n\tfi\n", strings.Join(append(names, "help", "--help", "--version"), " "))
	b.WriteString("\tlocal flags valued\n\tcase $cmd in\n")
	for _, c := range cmds {
		var all, valued []string
		for _, f := range flagsOf(c) {
			all = append(all, dashed(f)...)
			if takesValue(f) {
				valued = append(valued, dashed(f)...)
			}
		}
		fmt.Fprintf(&b, "\t%s) flags=%q; valued=%q ;;\n", c.Name, strings.Join(all, " "), " "+strings.Join(valued, " ")+" ")
	}
	b.WriteString("\tesac\n")
	b.WriteString("\tif [[ $cmd == completion ]]; then\n\t\tCOMPREPLY=($(compgen -W \"bash zsh fish\" -- \"$cur\"))\n\t\treturn\n\tfi\n")
	b.WriteString("\tif [[ $valued == *\" $prev \"* ]]; then\n\t\tCOMPREPLY=($(compgen -f -- \"$cur\"))\n\t\treturn\n\tfi\n")
	b.WriteString("\tif [[ $cur == -* ]]; then\n\t\tCOMPREPLY=($(compgen -W \"$flags\" -- \"$cur\"))\n\telse\n\t\tCOMPREPLY=($(compgen -f -- \"$cur\"))\n\tfi\n}\n")
	b.WriteString("complete -o filenames -F _pluginctl pluginctl\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func writeFish(w io.Writer, cmds []*ucli.Command) error {
	var b strings.Builder
	b.WriteString("# fish completion for pluginctl (pluginctl completion fish)\n")
	b.WriteString("complete -c pluginctl -f -n __fish_use_subcommand -l version -d 'print the version'\n")
	for _, c := range cmds {
		fmt.Fprintf(&b, "complete -c pluginctl -f -n __fish_use_subcommand -a %s -d %s\n", c.Name, fishQuote(c.Usage))
		for _, f := range flagsOf(c) {
			var opts []string
			for _, n := range dashed(f) {
				if strings.HasPrefix(n, "--") {
					opts = append(opts, "-l "+n[2:])
				} else {
					opts = append(opts, "-s "+n[1:])
				}
			}
			r, usage := "", ""
			if takesValue(f) {
				r = " -r"
			}
			if u, ok := f.(interface{ GetUsage() string }); ok {
				usage = u.GetUsage()
			}
			fmt.Fprintf(&b, "complete -c pluginctl -n '__fish_seen_subcommand_from %s' %s%s -d %s\n", c.Name, strings.Join(opts, " "), r, fishQuote(usage))
		}
	}
	b.WriteString("complete -c pluginctl -f -n '__fish_seen_subcommand_from completion' -a 'bash zsh fish'\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func fishQuote(s string) string {
	if len(s) > 80 {
		s = s[:77] + "..."
	}
	return "'" + strings.NewReplacer(`\`, `\\`, "'", `\'`).Replace(s) + "'"
}

package cli

import (
	"fmt"
	"slices"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/pluginctl/pluginctl/internal/diag"
)

// normalize rewrites the command line the way the go command reads it:
// flags anywhere among the arguments (pluginctl check ./... --format
// github), "--" ending the flags. urfave/cli, like package flag, stops at
// the first positional argument; normalize moves every flag of the command
// (with its value, for a flag that takes one) before the positional
// arguments, which follow a "--" so that none is ever read as a flag.
// Unknown commands and flags are usage errors naming the closest name.
// args is without the program name.
func normalize(app *ucli.App, args []string) ([]string, error) {
	if len(args) == 0 {
		return args, nil
	}
	name := args[0]
	if strings.HasPrefix(name, "-") {
		return args, nil // --help, --version: the app's own
	}
	if name == "help" {
		return args, nil // the help command knows the commands and the topics
	}
	cmd := app.Command(name)
	if cmd == nil {
		return nil, unknownCommand(app, name)
	}
	flags, positional, err := splitArgs(cmd, args[1:])
	if err != nil {
		return nil, err
	}
	out := append([]string{name}, flags...)
	if len(positional) > 0 {
		out = append(append(out, "--"), positional...)
	}
	return out, nil
}

// splitArgs separates the flags of cmd (each with its value) from the
// positional arguments, in order.
func splitArgs(cmd *ucli.Command, args []string) (flags, positional []string, err error) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			positional = append(positional, args[i+1:]...)
			break
		}
		if len(a) < 2 || a[0] != '-' {
			positional = append(positional, a)
			continue
		}
		n := strings.TrimLeft(a, "-")
		hasValue := false
		if k := strings.IndexByte(n, '='); k >= 0 {
			n, hasValue = n[:k], true
		}
		f := lookupFlag(cmd, n)
		if f == nil {
			return nil, nil, unknownFlag(cmd, a, n)
		}
		flags = append(flags, a)
		if !hasValue && takesValue(f) {
			if i+1 == len(args) {
				return nil, nil, diag.Usage("flag needs an argument: %s (see pluginctl %s --help)", a, cmd.Name)
			}
			i++
			flags = append(flags, args[i])
		}
	}
	return flags, positional, nil
}

// lookupFlag is cmd's flag named n (a name or an alias), the help flag
// included; nil when cmd has none.
func lookupFlag(cmd *ucli.Command, n string) ucli.Flag {
	if n == "help" || n == "h" {
		return ucli.HelpFlag
	}
	for _, f := range cmd.Flags {
		if slices.Contains(f.Names(), n) {
			return f
		}
	}
	return nil
}

// takesValue reports whether f needs a value (--out DIR); a boolean flag
// takes one only as --flag=false.
func takesValue(f ucli.Flag) bool {
	if v, ok := f.(interface{ TakesValue() bool }); ok {
		return v.TakesValue()
	}
	return true
}

func unknownCommand(app *ucli.App, name string) error {
	var names []string
	for _, c := range app.Commands {
		if !c.Hidden {
			names = append(names, c.Name)
		}
	}
	hint := ""
	if s := closest(name, names); s != "" {
		hint = fmt.Sprintf("; did you mean %q?", s)
	}
	return diag.Usage("unknown command %q%s\n\trun pluginctl --help for the list of commands", name, hint)
}

func unknownFlag(cmd *ucli.Command, arg, name string) error {
	var names []string
	for _, f := range cmd.Flags {
		names = append(names, f.Names()...)
	}
	hint := ""
	if s := closest(name, names); s != "" {
		dash := "--"
		if len(s) == 1 {
			dash = "-"
		}
		hint = fmt.Sprintf("; did you mean %s%s?", dash, s)
	}
	flag, _, _ := strings.Cut(arg, "=")
	return diag.Usage("flag provided but not defined: %s%s (see pluginctl %s --help)", flag, hint, cmd.Name)
}

// closest is the name of names nearest to s by edit distance, "" when
// none is near enough to be a likely typo.
func closest(s string, names []string) string {
	best, bestD := "", 0
	for _, n := range names {
		d := editDistance(s, n)
		if best == "" || d < bestD {
			best, bestD = n, d
		}
	}
	if best == "" || bestD > max(1, min(len(s), len(best))/2) {
		if best != "" && (strings.HasPrefix(best, s) || strings.HasPrefix(s, best)) && len(s) >= 2 {
			return best
		}
		return ""
	}
	return best
}

// editDistance is the Levenshtein distance of a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

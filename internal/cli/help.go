package cli

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"io"
	"strconv"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/pluginctl/pluginctl/internal/diag"
)

// The help topics are plain text in Go doc-comment syntax (headings
// "# X", code blocks indented by a tab, lists "  - "), so that the same
// text reads well in a terminal and in the manual, cmd/pluginctl/doc.go,
// which is generated from it (see Manual).
//
//go:embed help/*.txt
var topicFiles embed.FS

// topic is one `pluginctl help TOPIC` text.
type topic struct {
	Name  string
	Title string // its heading in the manual
	Short string // one line, for the list of topics
	text  func() string
}

// topics lists the help topics in the order of the manual.
var topics = []topic{
	{"project", "The project model", "what is a host, what is a plugin, the API package, pluginctl.toml", file("project")},
	{"contract", "The host's contract", "the symbols a host looks up in its plugins: inferred, declared, kinds", file("contract")},
	{"build", "Building", "what pluginctl build does, its metadata and manifest; inspect and diff", file("build")},
	{"verify", "Verifying", "the static and dynamic checks, what is remembered, interruptions", file("verify")},
	{"released", "Plugins for a released host", "build --for HOST and verify where the host's source is not at hand", file("released")},
	{"arch", "Other architectures", "plugins for an arm64 (or other Linux) host, built and loaded on amd64", file("arch")},
	{"vet", "Source checks", "pluginctl vet's analyzers and go vet -vettool", file("vet")},
	{"ci", "The CI gate", "check in CI, with GitHub Actions and a shared cache", file("ci")},
	{"formats", "Report formats", "text, JSON (schema), JUnit and GitHub annotations", file("formats")},
	{"codes", "Problem codes", "every problem code: what it means, which check finds it, its fix", codesText},
	{"exit-codes", "Exit codes", "what each exit status means", exitText},
	{"cache", "Caches and environment", "what pluginctl remembers, where, and its environment variables", file("cache")},
	{"security", "Security", "what verify --static guarantees, the probe's box, output safety", file("security")},
}

func file(name string) func() string {
	return func() string {
		b, err := topicFiles.ReadFile("help/" + name + ".txt")
		if err != nil {
			panic(err) // embedded: cannot happen
		}
		return string(b)
	}
}

// lookupTopic returns the topic called name.
func lookupTopic(name string) (topic, bool) {
	for _, t := range topics {
		if t.Name == name {
			return t, true
		}
	}
	return topic{}, false
}

func helpCommand(stdio IO) *ucli.Command {
	return &ucli.Command{
		Name:      "help",
		Usage:     "show the help of a command, or a topic of the manual",
		ArgsUsage: "[COMMAND|TOPIC]",
		Description: `Help with no argument lists the commands and the topics. With a command's name
it shows that command's help (as pluginctl COMMAND --help does); with a topic's
name, the topic. The same text is the manual that go doc shows:
   go doc github.com/pluginctl/pluginctl/cmd/pluginctl

Examples:
   pluginctl help
   pluginctl help verify
   pluginctl help codes`,
		Action: func(c *ucli.Context) error {
			switch c.NArg() {
			case 0:
				return ucli.ShowAppHelp(c)
			case 1:
			default:
				return diag.Usage("help takes one COMMAND or TOPIC")
			}
			name := c.Args().First()
			t, isTopic := lookupTopic(name)
			if c.App.Command(name) != nil {
				// A command's help, then its topic (build, verify...).
				// The app's context: its command's subcommands are the app's.
				if err := ucli.ShowCommandHelp(c.Lineage()[1], name); err != nil || !isTopic {
					return err
				}
				fmt.Fprintln(stdio.Stdout)
			}
			if isTopic {
				_, err := io.WriteString(stdio.Stdout, t.text())
				return err
			}
			return diag.Usage("unknown command %q, nor a help topic: %s (pluginctl help lists them)", name, suggest(name, c.App))
		},
	}
}

// appHelpTemplate is urfave/cli's usage template followed by the list of
// topics, aligned: what pluginctl, pluginctl --help and pluginctl help show.
func appHelpTemplate() string {
	var b strings.Builder
	// The usage text's lines are indented already: wrap would indent them
	// again.
	b.WriteString(strings.TrimRight(strings.Replace(ucli.AppHelpTemplate, "{{wrap .UsageText 3}}", "{{.UsageText}}", 1), "\n"))
	b.WriteString("\n\nHELP TOPICS (pluginctl help TOPIC):\n")
	for _, t := range topics {
		fmt.Fprintf(&b, "   %-12s%s\n", t.Name, t.Short)
	}
	return b.String()
}

// suggest names the topic or command name meant by name: one containing
// it (exit for exit-codes), else the nearest by edit distance; when none
// is near, the list of topics.
func suggest(name string, app *ucli.App) string {
	var names, topicNames []string
	for _, t := range topics {
		topicNames = append(topicNames, t.Name)
	}
	names = append(names, topicNames...)
	for _, c := range app.Commands {
		names = append(names, c.Name)
	}
	best := ""
	for _, n := range names {
		if strings.Contains(n, name) && (best == "" || len(n) < len(best)) {
			best = n
		}
	}
	if best == "" {
		best = closest(name, names)
	}
	if best == "" {
		return "the topics are " + strings.Join(topicNames, ", ")
	}
	return fmt.Sprintf("did you mean %q?", best)
}

// codesText is the codes topic, generated from diag.Codes.
func codesText() string {
	var b strings.Builder
	b.WriteString(`Every problem pluginctl reports (verify's static and dynamic checks, vet,
build's vet gate) carries one of these codes, a severity, a message, the
evidence and a fix. Tools match on the codes: a code is never renamed. A
warning never makes an artifact fail; an error always does. Each entry says
which checks report it, what it means and what fixes it.

`)
	group := func(d diag.Doc) string {
		switch d.FoundBy {
		case "vet":
			return "Codes of vet (named after its analyzers)"
		case "build":
			return "Codes of a build that stopped"
		}
		return "Codes of verify"
	}
	last := ""
	for _, d := range diag.Codes {
		if g := group(d); g != last {
			b.WriteString("# " + g + "\n\n")
			last = g
		}
		b.WriteString(wrap("  - "+string(d.Code)+" ("+d.FoundBy+"): "+d.Meaning+".", "    "))
		b.WriteString(wrap("    Fix: "+d.Fix+".", "    "))
		b.WriteString("\n")
	}
	b.WriteString("# Deploy-target checks\n\n")
	b.WriteString(`The deploy-target checks (libc-mismatch, extra-library) read the ELF NEEDED
entries and the GLIBC_x.y versions of the imported symbols: the host runs on
the deploy machine, so that machine has the host's C library and at least the
highest version the host requires; anything a plugin requires beyond that is
reported. The dynamic check runs on the build machine and cannot see these,
so they are never a check-disagreement. The limit: a plugin needing the same
version as the host passes even if the deploy machine's glibc is older than
both (the host would not run there either).
`)
	return b.String()
}

// exitText is the exit-codes topic, generated from diag.ExitCodes.
func exitText() string {
	var b strings.Builder
	b.WriteString("pluginctl ends with one of these exit statuses, whatever the command:\n\n")
	for _, e := range diag.ExitCodes {
		b.WriteString(wrap("  - "+strconv.Itoa(e.Code)+": "+e.Meaning+".", "    "))
	}
	b.WriteString(`
An error caused by an interruption (such as "vetting: listing packages:
context canceled") still exits 130.
`)
	return b.String()
}

// wrap fills s into lines of at most 78 columns, continuation lines
// starting with indent.
func wrap(s, indent string) string {
	var b strings.Builder
	line := ""
	for _, w := range strings.Fields(s) {
		switch {
		case line == "":
			line = leading(s) + w
		case len(line)+1+len(w) > 78:
			b.WriteString(line + "\n")
			line = indent + w
		default:
			line += " " + w
		}
	}
	b.WriteString(line + "\n")
	return b.String()
}

// leading returns the spaces that begin s.
func leading(s string) string {
	return s[:len(s)-len(strings.TrimLeft(s, " "))]
}

// Manual returns pluginctl's whole manual in Go doc-comment syntax: the
// overview, the usage, every command's help and every topic. The package
// comment of cmd/pluginctl (doc.go) is generated from it.
func Manual() (string, error) {
	var b strings.Builder
	b.WriteString(file("overview")())
	run := func(args ...string) (string, error) {
		var out, errs bytes.Buffer
		if err := Run(context.Background(), args, IO{Stdout: &out, Stderr: &errs, Getenv: func(string) string { return "" }}); err != nil {
			return "", fmt.Errorf("pluginctl %s: %v: %s", strings.Join(args, " "), err, errs.String())
		}
		return out.String(), nil
	}
	usage, err := run("help")
	if err != nil {
		return "", err
	}
	b.WriteString("\n# Usage\n\n" + code(usage))
	section := func(t topic) {
		fmt.Fprintf(&b, "\n# %s (pluginctl help %s)\n\n%s", t.Title, t.Name, t.text())
	}
	project, _ := lookupTopic("project") // what every command's help assumes
	section(project)
	app := newApp(IO{})
	for _, c := range app.Commands {
		if c.Name == "help" {
			continue
		}
		text, err := run(c.Name, "--help")
		if err != nil {
			return "", err
		}
		fmt.Fprintf(&b, "\n# pluginctl %s\n\n%s", c.Name, code(text))
		if t, ok := lookupTopic(c.Name); ok {
			b.WriteString("\n" + t.text())
		}
	}
	for _, t := range topics {
		if app.Command(t.Name) == nil && t.Name != project.Name {
			section(t)
		}
	}
	return b.String(), nil
}

// code indents text as a doc comment's code block.
func code(text string) string {
	var b strings.Builder
	for _, l := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		if strings.TrimSpace(l) == "" {
			b.WriteString("\n")
			continue
		}
		b.WriteString("\t" + l + "\n")
	}
	return b.String()
}

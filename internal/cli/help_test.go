package cli

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/pluginctl/pluginctl/internal/diag"
)

// runHelp runs pluginctl with args and returns its exit code and output.
func runHelp(args ...string) (int, string, string) {
	var out, errs bytes.Buffer
	err := Run(context.Background(), args, IO{Stdout: &out, Stderr: &errs, Getenv: func(string) string { return "" }})
	return diag.ExitCode(err), out.String(), errs.String()
}

// fields normalises white space, so that wrapped text compares with the
// table it was generated from.
func fields(s string) string { return strings.Join(strings.Fields(s), " ") }

func TestHelp(t *testing.T) {
	for _, tc := range []struct {
		args      []string
		code      int
		stdout    []string // each appears in standard output
		stderr    string
		notStdout string
	}{
		{[]string{"help"}, 0, []string{"COMMANDS:", "HELP TOPICS", "exit-codes", "security"}, "", ""},
		{[]string{"--help"}, 0, []string{"COMMANDS:", "--help, -h", "HELP TOPICS"}, "", ""},
		{nil, 0, []string{"COMMANDS:", "HELP TOPICS"}, "", ""},
		{[]string{"help", "codes"}, 0, []string{"package-mismatch (static, dynamic)", "Fix: "}, "", "USAGE:"},
		{[]string{"help", "exit-codes"}, 0, []string{"  - 130: interrupted"}, "", ""},
		{[]string{"help", "contract"}, 0, []string{"pluginctl contract [command options]", "# Kinds"}, "", ""},
		{[]string{"help", "build"}, 0, []string{"--for value", "# Build metadata"}, "", ""},
		{[]string{"help", "version"}, 0, []string{"pluginctl version - print"}, "", "#"},
		{[]string{"help", "released"}, 0, []string{"# build --for HOST"}, "", "OPTIONS:"},
		{[]string{"help", "security"}, 0, []string{"SipHash-2-4"}, "", ""},
		{[]string{"help", "nosuchtopic"}, 2, nil, `unknown command "nosuchtopic", nor a help topic: the topics are project, contract, `, ""},
		{[]string{"help", "exit"}, 2, nil, `did you mean "exit-codes"?`, ""},
		{[]string{"help", "fromats"}, 2, nil, `did you mean "formats"?`, ""},
		{[]string{"help", "codes", "formats"}, 2, nil, "help takes one COMMAND or TOPIC", ""},
	} {
		name := strings.Join(tc.args, " ")
		code, out, errs := runHelp(tc.args...)
		if code != tc.code {
			t.Errorf("pluginctl %s: exit %d, want %d (stderr %q)", name, code, tc.code, errs)
		}
		for _, s := range tc.stdout {
			if !strings.Contains(out, s) {
				t.Errorf("pluginctl %s: no %q in the output:\n%s", name, s, out)
			}
		}
		if tc.notStdout != "" && strings.Contains(out, tc.notStdout) {
			t.Errorf("pluginctl %s: %q in the output:\n%s", name, tc.notStdout, out)
		}
		if !strings.Contains(errs, tc.stderr) {
			t.Errorf("pluginctl %s: stderr %q, want %q in it", name, errs, tc.stderr)
		}
	}
}

// TestHelpCodes checks that the codes topic has every code of diag.Codes
// with its checks, meaning and fix, and the exit-codes topic every exit
// status: both are generated, never written by hand.
func TestHelpCodes(t *testing.T) {
	_, out, _ := runHelp("help", "codes")
	text := fields(out)
	for _, d := range diag.Codes {
		for _, s := range []string{"- " + string(d.Code) + " (" + d.FoundBy + "): ", d.Meaning, "Fix: " + d.Fix} {
			if !strings.Contains(text, fields(s)) {
				t.Errorf("help codes: %s: no %q", d.Code, s)
			}
		}
	}
	_, out, _ = runHelp("help", "exit-codes")
	text = fields(out)
	for _, e := range diag.ExitCodes {
		if !strings.Contains(text, fields("- "+strconv.Itoa(e.Code)+": "+e.Meaning)) {
			t.Errorf("help exit-codes: no %d: %s", e.Code, e.Meaning)
		}
	}
	for _, c := range []int{diag.ExitOK, diag.ExitFailure, diag.ExitUsage, diag.ExitInterrupted} {
		if !strings.Contains(text, "- "+strconv.Itoa(c)+": ") {
			t.Errorf("help exit-codes: exit status %d not documented", c)
		}
	}
}

// TestTopics checks the topics' text: every file is a topic (or the
// overview), and every topic reads as a Go doc comment whose prose fits
// in 80 columns and has no Markdown left in it.
func TestTopics(t *testing.T) {
	files, err := fs.Glob(topicFiles, "help/*.txt")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		name := strings.TrimSuffix(strings.TrimPrefix(f, "help/"), ".txt")
		if _, ok := lookupTopic(name); !ok && name != "overview" {
			t.Errorf("%s is no topic: add it to topics", f)
		}
	}
	seen := map[string]bool{}
	for _, tp := range topics {
		if seen[tp.Name] {
			t.Errorf("topic %s twice", tp.Name)
		}
		seen[tp.Name] = true
		text := tp.text()
		if text == "" || !strings.HasSuffix(text, "\n") {
			t.Errorf("topic %s: empty or without a final newline", tp.Name)
		}
		for i, l := range strings.Split(text, "\n") {
			if strings.HasPrefix(l, "\t") {
				continue // code
			}
			if len([]rune(l)) > 80 {
				t.Errorf("topic %s, line %d: %d columns: %q", tp.Name, i+1, len([]rune(l)), l)
			}
			if m := markdown.FindString(l); m != "" {
				t.Errorf("topic %s, line %d: Markdown %q: %q", tp.Name, i+1, m, l)
			}
		}
		// A list runs on over blank and indented lines: a code block
		// after it, with no unindented line between, would be read as
		// part of its last item.
		inList := false
		for i, l := range strings.Split(text, "\n") {
			switch {
			case listItem.MatchString(l):
				inList = true
			case strings.HasPrefix(l, "\t") && inList:
				t.Errorf("topic %s, line %d: a code block inside a list item: %q", tp.Name, i+1, l)
			case l != "" && l[0] != ' ' && l[0] != '\t':
				inList = false
			}
		}
	}
}

// markdown matches what Markdown marks up and a doc comment does not:
// code spans and fences, bold, links, tables.
var (
	markdown = regexp.MustCompile("`|\\*\\*\\w[^*]*\\w\\*\\*|\\]\\((#|https?:|\\.{0,2}/|[\\w/.-]+\\.md)|^\\|.*\\|$")
	listItem = regexp.MustCompile(`^ {1,4}(-|[0-9]+\.) `)
)

// TestReadmeLinksTopics checks that README.md, which lists the topics for
// readers who have not installed pluginctl yet, lists every one.
func TestReadmeLinksTopics(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, tp := range topics {
		if !strings.Contains(string(readme), "| `"+tp.Name+"` |") {
			t.Errorf("README.md does not list the help topic %s", tp.Name)
		}
	}
}

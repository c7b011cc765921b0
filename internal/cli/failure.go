package cli

import (
	"cmp"
	"context"
	"errors"
	"io"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/pluginctl/pluginctl/builder"
	"github.com/pluginctl/pluginctl/internal/diag"
	"github.com/pluginctl/pluginctl/internal/output"
)

// failureReport is the report of a command that stopped before it could
// verify anything (a vet error, a compile error, a module error, an
// environment problem), so that every failure reaches the chosen format:
// one artifact per package that failed (named by its import path), each
// problem with its source position, relative to dir, when the error
// gives one. what names the command ("pluginctl check") for a failure
// that is about no package.
func failureReport(err error, dir, what string) *diag.Report {
	r := &diag.Report{Schema: diag.Schema, Checks: []diag.Check{diag.Build}}
	byName := map[string]int{}
	add := func(name string, p diag.Problem) {
		name = cmp.Or(name, what)
		i, ok := byName[name]
		if !ok {
			i = len(r.Artifacts)
			byName[name] = i
			r.Artifacts = append(r.Artifacts, diag.ArtifactReport{Path: name, Name: filepath.Base(name)})
		}
		p.Pos = relPos(p.Pos, dir)
		r.Artifacts[i].Problems = append(r.Artifacts[i].Problems, p)
	}
	var (
		vg  *builder.VetError
		ce  *builder.CompileError
		ms  *builder.MissingSumError
		me  *builder.ModError
		pe  *builder.PackageError
		env *diag.EnvError
	)
	switch {
	case errors.Is(err, context.Canceled):
		r.Interrupted = true
		add("", problem(diag.Interrupted, diag.Build, "interrupted before anything was verified", ""))
	case errors.As(err, &vg):
		r.Checks = []diag.Check{diag.Vet, diag.Build}
		for _, f := range vg.Result.Findings {
			add(cmp.Or(f.Package, "module"), f.Problem)
		}
		add("", problem(diag.VetStopped, diag.Build, "vet found errors that predict a failure at load time; the build was stopped", "fix them, or build anyway with --no-vet"))
	case errors.As(err, &ce):
		for _, f := range ce.Failures {
			for _, p := range compilerProblems(f.Output) {
				p.Message = string(f.Kind) + " " + f.Package + ": " + p.Message
				add(f.Package, p)
			}
		}
	case errors.As(err, &ms):
		p := problem(diag.ModuleError, diag.Build, firstLine(ms.Error()), "go mod download "+ms.Module)
		if ms.File != "" {
			p.Pos = ms.File + ":" + strconv.Itoa(ms.Line)
		}
		add(ms.Package, p)
	case errors.As(err, &me):
		p := positioned(firstLine(me.Error()))
		p.Code, p.Detail = diag.ModuleError, restLines(me.Error())
		add("", p)
	case errors.As(err, &pe):
		for _, e := range pe.Errors {
			p := positioned(e)
			p.Code = diag.PackageError
			add("", p)
		}
	default:
		p := problem(diag.Environment, diag.Build, firstLine(err.Error()), "")
		p.Detail = restLines(err.Error())
		if errors.As(err, &env) {
			p.Message, p.Fix, p.Detail = firstLine(env.Msg), strings.TrimSpace(strings.ReplaceAll(env.Fix, "\n\t", "\n")), restLines(env.Msg)
		}
		if diag.ExitCode(err) == diag.ExitFailure {
			p.Code = diag.PackageError
		}
		add("", p)
	}
	r.Finish()
	r.Notes = []string{"nothing was verified: " + strings.TrimPrefix(what, "pluginctl ") + " stopped first"}
	return r
}

// reportFailure writes the failure report of err (see failureReport)
// to w in format, unless format is text (the message on standard error
// says it all) or err is nil or a failure already reported; it returns
// err, whose message still goes to standard error.
func reportFailure(w io.Writer, format string, err error, dir, what string) error {
	if err != nil && format != "text" && !errors.Is(err, diag.Failed) {
		fw, _ := output.New(format, w, false)
		fw.Report(failureReport(err, dir, what))
	}
	return err
}

func problem(code diag.Code, check diag.Check, msg, fix string) diag.Problem {
	return diag.Problem{Code: code, Severity: diag.Error, Check: check, Message: msg, Fix: fix}
}

// compilerLine is a compiler's (or the go command's) positioned message:
// file:line[:col]: message.
var compilerLine = regexp.MustCompile(`^(\S[^:]*\.(?:go|s|c|h|cc|cpp|cxx|m|mod|sum|work|syso)):(\d+)(?::(\d+))?: (.*)$`)

// compilerProblems turns go build's output into one problem per
// positioned message, the lines indented below it as its detail; output
// without a position is one problem.
func compilerProblems(out string) []diag.Problem {
	var ps []diag.Problem
	var loose []string
	for _, l := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
		switch {
		case strings.HasPrefix(l, "# "): // the package's header
		case compilerLine.MatchString(l):
			ps = append(ps, positioned(l))
			ps[len(ps)-1].Code = diag.CompileError
		case len(ps) > 0 && strings.HasPrefix(l, "\t"):
			ps[len(ps)-1].Detail = append(ps[len(ps)-1].Detail, strings.TrimSpace(l))
		case strings.TrimSpace(l) != "":
			loose = append(loose, l)
		}
	}
	if len(ps) == 0 {
		p := problem(diag.CompileError, diag.Build, "go build failed", "")
		p.Detail = loose
		return []diag.Problem{p}
	}
	if len(loose) > 0 {
		ps[len(ps)-1].Detail = append(ps[len(ps)-1].Detail, loose...)
	}
	return ps
}

// positioned is a build problem for a line "file:line[:col]: message"
// (Pos set), or for any other line (its message).
func positioned(l string) diag.Problem {
	m := compilerLine.FindStringSubmatch(l)
	if m == nil {
		return problem(diag.PackageError, diag.Build, l, "")
	}
	p := problem(diag.CompileError, diag.Build, m[4], "")
	p.Pos = m[1] + ":" + m[2]
	if m[3] != "" {
		p.Pos += ":" + m[3]
	}
	return p
}

// relPos makes an absolute position relative to dir, and drops a "./".
func relPos(pos, dir string) string {
	if pos == "" {
		return ""
	}
	if filepath.IsAbs(pos) && dir != "" {
		if rel, err := filepath.Rel(dir, pos); err == nil && filepath.IsLocal(strings.SplitN(rel, ":", 2)[0]) {
			pos = rel
		}
	}
	return strings.TrimPrefix(pos, "./")
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

// restLines are the lines of s after the first, without their indent.
func restLines(s string) []string {
	_, rest, ok := strings.Cut(s, "\n")
	if !ok {
		return nil
	}
	var out []string
	for _, l := range strings.Split(rest, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

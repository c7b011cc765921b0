package verifier

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/pluginctl/pluginctl/internal/diag"
	"github.com/pluginctl/pluginctl/verifier/internal/probe"
)

// failure classifies a run that did not complete: the artifact killed,
// ended or blocked the process.
func (c *prober) failure(path string, r *probe.Result, index int) diag.Problem {
	where, stage := phase(r.Last(index))
	if r.Sandbox != "" {
		return diag.Problem{
			Code:    SandboxFailure,
			Message: "not checked: " + r.Sandbox,
			Fix:     "run verify again; if it persists, look for what uses up user namespaces (/proc/sys/user/max_user_namespaces)",
		}
	}
	crash := parseCrash(r.Stderr)
	detail := []string{"last stage the probe reported: " + stage}
	if r.Unauthenticated > 0 {
		detail = append(detail, fmt.Sprintf("%d line(s) on the probe's report pipe failed authentication: written by the plugin, ignored", r.Unauthenticated))
	}
	switch {
	case r.TimedOut:
		detail = append(detail, childOutput(r)...)
		fix := "do no blocking work (network, locks, waiting for input) in the plugin's package init; do it in Init, with a deadline"
		if stage != probe.StageOpening {
			fix = "make the plugin's exported functions return promptly; do slow work in the background, with a deadline"
		}
		return diag.Problem{
			Code:    Timeout,
			Message: fmt.Sprintf("did not finish within %v: blocked %s", c.opts.Timeout, where),
			Detail:  detail,
			Fix:     fix,
		}
	case crash.kind == "panic":
		return diag.Problem{
			Code:    InitPanic,
			Message: fmt.Sprintf("panics %s: %s", where, oneLine(crash.value)),
			Detail:  append(append(detail, "panic: "+oneLine(crash.value)), crash.frames...),
			Fix:     "fix the panic; a plugin's package init must not fail: move fallible setup into Init, which returns an error",
		}
	case crash.kind == "fatal" && strings.Contains(crash.value, "no plugin module data"):
		f := c.file(path)
		if reason := c.notPluginReason(path); reason != "" {
			return diag.Problem{
				Code:    NotAPlugin,
				Message: "not a Go plugin: " + reason + "; opening it kills the host with \"fatal error: runtime: no plugin module data\"",
				Detail:  append(detail, "fatal error: "+crash.value),
				Fix:     "build it with `pluginctl build` (go build -buildmode=plugin)",
			}
		}
		fix := "rebuild the plugin with the host's toolchain (" + c.hostGo + ") using `pluginctl build`"
		if f != nil && f.BuildInfo != nil {
			detail = append(detail, fmt.Sprintf("Go version: plugin %s, host %s", f.BuildInfo.GoVersion, c.hostGo))
			if f.BuildInfo.GoVersion != c.hostGo {
				fix = "rebuild the plugin with the host's toolchain: GOTOOLCHAIN=" + strings.Fields(c.hostGo)[0] + " pluginctl build"
			}
		}
		return diag.Problem{
			Code:    Crash,
			Message: "kills the host " + where + ": fatal error: " + oneLine(crash.value) + " (a plugin from another Go toolchain)",
			Detail:  append(append(detail, "fatal error: "+crash.value), crash.frames...),
			Fix:     fix,
		}
	case crash.kind == "fatal":
		return diag.Problem{
			Code:    Crash,
			Message: "kills the host " + where + ": fatal error: " + oneLine(crash.value),
			Detail:  append(append(detail, "fatal error: "+crash.value), crash.frames...),
			Fix:     "fix the fatal error; run the host with the plugin under GOTRACEBACK=all to see every goroutine",
		}
	case crash.kind == "signal":
		msg := fmt.Sprintf("crashes the host %s: %s", where, oneLine(crash.value))
		fix := "fix the crash; run the host with the plugin under a debugger to find where it happens"
		if crash.cgo {
			msg += ", in C code"
			fix = "fix the C code the plugin calls"
			if crash.signal == "SIGABRT" {
				fix += ": it called abort() (a failed assert?)"
			}
		}
		return diag.Problem{
			Code:    Crash,
			Message: msg,
			Detail:  append(append(detail, crash.lines...), crash.frames...),
			Fix:     fix,
		}
	case r.Signal != "":
		msg := fmt.Sprintf("crashes the host %s: killed by %s", where, r.Signal)
		switch r.Signal {
		case "SIGKILL":
			msg += " (not pluginctl's timeout: the plugin itself, the CPU time limit or the out-of-memory killer)"
		case "SIGXCPU":
			msg += " (the CPU time limit)"
		}
		return diag.Problem{
			Code:    Crash,
			Message: msg,
			Detail:  append(detail, childOutput(r)...),
			Fix:     "fix the crash; run the host with the plugin under a debugger to find where it happens",
		}
	default:
		detail = append(detail, childOutput(r)...)
		msg := fmt.Sprintf("ends the host's process with exit status %d %s", r.ExitCode, where)
		if r.ExitCode == 0 {
			msg = fmt.Sprintf("ends the host's process with exit status 0 %s, before the probe could confirm the load", where)
		}
		return diag.Problem{
			Code:    InitExit,
			Message: msg,
			Detail:  detail,
			Fix:     "never call os.Exit or log.Fatal in a plugin: return an error from Init and let the host decide",
		}
	}
}

// phase describes where a run stopped, from its last event.
func phase(e *probe.Event) (where, stage string) {
	if e == nil {
		return "before plugin.Open", "none"
	}
	switch e.Stage {
	case probe.StageStarted:
		return "before plugin.Open", e.Stage
	case probe.StageOpening:
		return "during plugin.Open (in its package initialization)", e.Stage
	case probe.StageOpened, probe.StageOpenError:
		return "after plugin.Open, while looking up its symbols", e.Stage
	case probe.StageLookedUp:
		return "after its symbols were looked up", e.Stage
	case probe.StageCall:
		return "in " + e.Func, e.Stage + " " + e.Func
	case probe.StageReturned, probe.StagePanicked:
		return "after " + e.Func + " returned", e.Stage + " " + e.Func
	default:
		return "after the last check", e.Stage
	}
}

// panicProblem is a panic the probe recovered in a plugin function.
func panicProblem(e probe.Event) diag.Problem {
	detail := []string{"panic: " + oneLine(e.Value)}
	if e.Type != "" && e.Type != "string" {
		detail[0] += " (" + e.Type + ")"
	}
	detail = append(detail, topFrames(strings.Split(e.Stack, "\n"), true)...)
	return diag.Problem{
		Code:    InitPanic,
		Message: fmt.Sprintf("%s panics: %s", e.Func, oneLine(e.Value)),
		Detail:  detail,
		Fix:     fmt.Sprintf("make %s return normally; report failures from Init as an error", e.Func),
	}
}

// crashReport is what the Go runtime printed when the process died.
type crashReport struct {
	kind   string // "panic", "fatal", "signal" or ""
	value  string // the panic value, the fatal error, the signal line
	signal string // SIGABRT, ... for kind "signal"
	cgo    bool   // "signal arrived during cgo execution"
	lines  []string
	frames []string
}

// parseCrash finds the Go runtime's last report of a panic, fatal
// error or signal in a child's stderr: the header line closest before the
// last goroutine trace. Anything else, garbage included, is ignored.
func parseCrash(stderr []byte) crashReport {
	lines := strings.Split(strings.ToValidUTF8(string(stderr), "\uFFFD"), "\n")
	var c crashReport
	trace, h := -1, -1
	for i := len(lines) - 1; i >= 0 && h < 0; i-- {
		if strings.HasPrefix(lines[i], "goroutine ") && strings.HasSuffix(lines[i], "]:") {
			trace, h = i, crashHeader(lines, i)
		}
	}
	if h < 0 {
		return c
	}
	line := lines[h]
	switch {
	case strings.HasPrefix(line, "panic: "):
		c.kind, c.value = "panic", strings.TrimSuffix(strings.TrimPrefix(line, "panic: "), " [recovered]")
		// A multi-line panic value runs up to the blank line.
		for j := h + 1; j < trace && lines[j] != "" && !strings.HasPrefix(lines[j], "[signal ") && !strings.HasPrefix(lines[j], "\t"); j++ {
			c.value += " " + lines[j]
		}
	case strings.HasPrefix(line, "fatal error: "):
		c.kind, c.value = "fatal", strings.TrimPrefix(line, "fatal error: ")
	default:
		c.kind, c.value = "signal", line
		c.signal, _, _ = strings.Cut(line, ":")
	}
	for j := h + 1; j < trace; j++ {
		switch {
		case strings.Contains(lines[j], "signal arrived during cgo execution"):
			c.cgo = true
			c.lines = append(c.lines, oneLine(lines[j]))
		case strings.HasPrefix(lines[j], "[signal "):
			c.lines = append(c.lines, oneLine(lines[j]))
			if c.kind == "fatal" {
				c.value += " " + lines[j]
			}
		}
	}
	c.value = oneLine(c.value)
	if c.kind == "signal" {
		c.lines = append([]string{oneLine(line)}, c.lines...)
	}
	c.frames = topFrames(lines[trace+1:], false)
	return c
}

// crashHeader returns the index of the runtime's header line (panic:,
// fatal error:, SIGxxx:) that belongs to the trace starting at line i, or
// -1. Output the plugin wrote without a final newline may precede the
// header on its line: the returned line is cut to start at the header.
func crashHeader(lines []string, i int) int {
	for j := i - 1; j >= 0 && j >= i-40; j-- {
		l := lines[j]
		if strings.HasPrefix(l, "goroutine ") && strings.HasSuffix(l, "]:") {
			return -1
		}
		if strings.HasPrefix(l, "[signal ") {
			continue // detail of the header above it
		}
		if loc := crashHeaderRE.FindStringIndex(l); loc != nil {
			lines[j] = l[loc[0]:]
			return j
		}
	}
	return -1
}

// crashHeaderRE matches the start of a runtime crash header.
var crashHeaderRE = regexp.MustCompile(`(panic: |fatal error: |SIG[A-Z0-9]+: )`)

// topFrames returns the top of a Go stack trace as "function (file:line)",
// up to three frames. After a recovered panic (recovered), the frames from
// the last panic( call on; runtime frames and the probe's own (package
// main) are skipped.
func topFrames(lines []string, recovered bool) []string {
	if recovered {
		for i := len(lines) - 1; i >= 0; i-- {
			if strings.HasPrefix(lines[i], "panic(") {
				lines = lines[i+1:]
				break
			}
		}
	}
	var out []string
	for i := 0; i < len(lines) && len(out) < 3; i++ {
		fn := lines[i]
		if fn == "" {
			if len(out) > 0 {
				break
			}
			continue
		}
		if strings.HasPrefix(fn, "\t") || strings.HasPrefix(fn, "goroutine ") {
			continue
		}
		loc := ""
		if i+1 < len(lines) && strings.HasPrefix(lines[i+1], "\t") {
			loc = strings.TrimSpace(lines[i+1])
			if j := strings.Index(loc, " "); j >= 0 {
				loc = loc[:j]
			}
			i++
		}
		name := fn
		if j := strings.LastIndex(name, "("); j > 0 {
			name = name[:j]
		}
		if strings.HasPrefix(name, "runtime.") || strings.HasPrefix(name, "panic") || strings.HasPrefix(name, "main.") ||
			strings.HasPrefix(name, "created by ") {
			continue
		}
		frame := "at " + name
		if loc != "" {
			frame += " (" + loc + ")"
		}
		out = append(out, oneLine(frame))
	}
	return out
}

func absPath(path string) string {
	if abs, err := filepath.Abs(path); err == nil {
		return abs
	}
	return path
}

// oneLine makes untrusted text safe for a one-line message: valid UTF-8,
// no control characters, at most 300 bytes.
func oneLine(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	s = strings.TrimSpace(s)
	if len(s) > 300 {
		s = strings.ToValidUTF8(s[:300], "") + "…"
	}
	return s
}

// tail returns the last n non-empty lines of out, made safe; a line
// that is mostly not text shows as its size.
func tail(out []byte, n int) string {
	lines := strings.Split(string(out), "\n")
	var keep []string
	for i := len(lines) - 1; i >= 0 && len(keep) < n; i-- {
		l := oneLine(lines[i])
		if l == "" {
			continue
		}
		if bad := isBinary(lines[i]); bad {
			l = fmt.Sprintf("(%d bytes of binary data)", len(lines[i]))
		}
		keep = append([]string{l}, keep...)
	}
	if len(keep) == 0 {
		return "no output"
	}
	return strings.Join(keep, " | ")
}

// isBinary tells a line that is mostly not printable text.
func isBinary(s string) bool {
	bad := 0
	for _, r := range s {
		if r == utf8.RuneError || r < 0x20 && r != '\t' || r == 0x7f {
			bad++
		}
	}
	return bad*10 > len(s)
}

// childOutput is the child's output for a Detail, if any.
func childOutput(r *probe.Result) []string {
	var d []string
	if len(r.Stderr) > 0 {
		d = append(d, "stderr: "+tail(r.Stderr, 3))
	}
	if len(r.Stdout) > 0 {
		d = append(d, "stdout: "+tail(r.Stdout, 3))
	}
	return d
}

// Running a probe: the child's process setup, its authenticated report
// read with bounds in size and time, and the per-artifact results. The
// wire format is wire.go's; the sandbox is sys_linux.go's. Long because
// the result types and the reader that fills them belong together.

package probe

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/pluginctl/pluginctl/internal/cachedir"
)

// DefaultTimeout bounds one probe run when RunOptions.Timeout is zero.
const DefaultTimeout = 10 * time.Second

// outputLimit caps each of the child's stdout and stderr, and its report
// for each artifact; what is beyond it is counted and dropped.
const outputLimit = 1 << 20

// DefaultAddressSpace is the child's RLIMIT_AS before its plugins: far
// more than a Go program needs, far less than a runaway one takes; each
// artifact adds its own share (see addressSpace). Not set for hosts built
// with -race, -msan or -asan, whose runtimes reserve terabytes of address
// space.
const DefaultAddressSpace = 8 << 30

// addressSpace is the probe's RLIMIT_AS for opening artifacts in one
// process: base, plus for each artifact three times its size and 16 MiB.
// An opened plugin takes about 2.7 times its file in address space (its
// segments, and the runtime's tables for its module: 41 MiB for a 15 MiB
// plugin linking net/http), so a fixed limit would refuse a large folder
// that its host loads (with 200 such plugins, "failed to map segment").
func addressSpace(base uint64, artifacts []string) uint64 {
	as := base
	for _, a := range artifacts {
		if fi, err := os.Stat(a); err == nil {
			as += 3*uint64(fi.Size()) + 16<<20
		}
	}
	return as
}

// RunOptions configure one probe run.
type RunOptions struct {
	// Set opens every artifact in order in one process and only opens
	// them (the conflict check); otherwise the probe opens Artifacts (one,
	// normally) and checks each: Checks, then, with Convention, the API
	// convention.
	Set bool
	// Artifacts are the plugin files; relative paths are made absolute.
	Artifacts []string
	// Require are capabilities a careful host requires: without one the
	// probe stops before calling New, as the host would.
	Require []string
	// Checks are the symbols of the host's contract to look up and
	// assert, as the host does; the event of stage looked-up reports each
	// (Event.Check).
	Checks []Check
	// Convention checks the pluginapi convention after Checks, the way
	// package pluginapi/loader does, calling Capabilities, New, Name and
	// Init when every lookup succeeded. Only for a host that links the API
	// package (Probe.APIPackage).
	Convention bool
	// Plans, when given, are the checks of each artifact (one per
	// artifact), in place of Checks and Convention: one run checks
	// several artifacts in sequence, each as its own host would.
	Plans []Plan
	// Timeout bounds the load of each artifact (default DefaultTimeout):
	// the time from the start, or from the probe's authenticated report
	// that it opens the artifact, to the next such report or the end.
	Timeout time.Duration
	// Env are extra environment variables for the child.
	Env []string
	// Sandbox is SandboxAuto (""), SandboxRequire or SandboxOff.
	Sandbox string
}

// Sandbox modes (RunOptions.Sandbox): with namespaces where the kernel
// allows them, else without, with a note (auto); with namespaces or not
// at all (require); never with namespaces (off).
const (
	SandboxAuto    = "auto"
	SandboxRequire = "require"
	SandboxOff     = "off"
)

// SandboxError says that the probe's namespaces are refused here and the
// sandbox mode is SandboxRequire: no probe ran.
type SandboxError struct{ Why string }

func (e *SandboxError) Error() string {
	return "the probe's sandbox cannot be set up (user, PID, mount and network namespaces refused: " + e.Why + ")"
}

// Plan is what a run checks on one artifact.
type Plan struct {
	Checks     []Check
	Convention bool
}

// Check is one symbol of the host's contract.
type Check struct {
	// Symbol is the name looked up.
	Symbol string
	// Required: a host refuses a plugin without it.
	Required bool
	// Types are the alternatives (canonical type strings, each one of
	// the Config.Types the probe was built with); none: any type.
	Types []string
}

// CheckResult is what the probe found for one Check.
type CheckResult struct {
	Symbol
	// Match is the index in Probe.Types of the first of the check's types
	// the symbol has, -1 when none (or when it was not found).
	Match int `json:"match"`
	// Unassertable are the indexes in Probe.Types of the check's types
	// the host cannot assert, as decimal strings; Reasons say why.
	Unassertable []string `json:"unassertable,omitempty"`
	Reasons      []string `json:"reasons,omitempty"`
}

// Symbol is what the probe found for one looked-up symbol.
type Symbol struct {
	// Found: Lookup succeeded. Error is Lookup's error otherwise.
	Found bool   `json:"found"`
	Error string `json:"error,omitempty"`
	// Type is the dynamic type of the symbol (%T).
	Type string `json:"type,omitempty"`
	// OK: it has the type a careful host asserts.
	OK bool `json:"ok"`
	// Value is the string value of a *string symbol (APIVersion,
	// PluginctlMetadata).
	Value string `json:"value,omitempty"`
}

// Event is one authenticated report line.
type Event struct {
	Seq   int    `json:"seq"`
	Stage string `json:"stage"`
	// Index is the artifact the line is about (position in Artifacts).
	Index int    `json:"index"`
	Path  string `json:"path,omitempty"`
	// Error is plugin.Open's error (open-error) or Init's (returned).
	Error string `json:"error,omitempty"`
	// SameAs is the index of an earlier artifact for which plugin.Open
	// returned the same plugin (a symlink or the same file twice).
	SameAs *int `json:"same_as,omitempty"`
	// Func is the plugin function called (call, returned, panicked).
	Func string `json:"func,omitempty"`
	// Value is the panic value (panicked) or Name's result (returned).
	Value string `json:"value,omitempty"`
	// Type is the panic value's type.
	Type string `json:"type,omitempty"`
	// Stack is the stack at the recovered panic.
	Stack string `json:"stack,omitempty"`
	// List is what Capabilities returned.
	List []string `json:"list,omitempty"`
	// Nil: New returned nil.
	Nil bool `json:"nil,omitempty"`
	// WantAPIVersion is the host's API version; Symbols the lookups.
	WantAPIVersion string            `json:"want_api_version,omitempty"`
	Symbols        map[string]Symbol `json:"symbols,omitempty"`
	// Checks are the results of RunOptions.Checks (looked-up), keyed by
	// their position as a decimal string; see Check.
	Checks map[string]CheckResult `json:"checks,omitempty"`
	// Mode and Artifacts describe the run (started, done).
	Mode      string `json:"mode,omitempty"`
	Artifacts int    `json:"artifacts,omitempty"`
	// Time is when the probe started opening the artifact (opening), in
	// microseconds since the epoch.
	Time int64 `json:"t,omitempty"`
}

// Check returns the result of the k-th RunOptions.Checks of a looked-up
// event.
func (e *Event) Check(k int) (CheckResult, bool) {
	r, ok := e.Checks[strconv.Itoa(k)]
	return r, ok
}

// Result is what one probe run showed.
type Result struct {
	// Events are the authenticated report lines, in order.
	Events []Event
	// Done: the run ended with an authenticated "done" line. Only then,
	// and with exit status 0, did every stage really complete.
	Done bool
	// Unauthenticated counts report lines that failed authentication or
	// came out of order: written by something other than the probe.
	Unauthenticated int
	// ExitCode is the exit status, -1 when killed by a signal.
	ExitCode int
	// Signal names the signal that killed the process ("SIGSEGV"), "".
	Signal string
	// TimedOut: killed at the timeout. Canceled: killed because the
	// context ended.
	TimedOut bool
	Canceled bool
	// Stdout and Stderr are the child's output, up to the limit.
	Stdout, Stderr                   []byte
	StdoutTruncated, StderrTruncated bool
	// Duration is the wall time of the run.
	Duration time.Duration
	// Isolation describes the child's sandbox; Namespaces tells whether
	// it had its own user, PID, mount and network namespaces (else it ran
	// in the fallback, which Isolation describes); Notes are what its
	// supervisor could not set up.
	Isolation  string
	Namespaces bool
	Notes      []string
	// Sandbox, when set, says why the run's sandbox could not be set up
	// although it worked for earlier runs: nothing was probed. The
	// result is that of a probe that died opening its first artifact,
	// which is to fail for this reason.
	Sandbox string
	// Forged counts lines on the supervisor's status pipe that failed
	// authentication: written by a plugin, ignored.
	Forged int
	// Writes are the paths the probe wrote (or opened for writing, or
	// removed) in its box's throwaway layer, when it had one: none of
	// them was changed outside it.
	Writes []Write
}

// Write is one path the probe wrote in its box.
type Write struct {
	// Path is the path as the probe saw it (a directory's ends in "/").
	Path string
	// Removed: the probe removed it.
	Removed bool
	// Time is when it last changed, in microseconds since the epoch.
	Time int64
}

// WritesOf returns the writes of the run made while the probe was
// opening and checking artifact index: after it started opening it and
// before it started opening the next (by the time of their last change;
// a process a plugin left running may have written for it later).
func (r *Result) WritesOf(index int) []Write {
	var from, to int64 = 0, 1<<63 - 1
	for _, e := range r.Events {
		if e.Stage != StageOpening || e.Time == 0 {
			continue
		}
		switch {
		case e.Index == index:
			from = e.Time
		case e.Index == index+1:
			to = e.Time
		}
	}
	if index > 0 && from == 0 {
		return nil // never opened
	}
	var out []Write
	for _, w := range r.Writes {
		if (w.Time >= from || index == 0) && w.Time < to {
			out = append(out, w)
		}
	}
	return out
}

// Completed tells whether the run proved that every stage completed: an
// authenticated "done", exit status 0, not killed.
func (r *Result) Completed() bool {
	return r.Done && r.ExitCode == 0 && r.Signal == "" && !r.TimedOut && !r.Canceled
}

// Last returns the last authenticated event about artifact index (any
// artifact when index < 0), or nil.
func (r *Result) Last(index int) *Event {
	for i := len(r.Events) - 1; i >= 0; i-- {
		e := &r.Events[i]
		if e.Stage == StageStarted || e.Stage == StageDone {
			if index < 0 {
				return e
			}
			continue
		}
		if index < 0 || e.Index == index {
			return e
		}
	}
	return nil
}

// Run starts the probe on o.Artifacts and returns what it showed. The
// error is for failures to run the child at all; whatever the plugins
// do is in the Result.
func (p *Probe) Run(ctx context.Context, o RunOptions) (*Result, error) {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	o.Timeout = p.scaled(o.Timeout) // under an emulator (emulate.go)
	mode := "single"
	if o.Set {
		mode = "set"
	}
	args := []string{mode, "-hostname", filepath.Base(p.Host)}
	for _, r := range o.Require {
		args = append(args, "-require", r)
	}
	// Each artifact's checks follow its path (with Set, the probe only
	// opens them).
	plans := o.Plans
	if len(plans) == 0 {
		plans = make([]Plan, len(o.Artifacts))
		for i := range plans {
			plans[i] = Plan{Checks: o.Checks, Convention: o.Convention}
		}
	} else if len(plans) != len(o.Artifacts) {
		return nil, fmt.Errorf("%d plans for %d artifacts", len(o.Plans), len(o.Artifacts))
	}
	args = append(args, "--")
	for i, a := range o.Artifacts {
		abs, err := filepath.Abs(a)
		if err != nil {
			return nil, err
		}
		args = append(args, abs)
		for _, c := range plans[i].Checks {
			sc := symbolCheck{name: c.Symbol, required: c.Required}
			for _, t := range c.Types {
				k := p.TypeIndex(t)
				if k < 0 {
					return nil, fmt.Errorf("the probe was not built for the type %s of %s", t, c.Symbol)
				}
				sc.types = append(sc.types, k)
			}
			args = append(args, "-check", formatSymbolCheck(sc))
		}
		if plans[i].Convention {
			if p.APIPackage == "" {
				return nil, fmt.Errorf("the host does not link the API package: no convention to check")
			}
			args = append(args, "-convention")
		}
	}

	// Two keys: the report's, which the probe gets, and the status
	// key, which only the supervisor gets.
	key := make([]byte, 2*keyLen)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	defer wipe(key)
	// The first probe of the process is also the trial of the
	// namespaces: when its supervisor refuses them, it runs again
	// without (the refusal is remembered for every later probe).
	for {
		iso, err := isolationFor(o.Sandbox)
		if err != nil {
			return nil, err
		}
		res, refused, err := p.run(ctx, o, args, key, iso)
		if refused == "" {
			return res, err
		}
		if why := namespacesFailed(refused); why != "" {
			return sandboxFailed(o, iso, why), nil
		}
		if o.Sandbox == SandboxRequire {
			return nil, &SandboxError{Why: refused}
		}
	}
}

// sandboxFailed is the result of a run whose sandbox could not be set up:
// that of a probe that died opening its first artifact.
func sandboxFailed(o RunOptions, iso isolation, why string) *Result {
	res := &Result{Isolation: iso.describe(), Namespaces: iso.namespaces, Sandbox: why, ExitCode: -1}
	res.Events = []Event{{Seq: 1, Stage: StageStarted, Artifacts: len(o.Artifacts)}}
	if len(o.Artifacts) > 0 {
		res.Events = append(res.Events, Event{Seq: 2, Stage: StageOpening, Index: 0, Path: o.Artifacts[0]})
	}
	return res
}

// run is one start of the probe in iso. refused is set, and nothing ran,
// when the namespaces could not be set up.
func (p *Probe) run(ctx context.Context, o RunOptions, args []string, keys []byte, iso isolation) (*Result, string, error) {
	key, skey := keys[:keyLen], keys[keyLen:]
	// The pipes of the report (fd 3), the configuration (4) and the
	// supervisor's status (5).
	var r, w [3]*os.File
	defer func() {
		for i := range r {
			r[i].Close()
			w[i].Close()
		}
	}()
	for i := range r {
		var err error
		if r[i], w[i], err = os.Pipe(); err != nil {
			return nil, "", err
		}
	}
	repR, repW, cfgR, cfgW, stR, stW := r[0], w[0], r[1], w[1], r[2], w[2]

	res := &Result{}
	stdout := &capped{limit: outputLimit}
	stderr := &capped{limit: outputLimit}
	cmd := p.command(iso, o.Env, stdout, stderr, repW, cfgR, stW)
	start := time.Now()
	refused, err := startIsolated(iso, cmd)
	repW.Close()
	cfgR.Close()
	stW.Close()
	if refused != "" {
		return nil, refused, nil
	}
	if err != nil {
		return nil, "", fmt.Errorf("starting the probe: %w", err)
	}
	res.Isolation, res.Namespaces = iso.describe(), iso.namespaces
	pid := cmd.Process.Pid

	// The report grows with the artifacts a run checks (each can carry
	// 64 KiB of metadata): one limit per artifact, up to 64 MiB.
	report := &capped{limit: min(outputLimit*max(1, len(o.Artifacts)), 64<<20)}
	reportDone := make(chan struct{})
	// Each authenticated "opening" line starts the next artifact's time
	// (a line longer than the reader's buffer is none of them).
	opening := make(chan struct{}, 1)
	go func() {
		defer close(reportDone)
		k0, k1 := macKey(key)
		marker := []byte(`,"stage":"` + StageOpening + `"`)
		br := bufio.NewReaderSize(repR, 64<<10)
		for whole := true; ; {
			line, err := br.ReadSlice('\n')
			report.Write(line)
			if whole && err == nil && bytes.Contains(line, marker) {
				if _, ok := verifyLine(k0, k1, line[:len(line)-1]); ok {
					select {
					case opening <- struct{}{}:
					default:
					}
				}
			}
			if whole = err == nil; err != nil && err != bufio.ErrBufferFull {
				return
			}
		}
	}()
	status := &capped{limit: 256 << 10}
	statusDone := make(chan struct{})
	go func() {
		io.Copy(status, stR)
		close(statusDone)
	}()
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	// Everything the run started goes: with a PID namespace, its init;
	// else every process below the supervisor, then its process group.
	kill := func() {
		if !iso.namespaces {
			killTree(pid)
		}
		syscall.Kill(pid, syscall.SIGKILL)
		killGroup(pid)
	}

	// Limits first, then the configuration: the probe opens no plugin
	// before it has it, so no plugin code runs without the limits (the
	// supervisor's limits are inherited).
	var as uint64
	if !p.sanitized() {
		as = addressSpace(DefaultAddressSpace, o.Artifacts)
	}
	if err := setLimits(pid, as); err != nil {
		kill()
		<-waited
		return nil, "", fmt.Errorf("setting the probe's resource limits: %w", err)
	}
	cfg := encodeConfig(roleSupervisor, keys, append(p.supervisorArgs(iso, o), args...))
	cfgW.Write(cfg) // a probe that died already shows in the result
	wipe(cfg)
	cfgW.Close()

	timer := time.NewTimer(o.Timeout)
	defer timer.Stop()
	// Without a PID namespace, a plugin can stop its parent, the
	// supervisor: it is continued as often as it is stopped.
	var tick <-chan time.Time
	if !iso.namespaces {
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		tick = t.C
	}
	for done := false; !done; {
		select {
		case <-waited:
			done = true
		case <-tick:
			syscall.Kill(pid, syscall.SIGCONT)
		case <-opening:
			timer.Reset(o.Timeout) // Go 1.23 timers: no stale tick to drain
		case <-timer.C:
			res.TimedOut = true
		case <-ctx.Done():
			res.Canceled = true
		}
		if res.TimedOut || res.Canceled {
			kill()
			<-waited
			done = true
		}
	}
	// Whatever the plugin left running in the group goes too.
	killGroup(pid)
	res.Duration = time.Since(start)
	for _, ch := range []chan struct{}{reportDone, statusDone} {
		select {
		case <-ch:
		case <-time.After(time.Second): // a descendant outside the group holds the pipe
		}
	}
	repR.Close()
	stR.Close()
	<-reportDone
	<-statusDone

	st, _ := status.bytes()
	probeStatus, notes, refused, forged, writes := parseStatus(skey, st)
	res.Writes = writes
	if iso.namespaces {
		if refused != "" {
			return nil, refused, nil
		}
		namespacesWorked()
	}
	res.Notes, res.Forged = notes, forged
	switch {
	case probeStatus != nil && !res.TimedOut && !res.Canceled:
		res.ExitCode, res.Signal = probeStatus.code, probeStatus.signal
	default:
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			res.ExitCode = -1
			res.Signal = SignalName(ws.Signal())
		} else {
			res.ExitCode = cmd.ProcessState.ExitCode()
		}
	}
	res.Stdout, res.StdoutTruncated = stdout.bytes()
	res.Stderr, res.StderrTruncated = stderr.bytes()
	rep, _ := report.bytes()
	res.Events, res.Unauthenticated, res.Done = parseReport(key, rep)
	return res, "", nil
}

// waitStatus is how the probe ended, as its supervisor saw it.
type waitStatus struct {
	code   int
	signal string
}

// parseStatus reads the supervisor's status lines: its notes, why it
// refused the namespaces, and the probe's wait status. Only lines
// authenticated with the status key count; forged counts the others.
func parseStatus(skey, b []byte) (ws *waitStatus, notes []string, refused string, forged int, writes []Write) {
	k0, k1 := macKey(skey)
	for _, line := range strings.Split(string(b), "\n") {
		if line == "" {
			continue
		}
		body, ok := verifyLine(k0, k1, []byte(line))
		if !ok {
			forged++
			continue
		}
		kind, rest, _ := strings.Cut(string(body), " ")
		switch kind {
		case "exit":
			if n, err := strconv.Atoi(rest); err == nil {
				ws = &waitStatus{code: n}
			}
		case "signal":
			if n, err := strconv.Atoi(rest); err == nil {
				ws = &waitStatus{code: -1, signal: SignalName(syscall.Signal(n))}
			}
		case "note":
			notes = append(notes, rest)
		case "refused":
			refused = rest
		case "wrote", "removed":
			t, path, _ := strings.Cut(rest, " ")
			n, err := strconv.ParseInt(t, 10, 64)
			if err == nil && path != "" {
				writes = append(writes, Write{Path: path, Removed: kind == "removed", Time: n})
			}
		}
	}
	return ws, notes, refused, forged, writes
}

// supervisorArgs are the supervisor's arguments before the probe's: the
// probe program, the mode, and, with namespaces, its box (see
// box_linux.go): a directory to build it on, in the probe's cache entry
// (out of the probe's sight), the host's path, pluginctl's caches to
// hide, and the artifacts, which the probe must see.
func (p *Probe) supervisorArgs(iso isolation, o RunOptions) []string {
	if !iso.namespaces {
		return []string{p.exe(), "nons", "--"}
	}
	args := []string{p.exe(), "ns"}
	box := filepath.Join(filepath.Dir(p.Path), "box")
	if err := os.Mkdir(box, 0o700); err == nil || errors.Is(err, os.ErrExist) {
		args = append(args, "-box", box)
	}
	args = append(args, "-host", p.Host)
	var shown []string
	if p.exe() != p.Path {
		// The emulator script runs the probe by its path.
		args = append(args, "-show", p.Path)
	}
	for _, a := range o.Artifacts {
		if abs, err := filepath.Abs(a); err == nil {
			shown = append(shown, abs)
			args = append(args, "-show", abs)
		}
	}
	// The cache root, unless the host or an artifact is in it (a
	// PLUGINCTL_CACHE inside a project): then each of its folders.
	hide := []string{filepath.Dir(filepath.Dir(p.Path))}
	if root := cachedir.Root(); root != "" {
		inside := false
		for _, f := range append(shown, p.Host) {
			inside = inside || strings.HasPrefix(f, filepath.Clean(root)+string(filepath.Separator))
		}
		if !inside {
			hide = append(hide, root)
		}
		for _, kind := range []string{cachedir.Artifacts, cachedir.Probe, cachedir.Sums, cachedir.Facts, cachedir.Contract, cachedir.VetPassed, cachedir.GoBin} {
			hide = append(hide, filepath.Join(root, kind))
		}
	}
	for _, h := range hide {
		if abs, err := filepath.Abs(h); err == nil {
			args = append(args, "-hide", abs)
		}
	}
	return append(args, "--")
}

// command is the probe's process: the one place it is launched. It runs
// as the host would: argv[0] is the host's path, the working directory
// the host's directory; its configuration comes on a pipe (fd 4), its
// report goes to fd 3, its supervisor's status to fd 5; stdin is
// /dev/null.
func (p *Probe) command(iso isolation, env []string, stdout, stderr io.Writer, report, config, status *os.File) *exec.Cmd {
	cmd := exec.Command(p.exe())
	cmd.Args = []string{p.Host}
	cmd.Dir = filepath.Dir(p.Host)
	cmd.Env = childEnv(env, cmd.Dir)
	cmd.Stdin = nil // /dev/null
	cmd.Stdout, cmd.Stderr = stdout, stderr
	cmd.ExtraFiles = []*os.File{report, config, status} // fd 3, 4, 5
	cmd.SysProcAttr = sysProcAttr(iso)
	cmd.WaitDelay = time.Second
	return cmd
}

// childEnv is the scrubbed environment, shaped like pluginctl's own (a
// host run by the same user has much the same): every variable of
// pluginctl's but its own (PLUGINCTL_*), with its value only for the few
// that configure how programs run and hold no secret (envKept), empty for
// the others; then extra. PWD is the host's directory, dir.
func childEnv(extra []string, dir string) []string {
	var env []string
	seen := map[string]bool{}
	for _, kv := range os.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		if k == "" || seen[k] || strings.HasPrefix(k, "PLUGINCTL_") {
			continue
		}
		seen[k] = true
		switch {
		case k == "PWD":
			v = dir
		case !envKept[k] && !strings.HasPrefix(k, "LC_"):
			v = ""
		}
		env = append(env, k+"="+v)
	}
	if !seen["PATH"] {
		env = append(env, "PATH=/usr/local/bin:/usr/bin:/bin")
	}
	return append(env, extra...)
}

// envKept are the variables whose values the probe gets.
var envKept = map[string]bool{
	"PATH": true, "HOME": true, "LD_LIBRARY_PATH": true, "USER": true, "LOGNAME": true, "SHELL": true,
	"LANG": true, "LANGUAGE": true, "TZ": true, "TERM": true, "TMPDIR": true, "HOSTNAME": true,
}

// parseReport returns the authenticated events of a report, the number of
// lines it rejected, and whether it ends with an authenticated "done".
func parseReport(key, rep []byte) (events []Event, rejected int, done bool) {
	k0, k1 := macKey(key)
	for len(rep) > 0 {
		nl := bytes.IndexByte(rep, '\n')
		if nl < 0 {
			rejected++ // an unterminated line is never trusted
			break
		}
		line := rep[:nl]
		rep = rep[nl+1:]
		body, ok := verifyLine(k0, k1, line)
		if !ok {
			// Something wrote an unterminated line before the probe's:
			// try the probe's line at its end.
			if i := bytes.LastIndex(line, []byte(`{"seq":`)); i > 0 {
				body, ok = verifyLine(k0, k1, line[i:])
			}
		}
		if !ok {
			rejected++
			continue
		}
		var e Event
		if err := json.Unmarshal(body, &e); err != nil {
			rejected++
			continue
		}
		switch {
		case e.Seq == len(events)+1 && !done:
			events = append(events, e)
			if e.Stage == StageDone {
				done = true
			}
		case e.Seq <= len(events):
			rejected++ // a replayed line
		default:
			// A gap: lines were taken off the pipe. Nothing after it is
			// trusted.
			rejected++
			return events, rejected + bytes.Count(rep, []byte{'\n'}), false
		}
	}
	return events, rejected, done
}

// verifyLine checks the MAC of one line and returns its JSON body.
func verifyLine(k0, k1 uint64, line []byte) ([]byte, bool) {
	tab := bytes.LastIndexByte(line, '\t')
	if tab < 0 || len(line)-tab-1 != 16 {
		return nil, false
	}
	body := line[:tab]
	want := appendMAC(nil, k0, k1, body)
	return body, bytes.Equal(want[1:], line[tab+1:])
}

// capped is an io.Writer that keeps the first quarter of limit bytes and
// the last three quarters, and drops what is between, so that a child's
// output cannot exhaust the parent's memory while the end, where the Go
// runtime reports a crash, is always kept.
type capped struct {
	mu      sync.Mutex
	limit   int
	head    []byte
	ring    []byte // the tail, a ring buffer of limit - limit/4 bytes
	pos     int    // next write position in ring
	full    bool   // ring has wrapped
	dropped int64  // bytes neither in head nor in ring
}

func (c *capped) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := len(p)
	if room := c.limit/4 - len(c.head); room > 0 {
		k := min(room, len(p))
		c.head = append(c.head, p[:k]...)
		p = p[k:]
	}
	size := c.limit - c.limit/4
	if c.ring == nil && len(p) > 0 {
		c.ring = make([]byte, size)
	}
	if len(p) > size {
		c.dropped += int64(len(p) - size)
		if c.full {
			c.dropped += int64(size)
		} else {
			c.dropped += int64(c.pos)
		}
		p = p[len(p)-size:]
		c.pos, c.full = 0, false
	}
	for len(p) > 0 {
		k := copy(c.ring[c.pos:], p)
		if c.full {
			c.dropped += int64(k)
		}
		p = p[k:]
		c.pos += k
		if c.pos == size {
			c.pos, c.full = 0, true
		}
	}
	return n, nil
}

// bytes returns what was kept, with a marker where bytes were dropped,
// and whether any were.
func (c *capped) bytes() ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := append([]byte(nil), c.head...)
	if c.dropped > 0 {
		out = append(out, fmt.Sprintf("\n[... %d bytes dropped ...]\n", c.dropped)...)
	}
	if c.full {
		out = append(out, c.ring[c.pos:]...)
	}
	if c.ring != nil {
		out = append(out, c.ring[:c.pos]...)
	}
	return out, c.dropped > 0
}

// signalNames are the usual names of the signals a probe dies of.
var signalNames = map[syscall.Signal]string{
	syscall.SIGABRT: "SIGABRT", syscall.SIGALRM: "SIGALRM", syscall.SIGBUS: "SIGBUS",
	syscall.SIGFPE: "SIGFPE", syscall.SIGHUP: "SIGHUP", syscall.SIGILL: "SIGILL",
	syscall.SIGINT: "SIGINT", syscall.SIGKILL: "SIGKILL", syscall.SIGPIPE: "SIGPIPE",
	syscall.SIGQUIT: "SIGQUIT", syscall.SIGSEGV: "SIGSEGV", syscall.SIGSYS: "SIGSYS",
	syscall.SIGTERM: "SIGTERM", syscall.SIGTRAP: "SIGTRAP", syscall.SIGUSR1: "SIGUSR1",
	syscall.SIGUSR2: "SIGUSR2", syscall.SIGXCPU: "SIGXCPU", syscall.SIGXFSZ: "SIGXFSZ",
}

// SignalName returns "SIGSEGV" and the like.
func SignalName(s syscall.Signal) string {
	if n, ok := signalNames[s]; ok {
		return n
	}
	return fmt.Sprintf("signal %d (%v)", int(s), s)
}

var errUnsupported = errors.New("the dynamic check runs on Linux only")

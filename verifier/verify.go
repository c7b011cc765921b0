// Package verifier owns `pluginctl verify`: deciding, before deployment,
// whether each plugin artifact will load and work in its host, and why
// not. Two independent checks feed one list of problems per artifact: the
// static check reads the files and executes nothing; the dynamic check
// opens each artifact in a separate, time-limited process that has the
// host's package set. Where they disagree, the report says so.
//
// It knows nothing of the command line: callers fill in Options and call
// Verify, then render the Report.
package verifier

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/pluginctl/pluginctl/internal/artifact"
	"github.com/pluginctl/pluginctl/internal/contract"
	"github.com/pluginctl/pluginctl/internal/diag"
	"github.com/pluginctl/pluginctl/internal/fsutil"
	"github.com/pluginctl/pluginctl/internal/gocmd"
	"github.com/pluginctl/pluginctl/internal/manifest"
	"github.com/pluginctl/pluginctl/internal/project"
	"github.com/pluginctl/pluginctl/internal/released"
	"github.com/pluginctl/pluginctl/internal/sumcache"
)

// Options configure a verification.
type Options struct {
	// Host is the host binary; "" means the one the manifest names.
	Host string
	// Manifest is the pluginctl.json to use; "" means the one found
	// beside the artifacts or one folder up.
	Manifest string
	// Static runs only the static check: nothing from the artifacts is
	// executed, and no Go toolchain or source is needed.
	Static bool
	// Timeout bounds the dynamic check of one artifact (default 10s).
	Timeout time.Duration
	// Jobs is how many artifacts are checked at once (default NumCPU).
	Jobs int
	// RequireCapabilities must all be in each plugin's Capabilities().
	RequireCapabilities []string
	// APIPackage is the shared API package (default: project.API's).
	APIPackage string
	// Contract is what the host looks up in its plugins (see package
	// contract); nil means the one in force (project.InForce), else the
	// pluginapi convention of APIPackage.
	Contract *contract.Contract
	// Project, when set, loads the project whose --api, --expect, source
	// and declarations tell the contract in force (project.Known.Load).
	Project *project.Options
	// Plan, when set, is what the build that wrote the artifacts in this
	// process resolved: its manifest and what it read from each artifact,
	// used instead of reading them back.
	Plan *Plan
	// Dir is the source checkout the host was built from (default: the
	// current directory); the dynamic check builds its probe there, or,
	// when the host's source is not there, from the host's build info.
	Dir string
	// Sandbox is the dynamic check's sandbox mode (DynamicOptions.Sandbox).
	Sandbox string
	// HostSrc is the host's source checkout for a released host whose own
	// packages the plugins import (see DynamicOptions.HostSrc), and whose
	// contract it tells.
	HostSrc string
	// Offline reads a released host's contract from the module cache
	// only: nothing is downloaded.
	Offline bool
	// Go runs the go command for the dynamic check.
	Go *gocmd.Go
	// CacheDir keeps the probe binaries (default: the user cache dir).
	CacheDir string
	// Sums remembers the artifacts' checksums by file identity, so that
	// an unchanged file is not hashed again; the zero value hashes always.
	Sums sumcache.Cache
	// Order is the order the host opens the artifacts in (the set is
	// checked as one process in that order): "" or "given", the
	// arguments' order, a folder's files in the host's own order; "name",
	// all sorted by path, as os.ReadDir and filepath.Walk list them.
	Order string
	// FactsDir remembers what the checks read from each artifact and
	// host, by its SHA-256 (from Sums): a file checked before is not read
	// again (see artifact.Cache). "" reads every file every time.
	FactsDir string
}

// files reads artifacts through the facts cache.
func (o Options) files() artifact.Cache {
	c := artifact.Cache{Dir: o.FactsDir, Sums: o.Sums}
	if o.Plan != nil {
		c.Written = o.Plan.Files
	}
	return c
}

// Plan is what a build resolved for the verification of the artifacts it
// wrote, in the same process: nothing it wrote is read back.
type Plan struct {
	// Manifest is the build's manifest, as written to ManifestPath.
	Manifest     *manifest.Manifest
	ManifestPath string
	// Files is what the build read from each artifact it wrote.
	Files artifact.Written
}

// EnvError is a problem with the invocation or the environment: no such
// file, no usable host, no Go toolchain. Nothing was verified. Its
// ExitCode is 2.
type EnvError = diag.EnvError

// Verify checks every artifact (files, or directories of *.so files) and
// reports on each, whatever the others did. The error is for environment
// problems only; failed artifacts are in the report.
func Verify(ctx context.Context, o Options, args []string) (*Report, error) {
	o.defaults()
	paths, err := expand(args)
	if err != nil {
		return nil, err
	}
	r := &Report{Schema: Schema, Checks: []Check{Static}}
	mf, mpath, err := findManifest(o, paths)
	if err != nil {
		return nil, err
	}
	cache := o.files()
	host, err := resolveHost(cache, o.Host, mf, mpath, paths, r)
	if err != nil {
		return nil, err
	}
	if host != nil {
		if why := host.CannotLoadPlugins(); why != "" {
			return hostCannotLoad(r, host, paths, why), nil
		}
	}
	var recorded *manifest.Contract
	if mf != nil && mf.Contract != nil && mf.Contract.Contract != nil {
		recorded = mf.Contract
	}
	if o.Contract != nil {
		r.Contract = "given"
	} else {
		res, err := project.InForce(ctx, project.Known{Recorded: recorded, Load: o.Project, Host: host,
			Source: released.ContractOptions{HostSrc: o.HostSrc, Go: o.Go, LinkDir: o.CacheDir, Offline: o.Offline}})
		if err != nil {
			return nil, err
		}
		o.Contract, r.Contract, r.ContractSource = res.Contract, res.From, res.Source
		if a := res.PrimaryAPI(); a != "" {
			o.APIPackage = a
		}
		r.Notes = append(r.Notes, res.Notes...)
	}
	unknown := r.Contract == project.FromUnknown || recorded != nil && recorded.From == project.FromUnknown && r.Contract == "manifest" && len(o.Contract.Entries) == 0
	if r.ContractSource != "" {
		r.Notes = append(r.Notes, "contract: "+r.ContractSource)
	}
	if o.Contract == nil {
		o.Contract = contract.Default(o.APIPackage)
		r.Contract = "convention"
	}
	// A folder is the files the host would open from it, in its order.
	if rule := o.Contract.Folder; rule != nil {
		var notes []string
		paths, notes, err = expandRule(args, rule)
		if err != nil {
			return nil, err
		}
		r.Notes = append(r.Notes, notes...)
	}
	if o.Order == "name" {
		slices.SortStableFunc(paths, func(a, b string) int { return strings.Compare(filepath.ToSlash(a), filepath.ToSlash(b)) })
	}
	var sh *staticHost
	if host != nil {
		sh = &staticHost{file: host}
		if host.Metadata != nil {
			sh.apiVersion = host.Metadata.APIVersion
			r.Host.BuildSet = host.Metadata.BuildSet
			r.Host.APIVersion = host.Metadata.APIVersion
		}
		r.Host.GoVersion = host.BuildInfo.GoVersion
		r.Host.Package = host.BuildInfo.Path
		if len(host.Fingerprints) == 0 {
			r.Notes = append(r.Notes, "the host carries no package fingerprints: it does not link package plugin with cgo, so it cannot load any plugin")
		}
	} else {
		r.Notes = append(r.Notes, "no host (give --host, or verify artifacts beside the pluginctl.json of their build): only the checks that need no host ran")
	}

	// The dynamic check asserts the real types of the exported symbols;
	// the static one reads them from DWARF only when it runs alone.
	dynamic := !o.Static && host != nil
	switch {
	case o.Static:
		r.Notes = append(r.Notes, "--static: nothing from the artifacts was executed; init-time failures (panic, exit, hang, crash) and capabilities were not checked")
	case host == nil:
		r.Notes = append(r.Notes, "the dynamic check needs a host: skipped")
	default:
		r.Checks = append(r.Checks, Dynamic)
	}
	// The dynamic check runs its children while the static check reads.
	type outcome struct {
		rep *DynamicReport
		err error
	}
	probeDone := make(chan outcome, 1)
	// Only regular files the user can read are opened: a named pipe or a
	// device would only block or time out the probe, and an unreadable
	// file fails both checks for a reason that is not the plugin's; the
	// static check says what they are.
	var probed []int // dynamic check's artifacts, as indexes into paths
	if dynamic {
		var probePaths []string
		for i, p := range paths {
			if f, _, err := fsutil.OpenRegular(p); err == nil {
				f.Close()
				probed = append(probed, i)
				probePaths = append(probePaths, p)
			}
		}
		go func() {
			if len(probePaths) == 0 {
				probeDone <- outcome{rep: &DynamicReport{}}
				return
			}
			rep, err := CheckDynamic(ctx, DynamicOptions{
				Host: host.Path, SrcDir: o.Dir, Go: o.Go, APIPackage: o.APIPackage, Timeout: o.Timeout,
				Jobs: o.Jobs, RequireCapabilities: o.RequireCapabilities, CacheDir: o.CacheDir, Contract: o.Contract,
				HostSrc: o.HostSrc, Sums: o.Sums, FactsDir: o.FactsDir, Written: cache.Written, Sandbox: o.Sandbox,
			}, probePaths)
			probeDone <- outcome{rep, err}
		}()
	}
	var notesMu sync.Mutex
	var staticNotes []string
	r.Artifacts = make([]ArtifactReport, len(paths))
	files := make([]*artifact.File, len(paths))
	skip := make([]bool, len(paths))
	readable := make([]bool, len(paths)) // the static check could read it as a plugin
	hostProblems := checkHostHash(cache, host, mf, mpath)
	entries := mf.Index(mpath)
	check := func(i int, f *artifact.File, err error) {
		p := paths[i]
		a := &r.Artifacts[i]
		a.Path, a.Name = p, strings.TrimSuffix(filepath.Base(p), ".so")
		if err == nil {
			if err = f.CheckPlugin(); err != nil {
				f = nil
			}
		}
		files[i] = f
		entry := entries.Lookup(p)
		if f != nil {
			a.PluginPath, a.Metadata = f.PluginPath, f.Metadata
		}
		sum := func() string { return cache.Sum(f) }
		note := func(n string) {
			notesMu.Lock()
			defer notesMu.Unlock()
			staticNotes = append(staticNotes, n)
		}
		a.Problems = checkStatic(staticInput{path: p, file: f, err: err, entry: entry, sum: sum, note: note}, sh, o.Contract, o.APIPackage, !dynamic)
		if unknown {
			a.Problems = append(a.Problems, unknownProblem())
		}
		skip[i] = diag.HasError(a.Problems) // failed on its own (the host's checksum aside)
		a.Problems = append(a.Problems, hostProblems...)
		readable[i] = f != nil
		if f != nil {
			cache.Save(f)
			// Only what checkSet needs is kept: memory is bounded by
			// the artifacts read at once, not by all of them.
			f.Release()
		}
	}
	// The artifacts the facts cache remembers (those pluginctl build
	// wrote, or checked before) are checked on this goroutine, one after
	// the other: each takes tens of microseconds, less than handing it to
	// another goroutine costs. The others are read jobs at a time.
	var unread []int
	for i, p := range paths {
		if f, ok := cache.Remembered(p); ok {
			check(i, f, nil)
		} else {
			unread = append(unread, i)
		}
	}
	parallel(len(unread), o.Jobs, func(k int) {
		i := unread[k]
		f, err := cache.ReadFresh(paths[i])
		check(i, f, err)
	})
	slices.Sort(staticNotes)
	r.Notes = append(r.Notes, slices.Compact(staticNotes)...)
	var hostFile *artifact.File
	if sh != nil {
		hostFile = sh.file
	}
	alone := make([][]Problem, len(paths))
	for i := range r.Artifacts {
		alone[i] = r.Artifacts[i].Problems
	}
	for i, ps := range checkSet(paths, files, alone, hostFile) {
		r.Artifacts[i].Problems = append(r.Artifacts[i].Problems, ps...)
	}
	cache.Save(hostFile)

	if dynamic {
		dyn := <-probeDone
		if dyn.err != nil && ctx.Err() != nil && errors.Is(dyn.err, ctx.Err()) {
			return interrupted(r, dyn.rep, probed, readable), ctx.Err()
		}
		var sf *StaticFallbackError
		if errors.As(dyn.err, &sf) {
			// Nothing of the host could be reproduced here: the static
			// check is the verdict, with the types read from DWARF
			// (the files are read again: the first reading was released).
			r.Notes = append(r.Notes, sf.Error())
			r.Checks = r.Checks[:1]
			for i := range r.Artifacts {
				r.Artifacts[i].Notes = append(r.Artifacts[i].Notes, "not loaded: the dynamic check did not run (see the report's notes); the verdict is the static check's")
				if !readable[i] {
					continue
				}
				if f, err := cache.Read(r.Artifacts[i].Path); err == nil {
					r.Artifacts[i].Problems = append(r.Artifacts[i].Problems, typeProblems(f, sh, o.Contract, o.APIPackage, r.Artifacts[i].Problems)...)
					cache.Save(f)
					f.Release()
				}
			}
			r.Finish()
			return r, nil
		}
		if dyn.err != nil {
			return nil, dyn.err
		}
		// What the static check could not establish here is no
		// disagreement when only the dynamic check sees it.
		blind := map[Code]bool{BadNewSignature: true, BadSymbolType: true} // types are read only without the dynamic check
		if sh == nil || sh.apiVersion == "" {
			blind[APIVersionMismatch] = true // the host's APIVersion is unknown without its metadata
		}
		// The set's problems (a duplicate, a conflict) depend on the
		// artifacts loaded before: after one the static check could not
		// read, it is blind to them.
		setBlind := map[Code]bool{DuplicatePlugin: true, PluginConflict: true}
		for c := range blind {
			setBlind[c] = true
		}
		unreadBefore := false
		for k, ps := range dyn.rep.Problems() {
			i := probed[k]
			a := &r.Artifacts[i]
			a.Writes = dyn.rep.Results[k].Writes
			if u := linksUnreproduced(files[i], dyn.rep.Unreproduced); len(u) > 0 {
				// The probe lacks the host's copy of packages this
				// plugin links: no disagreement can be told there.
				a.Problems = append(a.Problems, ps...)
				continue
			}
			b := blind
			if unreadBefore {
				b = setBlind
			}
			a.Problems = merge(a.Problems, ps, b, readable[i])
			if !readable[i] {
				unreadBefore = true
			}
		}
		r.Notes = append(r.Notes, dyn.rep.Notes...)
	}
	r.Finish()
	return r, nil
}

// interrupted finishes the partial report of a verification whose
// dynamic check was interrupted: the static check's problems, the dynamic
// problems of the artifacts it completed, and the dynamic check marked
// not checked on the others.
func interrupted(r *Report, dyn *DynamicReport, probed []int, readable []bool) *Report {
	r.Interrupted = true
	n := 0
	// The dynamic results are those of the artifacts of probed (the
	// others were never handed to the dynamic check: the static check
	// says what they are).
	blind := map[Code]bool{BadNewSignature: true, BadSymbolType: true, APIVersionMismatch: true, DuplicatePlugin: true, PluginConflict: true}
	for k, i := range probed {
		a := &r.Artifacts[i]
		if dyn != nil && k < len(dyn.Results) && dyn.Results[k].Checked {
			a.Problems = merge(a.Problems, dyn.Results[k].Problems, blind, readable[i])
			continue
		}
		if dyn != nil && k < len(dyn.Results) {
			for _, p := range dyn.Results[k].Problems {
				if p.Severity == Error {
					a.Problems = append(a.Problems, p) // found before the interruption: still true
				}
			}
		}
		a.NotChecked = append(a.NotChecked, Dynamic)
		n++
	}
	r.Notes = append(r.Notes, fmt.Sprintf("interrupted: the dynamic check of %d of %d artifacts did not complete (not checked)", n, len(probed)))
	r.Finish()
	return r
}

func (o *Options) defaults() {
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Second
	}
	if o.Jobs <= 0 {
		o.Jobs = runtime.NumCPU()
	}
	o.APIPackage = project.API(o.APIPackage)
	if o.Go == nil {
		o.Go = &gocmd.Go{Dir: o.Dir}
	}
}

// expand turns the arguments into artifact paths: a directory stands for
// its *.so files, in the sorted order a host loads them.
func expand(args []string) ([]string, error) {
	if len(args) == 0 {
		return nil, &EnvError{Msg: "no artifacts to verify", Fix: "name plugin files or directories: pluginctl verify bin/plugins"}
	}
	var out []string
	for _, a := range args {
		fi, err := os.Stat(a)
		if err != nil {
			return nil, statError(a, err)
		}
		if !fi.IsDir() {
			out = append(out, a)
			continue
		}
		m, _ := filepath.Glob(filepath.Join(a, "*.so"))
		if len(m) == 0 {
			return nil, &EnvError{Msg: fmt.Sprintf("%s: directory has no *.so files", a)}
		}
		sort.Strings(m)
		out = append(out, m...)
	}
	return out, nil
}

// expandRule turns the arguments into artifact paths with the host's
// folder rule: a directory stands for the files the host opens from it,
// in its order (subfolders included when it walks them); the files it
// leaves out are listed in a note. An undeterminable rule is a warning,
// and the *.so files are checked.
func expandRule(args []string, rule *contract.Folder) ([]string, []string, error) {
	var out, notes []string
	dirs := false
	for _, a := range args {
		fi, err := os.Stat(a)
		if err != nil {
			return nil, nil, statError(a, err)
		}
		if !fi.IsDir() {
			out = append(out, a)
			continue
		}
		dirs = true
		if rule.Unknown != "" {
			m, err := expand([]string{a})
			if err != nil {
				return nil, nil, err
			}
			out = append(out, m...)
			continue
		}
		open, left, err := rule.Files(a)
		if err != nil {
			return nil, nil, &EnvError{Msg: fmt.Sprintf("%s: %v", diag.QuotePath(a), err)}
		}
		if len(open) == 0 {
			return nil, nil, &EnvError{Msg: fmt.Sprintf("%s: the host opens no file of it: its rule is %s", diag.QuotePath(a), rule)}
		}
		out = append(out, open...)
		if len(left) > 0 {
			var shown []string
			for _, l := range left {
				shown = append(shown, diag.QuotePath(l))
			}
			const max = 10
			if len(shown) > max {
				shown = append(shown[:max], fmt.Sprintf("and %d more", len(left)-max))
			}
			notes = append(notes, fmt.Sprintf("%s: %d file(s) the host does not open (its rule: %s) were not checked: %s",
				diag.QuotePath(a), len(left), rule, strings.Join(shown, ", ")))
		}
	}
	if dirs && rule.Unknown != "" {
		notes = append(notes, fmt.Sprintf("warning: which files of a folder the host opens could not be determined (%s): the *.so files were checked; declare the rule in pluginctl.toml ([folder] match = \"*.so\", recursive = true|false, fold_case = true|false)", rule.Unknown))
	} else if dirs {
		notes = append(notes, "the host's folder rule: "+rule.String())
	}
	return out, notes, nil
}

// findManifest returns the manifest of the build that wrote the
// artifacts: the plan's, else the one given, else the one beside the
// first artifact or one folder up.
func findManifest(o Options, paths []string) (*manifest.Manifest, string, error) {
	if o.Plan != nil && o.Plan.Manifest != nil {
		return o.Plan.Manifest, o.Plan.ManifestPath, nil
	}
	if explicit := o.Manifest; explicit != "" {
		m, err := manifest.Read(explicit)
		if err != nil {
			return nil, "", &EnvError{Msg: fmt.Sprintf("reading manifest: %v", err)}
		}
		return m, explicit, nil
	}
	p, ok := manifest.Find(paths[0])
	if !ok {
		return nil, "", nil
	}
	m, err := manifest.Read(p)
	if err != nil {
		return nil, "", &EnvError{Msg: fmt.Sprintf("reading manifest: %v", err), Fix: "rebuild with `pluginctl build`, or name the host with --host"}
	}
	return m, p, nil
}

// resolveHost picks the host: --host, else the host the manifest names
// for the first plugin, else the manifest's only host.
func resolveHost(files artifact.Cache, flag string, mf *manifest.Manifest, mpath string, paths []string, r *Report) (*artifact.File, error) {
	path, source := flag, "flag"
	if path == "" && mf != nil {
		source = mpath
		base := filepath.Dir(mpath)
		var hosts []string
		if e := mf.Lookup(mpath, paths[0]); e != nil {
			hosts = e.Hosts
		}
		if len(hosts) == 0 {
			for _, a := range mf.Artifacts {
				if a.Kind == "host" {
					hosts = append(hosts, a.Path)
				}
			}
		}
		if len(hosts) > 1 {
			r.Notes = append(r.Notes, fmt.Sprintf("the manifest names %d hosts; checked against %s (use --host for another)", len(hosts), hosts[0]))
		}
		if len(hosts) > 0 {
			path = filepath.Join(base, filepath.FromSlash(hosts[0]))
		} else if fh := mf.ForHost; fh != nil && fh.Path != "" {
			// A released host (build --for): recorded by absolute path
			// and sha256, outside the manifest's folder; its sum is
			// checked (checkHostHash).
			if _, err := os.Stat(fh.Path); err != nil {
				return nil, &EnvError{Msg: fmt.Sprintf("the released host the plugins were built for, %s (recorded in %s), is not there: %v", diag.QuotePath(fh.Path), mpath, err),
					Fix: "give the host binary with --host (its sha256 must be " + fh.SHA256 + ")"}
			}
			path = fh.Path
		}
	}
	if path == "" {
		return nil, nil
	}
	f, err := files.Read(path)
	if err != nil {
		var np *artifact.NotPluginError
		if errors.As(err, &np) {
			return nil, &EnvError{Msg: fmt.Sprintf("host %s: %s", path, np.Reason), Fix: "give the host program with --host"}
		}
		return nil, &EnvError{Msg: fmt.Sprintf("host %s: %v", path, err), Fix: "build it with `pluginctl build`, or give it with --host"}
	}
	if f.Kind != artifact.KindExecutable {
		return nil, &EnvError{Msg: fmt.Sprintf("host %s is a %s, not a Go program", path, f.Kind), Fix: "give the host program with --host"}
	}
	r.Host = &HostInfo{Path: path, Source: source}
	return f, nil
}

// statError describes why an artifact argument cannot be used.
func statError(path string, err error) error {
	shown := diag.QuotePath(path)
	switch {
	case errors.Is(err, syscall.ELOOP):
		return &EnvError{Msg: fmt.Sprintf("%s: a symbolic link loop (too many levels of symbolic links)", shown), Fix: "point the link at the plugin file itself (ls -l shows where it leads)"}
	case errors.Is(err, fs.ErrPermission):
		return &EnvError{Msg: fmt.Sprintf("%s: permission denied: a folder on the path cannot be searched", shown), Fix: "give the user running pluginctl access to the folders (chmod a+x), or run it as a user who has it"}
	case errors.Is(err, syscall.ENOTDIR):
		return &EnvError{Msg: fmt.Sprintf("%s: a part of the path is a file, not a folder", shown)}
	case errors.Is(err, fs.ErrNotExist):
		if fi, lerr := os.Lstat(path); lerr == nil && fi.Mode()&fs.ModeSymlink != 0 {
			target, _ := os.Readlink(path)
			return &EnvError{Msg: fmt.Sprintf("%s: a dangling symbolic link (to %s, which does not exist)", shown, diag.QuotePath(target))}
		}
		return &EnvError{Msg: fmt.Sprintf("%s: no such file or directory", shown)}
	}
	return &EnvError{Msg: fmt.Sprintf("%s: %v", shown, err)}
}

// checkHostHash compares the host with the checksum the manifest
// recorded for it: a host rebuilt or changed after the build no longer
// belongs to the set its plugins were built with.
func checkHostHash(files artifact.Cache, host *artifact.File, mf *manifest.Manifest, mpath string) []Problem {
	if host == nil || mf == nil {
		return nil
	}
	if fh := mf.ForHost; fh != nil && fh.SHA256 != "" {
		if sum := files.Sum(host); sum != fh.SHA256 {
			return []Problem{{
				Code: HashMismatch, Severity: Error, Check: Static,
				Message: fmt.Sprintf("the host %s is not the released host the plugins were built for (pluginctl build --for %s)", diag.QuotePath(host.Path), diag.QuotePath(fh.Path)),
				Detail:  []string{"manifest sha256 " + fh.SHA256, "host     sha256 " + sum},
				Fix:     "rebuild the plugins for this host: pluginctl build --for " + diag.QuotePath(host.Path),
			}}
		}
		return nil
	}
	e := mf.Lookup(mpath, host.Path)
	if e == nil || e.SHA256 == "" {
		return nil
	}
	sum := files.Sum(host)
	if sum == e.SHA256 {
		return nil
	}
	return []Problem{{
		Code: HashMismatch, Severity: Error, Check: Static,
		Message: fmt.Sprintf("the host %s differs from the one pluginctl build recorded in the manifest: it was changed or rebuilt after this plugin was built", diag.QuotePath(host.Path)),
		Detail:  []string{"manifest sha256 " + e.SHA256, "host     sha256 " + sum},
		Fix:     "rebuild the host and its plugins together with `pluginctl build`, and deploy them with their manifest",
	}}
}

// parallel calls f(0..n-1), at most jobs at a time.
func parallel(n, jobs int, f func(i int)) {
	if n == 1 || jobs == 1 {
		for i := range n {
			f(i)
		}
		return
	}
	sem := make(chan struct{}, jobs)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			f(i)
		}()
	}
	wg.Wait()
}

// staticVisible are the codes the static check can establish. A dynamic
// failure with one of them that the static check missed, or a static
// failure the dynamic check did not reproduce, is a disagreement.
var staticVisible = map[Code]bool{
	NotAPlugin: true, GoVersionMismatch: true, BuildSettingMismatch: true, PackageMismatch: true,
	MissingNew: true, BadNewSignature: true, APIVersionMismatch: true, DuplicatePlugin: true, PluginConflict: true,
}

// merge combines the two checks' problems and reports a disagreement.
// blind are the codes the static check could not establish.
//
// Only a file the static check could read as a plugin can be disagreed
// about: one it found unreadable, truncated or malformed was already
// diagnosed, whatever the dynamic check made of it. And only the static
// problems that predict a load failure count: a checksum that differs
// from the manifest (a tampered or stale copy) is an error, but one that
// plugin.Open does not see.
func merge(static, dynamic []Problem, blind map[Code]bool, staticRead bool) []Problem {
	out := append(append([]Problem(nil), static...), dynamic...)
	if !staticRead {
		return out
	}
	// The deploy-target problems (libc.go) show only on the deploy
	// machine: the dynamic check, run here, cannot confirm them.
	sFail := false
	for _, p := range static {
		if p.Severity == Error && staticVisible[p.Code] && !deployTargetCodes[p.Code] {
			sFail = true
		}
	}
	dFail, dVisible := false, false
	for _, p := range dynamic {
		if p.Severity == Error {
			dFail = true
			if staticVisible[p.Code] && !blind[p.Code] {
				dVisible = true
			}
		}
	}
	switch {
	case sFail && !dFail:
		out = append(out, Problem{
			Code: CheckDisagreement, Severity: Error, Check: Dynamic,
			Message: "the static check predicts a load failure that the dynamic check did not see",
			Detail:  []string{"static: " + codes(static), "dynamic: loaded"},
			Fix:     "this is a bug in pluginctl: please report it with both artifacts",
		})
	case dVisible && !sFail:
		out = append(out, Problem{
			Code: CheckDisagreement, Severity: Error, Check: Static,
			Message: "the dynamic check found a load failure that the static check missed",
			Detail:  []string{"dynamic: " + codes(dynamic), "static: no problem"},
			Fix:     "this is a bug in pluginctl: please report it with both artifacts",
		})
	}
	return out
}

func codes(ps []Problem) string {
	var s []string
	for _, p := range ps {
		if p.Severity == Error {
			s = append(s, string(p.Code))
		}
	}
	return strings.Join(s, ", ")
}

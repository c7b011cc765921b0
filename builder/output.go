package builder

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/pluginctl/pluginctl/internal/artifact"
	"github.com/pluginctl/pluginctl/internal/fsutil"
	"github.com/pluginctl/pluginctl/internal/manifest"
	"github.com/pluginctl/pluginctl/pluginapi/meta"
)

// lockName is the lock file that serializes builds into one directory.
const lockName = ".pluginctl.lock"

// lock takes the output directory's lock, waiting for another pluginctl
// build to finish if one holds it. The kernel drops the lock when its
// holder dies, so a crashed build never leaves the directory locked.
func lock(ctx context.Context, dir string, log io.Writer) (func(), error) {
	f, err := os.OpenFile(filepath.Join(dir, lockName), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, &EnvError{Msg: fmt.Sprintf("locking output directory: %v", err)}
	}
	waited := false
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			break
		}
		if err != syscall.EWOULDBLOCK {
			f.Close()
			return nil, &EnvError{Msg: fmt.Sprintf("locking output directory: %v", err)}
		}
		if !waited {
			fmt.Fprintf(log, "waiting for another pluginctl build writing to %s\n", dir)
			waited = true
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	return func() { f.Close() }, nil
}

// stagePrefix names the staging folders builds create inside OUT.
const stagePrefix = ".pluginctl-stage-"

// removeStaleStages removes the staging folders of builds that were killed
// before they could clean up. The caller holds the output directory's
// lock, so no live build owns any of them.
func removeStaleStages(out string) {
	entries, err := os.ReadDir(out)
	if err != nil {
		return
	}
	for _, e := range entries {
		if e.IsDir() && strings.HasPrefix(e.Name(), stagePrefix) {
			os.RemoveAll(filepath.Join(out, e.Name()))
		}
	}
}

// checkDestinations makes sure every path the build will replace can be
// replaced by a rename: the plugins folder is a folder, and each artifact
// and the manifest are regular files or absent. out is the output
// directory, shown as outName.
func checkDestinations(out, outName string, ts []*target) error {
	show := func(rel string) string { return filepath.Join(outName, rel) }
	if slices.ContainsFunc(ts, func(t *target) bool { return t.Kind == Plugin }) {
		if fi, err := os.Stat(filepath.Join(out, "plugins")); err == nil && !fi.IsDir() {
			return &EnvError{
				Msg: fmt.Sprintf("cannot write the plugins: %s is %s, not a directory", show("plugins"), fsutil.Describe(fi.Mode())),
				Fix: fmt.Sprintf("remove or rename %s (nothing was written)", show("plugins")),
			}
		}
	}
	rels := []string{manifest.FileName}
	for _, t := range ts {
		rels = append(rels, artifactRel(t))
	}
	for _, rel := range rels {
		if err := fsutil.CheckReplaceable(filepath.Join(out, rel)); err != nil {
			var nr *fsutil.NotRegularError
			if errors.As(err, &nr) {
				return &EnvError{
					Msg: fmt.Sprintf("cannot write %s: it is %s, not a regular file", show(rel), fsutil.Describe(nr.Mode)),
					Fix: fmt.Sprintf("remove or rename %s (nothing was written)", show(rel)),
				}
			}
			return &EnvError{Msg: fmt.Sprintf("cannot write %s: %v", show(rel), err)}
		}
	}
	return nil
}

// seedStage puts a copy of src at staged for go build to check. The
// current artifact of this output directory is hard-linked (the rename at
// commit puts the same file back), unless it shares its storage with
// another file (an older pluginctl linked the cache); the cache's copy is
// cloned, so that no two output directories, nor an output directory and
// the cache, ever share a file that an in-place write would change in both.
func seedStage(src, staged string, current bool) error {
	fi, err := os.Lstat(src)
	if err != nil || !fi.Mode().IsRegular() {
		return errors.New("no seed")
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && current && st.Nlink == 1 {
		return fsutil.LinkOrCopy(src, staged)
	}
	return fsutil.Clone(src, staged)
}

// commit moves the staged artifacts into place, removes the plugins of the
// previous build that are no longer built, and writes the manifest last.
func (b *run) commit(m *manifest.Manifest, ts []*target) error {
	var facts []artifact.Fact // by target
	var hosts, rels []string
	for _, t := range ts {
		if t.Kind == Host {
			hosts = append(hosts, filepath.ToSlash(artifactRel(t)))
		}
	}
	for _, t := range ts {
		rel := artifactRel(t)
		rels = append(rels, rel)
		b.describedMu.Lock()
		d, ok := b.described[t]
		b.describedMu.Unlock()
		if !ok {
			d.a, d.fact, d.err = b.describe(filepath.Join(b.stage, rel))
		}
		a, err := d.a, d.err
		facts = append(facts, d.fact)
		if err != nil {
			return fmt.Errorf("reading %s: %w", rel, err)
		}
		a.Path, a.Kind, a.Package = filepath.ToSlash(rel), string(t.Kind), t.ImportPath
		if t.Kind == Plugin {
			a.Hosts = hosts
		}
		m.Artifacts = append(m.Artifacts, *a)
	}
	if err := checkDestinations(b.out, b.o.Out, ts); err != nil {
		return err
	}
	byPath := append([]manifest.Artifact(nil), m.Artifacts...)
	sort.Slice(m.Artifacts, func(i, j int) bool { return m.Artifacts[i].Path < m.Artifacts[j].Path })
	// The manifest is staged too and moved into place last, with the
	// artifacts: a reader never sees a manifest of another set.
	if err := m.Write(filepath.Join(b.stage, manifest.FileName)); err != nil {
		return fmt.Errorf("writing the manifest: %w", err)
	}
	if err := b.replace(append(rels, manifest.FileName)); err != nil {
		return err
	}
	if b.prev != nil { // read under the same lock: still the folder's
		keep := map[string]bool{}
		for _, a := range m.Artifacts {
			keep[a.Path] = true
		}
		for _, a := range b.prev.Artifacts {
			if !keep[a.Path] && filepath.IsLocal(filepath.FromSlash(a.Path)) {
				os.Remove(filepath.Join(b.out, filepath.FromSlash(a.Path)))
			}
		}
	}
	// The sums are remembered once the staging folder is gone: removing
	// its links to the artifacts changes their change time.
	os.RemoveAll(b.stage)
	b.written = artifact.Written{}
	for i, t := range ts {
		final := filepath.Join(b.out, artifactRel(t))
		b.o.Sums.Put(final, byPath[i].SHA256)
		b.written.Add(final, facts[i])
	}
	b.progress.committed()
	return nil
}

// replace renames the staged files (paths relative to the staging folder
// and to OUT) into place, in order. The previous files are first
// hard-linked into the staging folder, so that a failed rename can undo
// the ones before it.
func (b *run) replace(rels []string) error {
	backup := filepath.Join(b.stage, ".previous")
	type moved struct{ rel, saved string }
	var done []moved
	undo := func() {
		for i := len(done) - 1; i >= 0; i-- {
			final := filepath.Join(b.out, done[i].rel)
			if done[i].saved != "" {
				os.Rename(done[i].saved, final)
			} else {
				os.Remove(final)
			}
		}
	}
	for _, rel := range rels {
		final := filepath.Join(b.out, rel)
		if err := os.MkdirAll(filepath.Dir(final), 0o755); err != nil {
			undo()
			return fmt.Errorf("moving %s into place: %w (nothing was replaced)", rel, err)
		}
		saved := ""
		if _, err := os.Lstat(final); err == nil {
			saved = filepath.Join(backup, rel)
			if err := os.MkdirAll(filepath.Dir(saved), 0o755); err != nil {
				undo()
				return fmt.Errorf("moving %s into place: %w (nothing was replaced)", rel, err)
			}
			os.Remove(saved) // left by an earlier attempt
			if err := os.Link(final, saved); err != nil {
				undo()
				return fmt.Errorf("moving %s into place: keeping the previous file: %w (nothing was replaced)", rel, err)
			}
		}
		if err := os.Rename(filepath.Join(b.stage, rel), final); err != nil {
			undo()
			return fmt.Errorf("moving %s into place: %w (nothing was replaced)", rel, err)
		}
		done = append(done, moved{rel, saved})
	}
	return nil
}

// describe hashes an artifact and reads its metadata back from the file,
// with what verify will ask of it (see artifact.Cache.Prime), remembered
// in Options.FactsDir for a later verify.
func (b *run) describe(name string) (*manifest.Artifact, artifact.Fact, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, artifact.Fact{}, err
	}
	sum := sha256.Sum256(data)
	md, err := meta.Find(data)
	if err != nil {
		return nil, artifact.Fact{}, errNoMetadata
	}
	a := &manifest.Artifact{SHA256: hex.EncodeToString(sum[:]), Size: int64(len(data)), Metadata: md}
	return a, b.facts().Prime(name, a.SHA256, data), nil
}

// facts is the cache of what verify reads from each artifact.
func (b *run) facts() artifact.Cache { return artifact.Cache{Dir: b.o.FactsDir} }

// progress reports the build as it goes. On a terminal: one line that
// says what runs and for how long ("building 2 plugins, 1 host [1/3] … 41 s"),
// redrawn every second. Otherwise: a line per artifact as it finishes,
// with its time, and the "built ... -> path" lines once the set is in
// place (never for a file that was not written).
type progress struct {
	mu          sync.Mutex
	w           io.Writer
	interactive bool
	total, n    int
	running     map[*target]time.Time
	built       []string // lines printed when the set is committed
	phase       string
	since       time.Time
	drawn       bool
	stop        chan struct{}
	now         func() time.Time
}

func newProgress(w io.Writer, interactive bool, total int) *progress {
	p := &progress{w: w, interactive: interactive, total: total, running: map[*target]time.Time{}, now: time.Now}
	p.since = p.now()
	return p
}

// tick redraws the terminal line every second until done.
func (p *progress) tick() {
	if !p.interactive || p.stop != nil {
		return
	}
	p.stop = make(chan struct{})
	go func(stop chan struct{}) {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				p.mu.Lock()
				p.draw()
				p.mu.Unlock()
			}
		}
	}(p.stop)
}

func (p *progress) setTotal(n int) {
	p.mu.Lock()
	p.total = n
	p.mu.Unlock()
}

// setPhase names what the build does before it compiles (loading the
// project, finding the hosts and plugins), shown on a terminal.
func (p *progress) setPhase(phase string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.phase, p.since = phase, p.now()
	if p.interactive {
		p.draw()
		p.tick()
	}
}

// draw writes the terminal line; p.mu is held.
func (p *progress) draw() {
	if !p.interactive || p.phase == "" {
		return
	}
	fmt.Fprintf(p.w, "\r\033[K%s … %d s", p.phase, int(p.now().Sub(p.since).Seconds()))
	p.drawn = true
}

// building is the phase while artifacts compile: what runs, and how far.
func (p *progress) building() string {
	hosts, plugins := 0, 0
	var one *target
	for t := range p.running {
		one = t
		if t.Kind == Host {
			hosts++
		} else {
			plugins++
		}
	}
	var what []string
	if plugins > 0 {
		what = append(what, plural(plugins, "plugin"))
	}
	if hosts > 0 {
		what = append(what, plural(hosts, "host"))
	}
	if hosts+plugins == 1 {
		what = []string{string(one.Kind) + " " + one.ImportPath}
	}
	if len(what) == 0 {
		return fmt.Sprintf("linking [%d/%d]", p.n, p.total)
	}
	return fmt.Sprintf("building %s [%d/%d]", strings.Join(what, ", "), p.n, p.total)
}

func plural(n int, s string) string {
	if n == 1 {
		return "1 " + s
	}
	return fmt.Sprintf("%d %ss", n, s)
}

func (p *progress) start(t *target) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.running[t] = p.now()
	if p.interactive {
		if !strings.HasPrefix(p.phase, "building") {
			p.since = p.now()
		}
		p.phase = p.building()
		p.draw()
		p.tick()
	}
}

func (p *progress) finish(t *target, path string, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	began := p.running[t]
	delete(p.running, t)
	p.n++
	took := p.now().Sub(began).Round(100 * time.Millisecond)
	switch {
	case p.interactive:
		p.phase = p.building()
		p.draw()
	case errors.Is(err, context.Canceled):
		fmt.Fprintf(p.w, "cancelled %-6s %s\n", t.Kind, t.ImportPath)
	case err != nil:
		fmt.Fprintf(p.w, "FAIL   %-6s %s (%v)\n", t.Kind, t.ImportPath, took)
	default:
		fmt.Fprintf(p.w, "ok     %-6s %s (%v) [%d/%d]\n", t.Kind, t.ImportPath, took, p.n, p.total)
		p.built = append(p.built, fmt.Sprintf("built  %-6s %s -> %s\n", t.Kind, t.ImportPath, path))
	}
}

func (p *progress) done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stop != nil {
		close(p.stop)
		p.stop = nil
	}
	if p.interactive && p.drawn {
		fmt.Fprint(p.w, "\r\033[K")
		p.drawn = false
	}
	p.phase = ""
}

// committed prints the artifacts now in place.
func (p *progress) committed() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, l := range p.built {
		fmt.Fprint(p.w, l)
	}
}

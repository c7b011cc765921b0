package builder

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"syscall"
	"time"

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

// commit moves the staged artifacts into place, removes the plugins of the
// previous build that are no longer built, and writes the manifest last.
func (b *run) commit(m *manifest.Manifest, ts []*target, forHosts []string) error {
	hosts := forHosts
	for _, t := range ts {
		if t.Kind == Host {
			hosts = append(hosts, filepath.ToSlash(artifactRel(t)))
		}
	}
	for _, t := range ts {
		rel := artifactRel(t)
		staged := filepath.Join(b.stage, rel)
		a, err := describe(staged)
		if err != nil {
			return fmt.Errorf("reading %s: %w", rel, err)
		}
		a.Path, a.Kind, a.Package = filepath.ToSlash(rel), string(t.Kind), t.ImportPath
		if t.Kind == Plugin {
			a.Hosts = hosts
		}
		m.Artifacts = append(m.Artifacts, *a)
	}
	mpath := filepath.Join(b.out, manifest.FileName)
	prev, _ := manifest.Read(mpath)
	for i, t := range ts {
		rel := artifactRel(t)
		final := filepath.Join(b.out, rel)
		if err := os.MkdirAll(filepath.Dir(final), 0o755); err != nil {
			return err
		}
		if err := os.Rename(filepath.Join(b.stage, rel), final); err != nil {
			return fmt.Errorf("moving %s into place: %w", rel, err)
		}
		b.o.Sums.Put(final, m.Artifacts[i].SHA256)
	}
	if prev != nil {
		keep := map[string]bool{}
		for _, a := range m.Artifacts {
			keep[a.Path] = true
		}
		for _, a := range prev.Artifacts {
			if !keep[a.Path] && filepath.IsLocal(filepath.FromSlash(a.Path)) {
				os.Remove(filepath.Join(b.out, filepath.FromSlash(a.Path)))
			}
		}
	}
	sort.Slice(m.Artifacts, func(i, j int) bool { return m.Artifacts[i].Path < m.Artifacts[j].Path })
	return m.Write(mpath)
}

// describe hashes an artifact and reads its metadata back from the file.
func describe(name string) (*manifest.Artifact, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	md, err := meta.Find(data)
	if err != nil {
		return nil, errNoMetadata
	}
	return &manifest.Artifact{SHA256: hex.EncodeToString(sum[:]), Size: int64(len(data)), Metadata: md}, nil
}

// progress reports the build as it goes: one updating line on a terminal,
// a line per finished artifact otherwise.
type progress struct {
	mu          sync.Mutex
	w           io.Writer
	interactive bool
	total, n    int
	running     map[*target]bool
}

func newProgress(w io.Writer, interactive bool, total int) *progress {
	return &progress{w: w, interactive: interactive, total: total, running: map[*target]bool{}}
}

func (p *progress) start(t *target) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.running[t] = true
	if p.interactive {
		fmt.Fprintf(p.w, "\r\033[K[%d/%d] building %s %s", p.n, p.total, t.Kind, t.ImportPath)
	}
}

func (p *progress) finish(t *target, path string, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.running, t)
	p.n++
	switch {
	case p.interactive:
		fmt.Fprintf(p.w, "\r\033[K[%d/%d] built %s", p.n, p.total, path)
	case err != nil:
		fmt.Fprintf(p.w, "FAIL   %-6s %s\n", t.Kind, t.ImportPath)
	default:
		fmt.Fprintf(p.w, "built  %-6s %s -> %s\n", t.Kind, t.ImportPath, path)
	}
}

func (p *progress) done() {
	if p.interactive && p.n > 0 {
		fmt.Fprint(p.w, "\r\033[K")
	}
}

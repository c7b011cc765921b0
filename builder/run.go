// One build's go build commands: the order (the plugin with the most
// dependencies first), the parallelism, seeding each output with the
// current or cached artifact so that go build need not relink it.

package builder

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/pluginctl/pluginctl/internal/artifact"
	"github.com/pluginctl/pluginctl/internal/cacheprog"
	"github.com/pluginctl/pluginctl/internal/fsutil"
	"github.com/pluginctl/pluginctl/internal/gocmd"
	"github.com/pluginctl/pluginctl/internal/manifest"
	"github.com/pluginctl/pluginctl/internal/sumcache"
)

// artifactRel is the artifact's path inside the output directory.
func artifactRel(t *target) string {
	if t.Kind == Plugin {
		return filepath.Join("plugins", t.Name+".so")
	}
	return t.Name
}

// slotKey identifies the configuration a cached artifact was built with.
func slotKey(root, goVersion string, flags []string) string {
	h := sha256.Sum256([]byte(fmt.Sprintf("%s\n%s\n%q", root, goVersion, flags)))
	return hex.EncodeToString(h[:8])
}

// run is one build in progress.
type run struct {
	o        Options
	g        *gocmd.Go
	out      string
	stage    string
	overlay  string
	args     []string
	slotKey  string
	progress *progress
	// shared is the GOCACHEPROG program's store of artifacts (nil: none),
	// under keys made of configKey (the Go version and flags).
	shared    *cacheprog.Store
	configKey string
	// compiled is closed when every host and the first plugin (the one
	// with the most dependencies) have been built, or failed: the packages
	// they import are then in the build cache, in exe and plugin mode.
	compiled chan struct{}
	// prev is the output directory's manifest before the build (nil
	// when there is none or it cannot be read).
	prev *manifest.Manifest
	// described holds what each built artifact is, read by the worker
	// that built it (see describe).
	describedMu sync.Mutex
	described   map[*target]described
	// written is what was read from each artifact written (Result.Files).
	written artifact.Written
}

// described is describe's result for one staged artifact.
type described struct {
	a    *manifest.Artifact
	fact artifact.Fact
	err  error
}

// buildAll runs go build for every target, at most o.Jobs at once. The
// plugin with the most dependencies goes first and the other plugins wait
// for it: on a cold cache it compiles the standard library in plugin mode
// once instead of once per job. Hosts do not wait. It returns how many
// artifacts were relinked.
func (b *run) buildAll(ctx context.Context, ts []*target) (int, error) {
	var hosts, plugins []*target
	for _, t := range ts {
		if t.Kind == Host {
			hosts = append(hosts, t)
		} else {
			plugins = append(plugins, t)
		}
	}
	sort.SliceStable(plugins, func(i, j int) bool { return plugins[i].NumDeps > plugins[j].NumDeps })
	var queue []*target
	seedDone := make(chan struct{})
	if len(plugins) > 0 {
		queue = append(queue, plugins[0])
	} else {
		close(seedDone)
	}
	queue = append(queue, hosts...)
	if len(plugins) > 1 {
		queue = append(queue, plugins[1:]...)
	}

	var (
		mu       sync.Mutex
		failures []Failure
		relinked int
		next     int
		wg       sync.WaitGroup
	)
	left := len(hosts) + min(len(plugins), 1)
	var closeCompiled sync.Once
	compiled := func() { closeCompiled.Do(func() { close(b.compiled) }) }
	if left == 0 {
		compiled()
	}
	defer compiled() // also when cancelled
	for w := 0; w < b.o.Jobs; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				if next == len(queue) {
					mu.Unlock()
					return
				}
				t := queue[next]
				next++
				mu.Unlock()
				if t.Kind == Plugin && t != plugins[0] {
					select {
					case <-seedDone:
					case <-ctx.Done():
						return
					}
				}
				if ctx.Err() != nil {
					return
				}
				b.progress.start(t)
				linked, out, err := b.build(ctx, t)
				if len(plugins) > 0 && t == plugins[0] {
					close(seedDone)
				}
				b.progress.finish(t, filepath.Join(b.o.Out, artifactRel(t)), err)
				mu.Lock()
				if err != nil {
					failures = append(failures, Failure{Package: t.ImportPath, Kind: t.Kind, Output: out})
				} else if linked {
					relinked++
				}
				if t.Kind == Host || t == plugins[0] {
					if left--; left == 0 {
						compiled()
					}
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if len(failures) > 0 {
		sort.Slice(failures, func(i, j int) bool { return failures[i].Package < failures[j].Package })
		for _, f := range failures {
			if e := missingSum(f); e != nil {
				return 0, e
			}
		}
		return 0, &CompileError{Failures: failures}
	}
	return relinked, nil
}

// build runs go build for one target into the staging directory. It seeds
// the staged file with the current artifact (or the cached one), so that
// go build, finding a file with the right build ID, does not relink it.
func (b *run) build(ctx context.Context, t *target) (linked bool, output string, err error) {
	staged := filepath.Join(b.stage, artifactRel(t))
	if err := os.MkdirAll(filepath.Dir(staged), 0o755); err != nil {
		return false, "", err
	}
	final := filepath.Join(b.out, artifactRel(t))
	slot := b.slotPath(t)
	// The output directory's file, when its sum is remembered: if go
	// build keeps it, it need not be read again (see reuse).
	known, knownID, knownOK := b.o.Sums.Lookup(final)
	var seed os.FileInfo
	var seedID string
	for _, src := range []string{final, slot} {
		if src == "" {
			continue
		}
		if seedStage(src, staged, src == final) == nil {
			seed, _ = os.Stat(staged)
			if src == final {
				seedID, _ = sumcache.Identity(staged)
			}
			break
		}
	}
	if seed == nil {
		// The cache program's files are not executable: the seed is, as
		// go build makes its outputs.
		if p := b.shared.Get(b.sharedKey(t)); p != "" && seedStage(p, staged, false) == nil && os.Chmod(staged, 0o755) == nil {
			seed, _ = os.Stat(staged)
		}
	}
	args := []string{"-o", staged, "-overlay", b.overlay}
	if t.Kind == Plugin {
		args = append(args, "-buildmode=plugin")
	}
	args = append(append(args, b.args...), t.ImportPath)
	cmd, err := b.g.Command(ctx, "build", args...)
	if err != nil {
		return false, "", err
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		if ctx.Err() != nil {
			return false, "", ctx.Err()
		}
		return false, string(out), err
	}
	after, err := os.Stat(staged)
	if err != nil {
		return false, string(out), fmt.Errorf("go build wrote no %s", staged)
	}
	linked = seed == nil || !os.SameFile(seed, after)
	if linked && slot != "" {
		if err := os.MkdirAll(filepath.Dir(slot), 0o755); err == nil {
			fsutil.Clone(staged, slot) // best effort: it is only a cache
		}
	}
	if linked {
		b.shared.Put(b.sharedKey(t), staged)
	}
	// Read back here, beside the other builds, not at commit.
	var d described
	if !linked && knownOK && seedID != "" && sumcache.SameContents(knownID, seedID) {
		if d.a = b.reuse(t, known); d.a != nil {
			d.fact = b.facts().Prime(staged, known, nil) // remembered by an earlier run, if at all
		}
	}
	if d.a == nil {
		d.a, d.fact, d.err = b.describe(staged)
	}
	b.describedMu.Lock()
	b.described[t] = d
	b.describedMu.Unlock()
	return linked, string(out), nil
}

// reuse returns the previous manifest's record of t's artifact when go
// build kept the output directory's file (the staged link to it: go build
// replaces a file it relinks, and only sets the modification time of one
// it keeps), the file was unchanged from the identity its sum was
// remembered with until it was linked into the staging folder, and the
// record has that sum. nil when any of that is not so.
func (b *run) reuse(t *target, sum string) *manifest.Artifact {
	if b.prev == nil {
		return nil
	}
	for _, a := range b.prev.Artifacts {
		if a.Path == filepath.ToSlash(artifactRel(t)) && a.SHA256 == sum && a.Metadata != nil {
			return &manifest.Artifact{SHA256: a.SHA256, Size: a.Size, Metadata: a.Metadata}
		}
	}
	return nil
}

func (b *run) slotPath(t *target) string {
	if b.o.CacheDir == "" || b.o.CacheDir == "off" {
		return ""
	}
	h := sha256.Sum256([]byte(b.slotKey + "\n" + string(t.Kind) + "\n" + t.ImportPath))
	return filepath.Join(b.o.CacheDir, hex.EncodeToString(h[:12])+"-"+t.Name)
}

// missingSum turns go build's "missing go.sum entry" into a diagnosis.
func missingSum(f Failure) error {
	const marker = "missing go.sum entry for module providing package "
	i := strings.Index(f.Output, marker)
	if i < 0 {
		return nil
	}
	rest := f.Output[i+len(marker):]
	pkg, _, _ := strings.Cut(rest, " ")
	pkg = strings.Trim(pkg, ";")
	return &MissingSumError{Module: pkg, Package: f.Package}
}

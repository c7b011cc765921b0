// The probe cache: validated probes remembered by host file identity,
// one lock per entry, old entries pruned; and the mirror check that a
// probe links exactly the host's packages and settings.

package probe

import (
	"bytes"
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"debug/buildinfo"

	"github.com/pluginctl/pluginctl/internal/artifact"
	"github.com/pluginctl/pluginctl/internal/fsutil"
	"github.com/pluginctl/pluginctl/internal/gocmd"
	"github.com/pluginctl/pluginctl/internal/sumcache"
)

// hashOf is the hex SHA-256 of parts joined by NULs.
func hashOf(parts ...string) string {
	h := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(h[:])
}

// validatedKey names the record of a probe checked against one host
// binary (by content, not path: a byte-identical copy of a host reuses its
// probe), from one checkout, go command and generator.
func validatedKey(hostSum string, g *gocmd.Go, apiPkg, typesKey string) string {
	return hashOf(hostSum, g.Dir, g.Binary, apiPkg, generatorVersion(), typesKey)[:32]
}

// validatedProbe is the record: the probe, and the identity of its file
// when it was checked (see sumcache.Identity).
type validatedProbe struct {
	Probe *Probe
	ID    string
}

func storeValidated(record string, p *Probe) {
	id, ok := sumcache.Identity(p.Path)
	if !ok {
		return
	}
	data, err := json.Marshal(validatedProbe{Probe: p, ID: id})
	if err == nil && os.MkdirAll(filepath.Dir(record), 0o755) == nil {
		fsutil.WriteFileAtomic(record, data, 0o644)
	}
}

func loadValidated(record string) (*Probe, bool) {
	data, err := os.ReadFile(record)
	if err != nil {
		return nil, false
	}
	var v validatedProbe
	if json.Unmarshal(data, &v) != nil || v.Probe == nil {
		return nil, false
	}
	if id, ok := sumcache.Identity(v.Probe.Path); !ok || !sumcache.SameContents(id, v.ID) {
		return nil, false
	}
	v.Probe.BuildTime = 0
	return v.Probe, true
}

// writeIfChanged writes data to path unless it holds it already.
func writeIfChanged(path string, data []byte, perm os.FileMode) error {
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, data) {
		return nil
	}
	return fsutil.WriteFileAtomic(path, data, perm)
}

// lockEntry creates the cache entry dir and takes an exclusive lock on
// dir/lock, so that two pluginctl processes do not build one probe at
// once.
func lockEntry(ctx context.Context, host, dir string) (func(), error) {
	fail := func(what string, err error) (func(), error) {
		return nil, &EnvError{Host: host, Msg: what + " the probe cache: " + err.Error(), Err: err}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fail("creating", err)
	}
	f, err := os.OpenFile(filepath.Join(dir, "lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return fail("locking", err)
	}
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() { syscall.Flock(int(f.Fd()), syscall.LOCK_UN); f.Close() }, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			f.Close()
			return fail("locking", err)
		}
		select {
		case <-ctx.Done():
			f.Close()
			return fail("locking", ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// prune removes the cache entries (other than keep) that no run has used
// for pruneAge: go build touches a probe's mtime whenever it checks it.
// Entries locked by another pluginctl are left alone.
func prune(cacheDir, keep string) {
	entries, err := os.ReadDir(cacheDir)
	if err != nil {
		return
	}
	for _, e := range entries {
		dir := filepath.Join(cacheDir, e.Name())
		if !e.IsDir() || dir == keep {
			continue
		}
		fi, err := os.Stat(filepath.Join(dir, "probe"))
		if err == nil && time.Since(fi.ModTime()) < pruneAge {
			continue
		}
		if err != nil {
			if fi, err := os.Stat(dir); err != nil || time.Since(fi.ModTime()) < pruneAge {
				continue
			}
		}
		lock, err := os.OpenFile(filepath.Join(dir, "lock"), os.O_RDWR, 0)
		if err != nil {
			continue
		}
		if syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) == nil {
			os.RemoveAll(dir)
		}
		lock.Close()
	}
}

// mirrorDiffs compares the probe with the host: Go version, build
// settings, module versions, and every package fingerprint the host has.
func mirrorDiffs(hostPath, probePath string) ([]string, error) {
	h, err := artifact.Read(hostPath)
	if err != nil {
		return nil, err
	}
	p, err := artifact.Read(probePath)
	if err != nil {
		return nil, err
	}
	var diffs []string
	hb, pb := h.BuildInfo, p.BuildInfo
	if hb.GoVersion != pb.GoVersion {
		diffs = append(diffs, fmt.Sprintf("Go version: host %s, checkout %s", hb.GoVersion, pb.GoVersion))
	}
	hs, ps := settingsOf(hb), settingsOf(pb)
	for _, k := range diffKeys(hs, ps) {
		if k != "vcs" && !strings.HasPrefix(k, "vcs.") {
			diffs = append(diffs, fmt.Sprintf("build setting %s: host %s, checkout %s", k, quotedOr(hs, k), quotedOr(ps, k)))
		}
	}
	if hb.Main.Path != pb.Main.Path {
		diffs = append(diffs, fmt.Sprintf("main module: host %s, checkout %s", hb.Main.Path, pb.Main.Path))
	}
	hm, pm := modulesOf(hb), modulesOf(pb)
	for _, k := range diffKeys(hm, pm) {
		diffs = append(diffs, fmt.Sprintf("module %s: host %s, checkout %s", k, orElse(hm, k), orElse(pm, k)))
	}
	fps, missing := p.FingerprintDiff(h)
	for _, pkg := range missing {
		fps = append(fps, pkg+" (not linked by the probe)")
	}
	if len(fps) > 0 {
		sort.Strings(fps)
		const max = 5
		s := "package fingerprint differs: " + strings.Join(fps[:min(max, len(fps))], ", ")
		if len(fps) > max {
			s += fmt.Sprintf(" and %d more", len(fps)-max)
		}
		diffs = append(diffs, s)
	}
	return diffs, nil
}

// settingsOf is bi's build settings by key (none when bi is nil).
func settingsOf(bi *buildinfo.BuildInfo) map[string]string {
	m := map[string]string{}
	if bi == nil {
		return m
	}
	for _, s := range bi.Settings {
		m[s.Key] = s.Value
	}
	return m
}

func modulesOf(bi *buildinfo.BuildInfo) map[string]string {
	m := map[string]string{}
	for _, d := range bi.Deps {
		v := d.Version + " " + d.Sum
		if r := d.Replace; r != nil {
			v += " => " + r.Path + " " + r.Version + " " + r.Sum
		}
		m[d.Path] = strings.TrimSpace(v)
	}
	return m
}

// diffKeys lists the keys of h and p whose values differ (or that only
// one has), sorted.
func diffKeys(h, p map[string]string) []string {
	var keys []string
	for k, v := range h {
		if pv, ok := p[k]; !ok || pv != v {
			keys = append(keys, k)
		}
	}
	for k := range p {
		if _, ok := h[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys
}

// quotedOr is m[k] quoted, "unset" when m has no k.
func quotedOr(m map[string]string, k string) string {
	if v, ok := m[k]; ok {
		return strconv.Quote(v)
	}
	return "unset"
}

// orElse is m[k], "does not use it" when m has no k.
func orElse(m map[string]string, k string) string {
	if v, ok := m[k]; ok {
		return v
	}
	return "does not use it"
}

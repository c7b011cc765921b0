// Package cachedir decides where pluginctl keeps what it caches: one root
// ($PLUGINCTL_CACHE, else the user cache directory's pluginctl folder) with
// one folder per kind (artifacts, probe, sums, facts, contract, vet-passed,
// gobin).
// PLUGINCTL_CACHE=off keeps nothing that is only a cache; the probe, which
// the dynamic check cannot run without, is still built under the user
// cache directory.
package cachedir

import (
	"os"
	"path/filepath"
)

// Kinds of cached things.
const (
	Artifacts = "artifacts"  // the last artifact built per package (builder)
	Probe     = "probe"      // the dynamic check's probe programs
	Sums      = "sums"       // artifact checksums by file identity
	Facts     = "facts"      // what was read from each artifact and manifest, by its checksum
	Contract  = "contract"   // inferred contracts, by the sources read
	VetPassed = "vet-passed" // vet runs without errors, by the sources vetted
	GoBin     = "gobin"      // "go" links to a chosen go command, for go/packages
)

// Off reports whether PLUGINCTL_CACHE is "off".
func Off() bool { return os.Getenv("PLUGINCTL_CACHE") == "off" }

// Root is the cache root, "" when there is none: $PLUGINCTL_CACHE, else
// (also when it is "off": see For) the user cache directory's pluginctl
// folder.
func Root() string {
	if d := os.Getenv("PLUGINCTL_CACHE"); d != "" && d != "off" {
		return d
	}
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "pluginctl")
	}
	return ""
}

// RootFor is the cache root a setting names: dir itself, "" (none) for
// "off", and for "" the environment's (Root, none when Off).
func RootFor(dir string) string {
	switch {
	case dir == "off", dir == "" && Off():
		return ""
	case dir != "":
		return dir
	}
	return Root()
}

// For is the folder of one kind, "" when caching is off (except for the
// probe, which is needed, not only cached) or there is no cache root.
func For(kind string) string {
	r := Root()
	if r == "" || Off() && kind != Probe {
		return ""
	}
	return filepath.Join(r, kind)
}

package cli

import (
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"sort"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/pluginctl/pluginctl/internal/artifact"
	"github.com/pluginctl/pluginctl/internal/diag"
	"github.com/pluginctl/pluginctl/internal/output"
	"github.com/pluginctl/pluginctl/pluginapi/meta"
	"github.com/pluginctl/pluginctl/verifier"
)

// readArtifact reads a file for inspect and diff; any failure is a usage
// error naming the reason.
func readArtifact(name string) (*artifact.File, error) {
	f, err := artifact.Read(name)
	if err != nil {
		var np *artifact.NotPluginError
		if errors.As(err, &np) {
			return nil, diag.Usage("%s: %s", name, np.Reason)
		}
		if errors.Is(err, fs.ErrNotExist) {
			return nil, diag.Usage("%s: no such file or directory", name)
		}
		return nil, diag.Usage("%v", err)
	}
	if f.BuildInfo == nil {
		return nil, diag.Usage("%s: a C shared library, not a Go program or plugin", name)
	}
	return f, nil
}

// debugInfo says whether f has DWARF, and whether it is compressed.
func debugInfo(f *artifact.File) string {
	switch {
	case !f.HasDWARF:
		return "none (stripped with -ldflags=-w or -s)"
	case f.DWARFCompressed:
		return "DWARF, compressed"
	}
	return "DWARF, uncompressed"
}

type symbolInfo struct {
	Kind string `json:"kind"`
	Type string `json:"type,omitempty"`
}

func inspectCommand(stdio IO) *ucli.Command {
	return &ucli.Command{
		Name:      "inspect",
		Usage:     "show what an artifact is, how it was built and what it exports, without loading it",
		ArgsUsage: "FILE",
		Description: `Inspect reads a host or plugin file and prints the metadata pluginctl build
embedded in it, its exported symbols (with their types when DWARF is present), the
Go build info (toolchain, module versions, build settings) and the package
fingerprints that plugin.Open compares. Nothing from the file is executed.

Examples:
   pluginctl inspect bin/plugins/filter.so
   pluginctl inspect --format json bin/host`,
		Flags: []ucli.Flag{formatFlag("text", "json")},
		Action: func(c *ucli.Context) error {
			format, err := checkFormat(c, "text", "json")
			if err != nil {
				return err
			}
			if c.NArg() != 1 {
				return diag.Usage("inspect takes exactly one FILE")
			}
			f, err := readArtifact(c.Args().First())
			if err != nil {
				return err
			}
			syms := map[string]symbolInfo{}
			for name, kind := range f.Exported {
				si := symbolInfo{Kind: string(kind)}
				si.Type, _ = f.SymbolType(name)
				syms[name] = si
			}
			fps := map[string]string{}
			for p, h := range f.Fingerprints {
				fps[p] = hex.EncodeToString(h[:])
			}
			if format == "json" {
				return writeJSON(stdio.Stdout, struct {
					Schema       string                `json:"schema"`
					Path         string                `json:"path"`
					Kind         artifact.Kind         `json:"kind"`
					PluginPath   string                `json:"plugin_path,omitempty"`
					Target       string                `json:"target"`
					Size         int64                 `json:"size"`
					SHA256       string                `json:"sha256"`
					Metadata     *meta.Metadata        `json:"metadata"`
					Exported     map[string]symbolInfo `json:"exported,omitempty"`
					DebugInfo    string                `json:"debug_info"`
					BuildInfo    any                   `json:"build_info"`
					Fingerprints map[string]string     `json:"fingerprints"`
				}{inspectSchema, f.Path, f.Kind, f.PluginPath, f.BuildTarget.String(), f.Size, f.SHA256(), f.Metadata, syms, debugInfo(f), f.BuildInfo, fps})
			}
			writeInspect(stdio.Stdout, f, syms, fps)
			return nil
		},
	}
}

func writeInspect(w io.Writer, f *artifact.File, syms map[string]symbolInfo, fps map[string]string) {
	safef(w, "%s\n", f.Path)
	safef(w, "kind         %s\n", f.Kind)
	if f.PluginPath != "" {
		safef(w, "plugin path  %s\n", f.PluginPath)
	}
	safef(w, "target       %s\n", f.BuildTarget)
	safef(w, "size         %d bytes, sha256 %s\n", f.Size, f.SHA256())
	safef(w, "debug info   %s\n", debugInfo(f))
	if md := f.Metadata; md == nil {
		safef(w, "metadata: none (not built by pluginctl build)\n")
	} else {
		safef(w, "metadata:\n")
		safef(w, "  kind        %s\n  package     %s\n  module      %s %s\n  go          %s %s/%s\n  flags       %s\n  api         %s %s\n  build set   %s\n  pluginctl   %s\n",
			md.Kind, md.Package, md.Module, md.ModuleVersion, md.GoVersion, md.GOOS, md.GOARCH, strings.Join(md.Flags, " "), md.APIPackage, md.APIVersion, md.BuildSet, md.PluginctlVersion)
		if md.VCSRevision != "" {
			safef(w, "  vcs         %s (modified: %v)\n", md.VCSRevision, md.VCSModified)
		}
	}
	if f.Kind == artifact.KindPlugin {
		safef(w, "exported symbols:\n")
		for _, name := range f.SortedExports() {
			s := syms[name]
			safef(w, "  %-20s %-4s %s\n", name, s.Kind, s.Type)
		}
	}
	safef(w, "build info:\n")
	for _, line := range strings.Split(strings.TrimRight(f.BuildInfo.String(), "\n"), "\n") {
		safef(w, "  %s\n", line)
	}
	safef(w, "fingerprints (%d packages):\n", len(fps))
	keys := make([]string, 0, len(fps))
	for k := range fps {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		safef(w, "  %s %s\n", fps[k], k)
	}
}

func diffCommand(stdio IO) *ucli.Command {
	return &ucli.Command{
		Name:      "diff",
		Usage:     "show what differs between two builds: toolchain, settings, module versions, package fingerprints",
		ArgsUsage: "A B",
		Description: `Diff compares two artifacts (two plugins, or a host and a plugin) statically and
prints what differs that matters to plugin.Open: the Go version, the build
settings, the module versions, and every package both link whose fingerprint
differs. It exits 0 when nothing differs and 1 otherwise.

Examples:
   pluginctl diff bin/host bin/plugins/filter.so
   pluginctl diff old/filter.so new/filter.so`,
		Flags: []ucli.Flag{formatFlag("text", "json")},
		Action: func(c *ucli.Context) error {
			format, err := checkFormat(c, "text", "json")
			if err != nil {
				return err
			}
			if c.NArg() != 2 {
				return diag.Usage("diff takes exactly two files")
			}
			a, err := readArtifact(c.Args().Get(0))
			if err != nil {
				return err
			}
			b, err := readArtifact(c.Args().Get(1))
			if err != nil {
				return err
			}
			d := verifier.Compare(a, b)
			if format == "json" {
				if err := writeJSON(stdio.Stdout, struct {
					Schema string `json:"schema"`
					*verifier.Diff
				}{diffSchema, d}); err != nil {
					return err
				}
			} else {
				w := stdio.Stdout
				safef(w, "a: %s\nb: %s\n", a.Path, b.Path)
				if d.GoVersion != "" {
					safef(w, "go version: %s\n", d.GoVersion)
				}
				for _, s := range d.Settings {
					safef(w, "setting %s\n", s)
				}
				for _, m := range d.Modules {
					safef(w, "module %s\n", m)
				}
				for _, p := range d.Packages {
					safef(w, "package %s: fingerprints differ\n", p)
				}
				safef(w, "%d package(s) differ; %d only in a, %d only in b\n", len(d.Packages), d.OnlyA, d.OnlyB)
			}
			if !d.Empty() {
				return diag.Failed
			}
			return nil
		},
	}
}

// safef is fmt.Fprintf for text built from an artifact's contents: its
// string arguments (names, paths, build info read from the file) are
// escaped (output.Escape), so that no file can forge lines or send
// escape sequences to the terminal.
func safef(w io.Writer, format string, args ...any) {
	for i, a := range args {
		switch v := a.(type) {
		case string:
			args[i] = output.Escape(v)
		case fmt.Stringer:
			args[i] = output.Escape(v.String())
		}
	}
	fmt.Fprintf(w, format, args...)
}

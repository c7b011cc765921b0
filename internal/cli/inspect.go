package cli

import (
	"debug/buildinfo"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	ucli "github.com/urfave/cli/v2"

	"github.com/pluginctl/pluginctl/pluginapi/meta"
)

func inspectCommand(stdio IO) *ucli.Command {
	return &ucli.Command{
		Name:      "inspect",
		Usage:     "show an artifact's embedded pluginctl metadata and Go build info, without loading it",
		ArgsUsage: "FILE",
		Description: `Inspect reads a host or plugin file and prints the metadata pluginctl build
embedded in it and the Go build info (toolchain, module versions, build
settings). Nothing from the file is executed.

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
				return usageError("inspect takes exactly one FILE")
			}
			name := c.Args().First()
			data, err := os.ReadFile(name)
			if err != nil {
				return usageError("reading %s: %v", name, err)
			}
			bi, err := buildinfo.Read(bytesReaderAt(data))
			if err != nil {
				return usageError("%s: not a Go binary: %v", name, err)
			}
			md, err := meta.Find(data)
			if err != nil && !errors.Is(err, meta.ErrNotFound) {
				return err
			}
			if format == "json" {
				enc := json.NewEncoder(stdio.Stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(struct {
					Path      string               `json:"path"`
					Metadata  *meta.Metadata       `json:"metadata"`
					BuildInfo *buildinfo.BuildInfo `json:"build_info"`
				}{name, md, bi})
			}
			w := stdio.Stdout
			fmt.Fprintf(w, "%s\n", name)
			if md == nil {
				fmt.Fprintf(w, "metadata: none (not built by pluginctl build)\n")
			} else {
				fmt.Fprintf(w, "metadata:\n")
				fmt.Fprintf(w, "  kind        %s\n  package     %s\n  module      %s %s\n  go          %s %s/%s\n  flags       %v\n  api         %s %s\n  build set   %s\n  pluginctl   %s\n",
					md.Kind, md.Package, md.Module, md.ModuleVersion, md.GoVersion, md.GOOS, md.GOARCH, md.Flags, md.APIPackage, md.APIVersion, md.BuildSet, md.PluginctlVersion)
				if md.VCSRevision != "" {
					fmt.Fprintf(w, "  vcs         %s (modified: %v)\n", md.VCSRevision, md.VCSModified)
				}
			}
			fmt.Fprintf(w, "build info:\n")
			for _, line := range splitLines(bi.String()) {
				fmt.Fprintf(w, "  %s\n", line)
			}
			return nil
		},
	}
}

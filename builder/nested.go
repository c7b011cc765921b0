package builder

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/pluginctl/pluginctl/internal/modtree"
)

// nestedPlugins finds plugin folders that the patterns cover but the go
// command leaves out silently because they are another module: a folder
// with its own go.mod under a module of the build (and not itself a
// module of the go.work) holding a plugin (modtree.Find). It returns a
// warning for each, with the fix. dir is the directory the patterns are
// relative to; modDirs are the build's main modules.
func nestedPlugins(dir string, patterns []string, modDirs []string) []string {
	seen := map[string]bool{}
	var warnings []string
	for _, p := range patterns {
		root, ok := strings.CutSuffix(p, "/...")
		if !ok || !(root == "." || strings.HasPrefix(root, "./") || strings.HasPrefix(root, "../") || filepath.IsAbs(root)) {
			continue // an import path pattern, or no wildcard: nothing left out silently
		}
		if !filepath.IsAbs(root) {
			root = filepath.Join(dir, root)
		}
		for _, m := range modtree.Find(filepath.Clean(root), modDirs, "") {
			if len(m.Plugins) == 0 || seen[m.Dir] {
				continue
			}
			seen[m.Dir] = true
			rel, err := filepath.Rel(dir, m.Dir)
			if err != nil {
				rel = m.Dir
			}
			warnings = append(warnings, fmt.Sprintf("%s has its own go.mod: its plugin is not part of this build; build it from there (cd %s && pluginctl build), or add it to a go.work (go work use %s)", rel, rel, rel))
		}
	}
	sort.Strings(warnings)
	return warnings
}

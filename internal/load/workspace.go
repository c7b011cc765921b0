package load

import "path/filepath"

// ExpandWorkspace rewrites "./..." for a go.work workspace, where the go
// command accepts it only inside a module, into one pattern per workspace
// module directory below dir, so that the whole workspace is one build
// list. Other patterns are kept; with no module below dir the patterns
// are returned unchanged.
func ExpandWorkspace(dir string, moduleDirs, patterns []string) []string {
	var out []string
	for _, p := range patterns {
		if p != "./..." {
			out = append(out, p)
			continue
		}
		for _, m := range moduleDirs {
			rel, err := filepath.Rel(dir, m)
			if err != nil || !filepath.IsLocal(rel) && rel != "." {
				continue
			}
			out = append(out, "./"+filepath.ToSlash(filepath.Join(rel, "...")))
		}
	}
	if len(out) == 0 {
		return patterns
	}
	return out
}

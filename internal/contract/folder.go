// The host's rule for the files of a folder it opens: how it lists the
// folder and which names it keeps.

package contract

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// Folder is the host's rule for the files of a folder it opens as
// plugins (see Contract.Folder): inferred from the host's source where
// it lists the folder, or declared ([folder] in pluginctl.toml).
type Folder struct {
	// How the host lists the folder: "readdir" (os.ReadDir: its entries,
	// in name order), "glob" (filepath.Glob, name order), "walk"
	// (filepath.Walk/WalkDir: the folder and its subfolders, in lexical
	// order) or "declared".
	How string `json:"how"`
	// Recursive: files in subfolders too.
	Recursive bool `json:"recursive,omitempty"`
	// Match is the pattern (path.Match syntax) a file name must match:
	// "*.so"; "" keeps every file.
	Match string `json:"match,omitempty"`
	// FoldCase: the name is compared lower-cased (Legacy.SO matches *.so).
	FoldCase bool `json:"fold_case,omitempty"`
	// Pos is "file:line" of the listing in the host, or of the
	// pluginctl.toml table.
	Pos string `json:"pos,omitempty"`
	// Unknown, when set, says why the rule could not be determined: the
	// files of a folder given to verify are then the *.so files, with a
	// warning.
	Unknown string `json:"unknown,omitempty"`
}

// String describes the rule for a message.
func (r *Folder) String() string {
	if r.Unknown != "" {
		return "not known: " + r.Unknown
	}
	var b strings.Builder
	b.WriteString("every file of the folder")
	if r.Recursive {
		b.WriteString(" and its subfolders")
	}
	if r.Match != "" {
		if r.FoldCase {
			b.WriteString(" whose lower-cased name matches " + r.Match)
		} else {
			b.WriteString(" whose name matches " + r.Match)
		}
	}
	if r.Recursive {
		b.WriteString(", in lexical order")
	} else {
		b.WriteString(", in name order")
	}
	fmt.Fprintf(&b, " (%s", r.How)
	if r.Pos != "" {
		b.WriteString(" at " + r.Pos)
	}
	b.WriteString(")")
	return b.String()
}

// Keeps reports whether the rule keeps the file name.
func (r *Folder) Keeps(name string) bool {
	if r.Match == "" {
		return true
	}
	pat := r.Match
	if r.FoldCase {
		name, pat = strings.ToLower(name), strings.ToLower(pat)
	}
	ok, _ := path.Match(pat, name)
	return ok
}

// Files lists the files of dir the host opens, in its order, and the
// files it leaves out (those of subfolders, unless it walks them).
func (r *Folder) Files(dir string) (open, left []string, err error) {
	err = fs.WalkDir(os.DirFS(dir), ".", func(p string, d fs.DirEntry, err error) error {
		switch {
		case err != nil && (p == "." || r.Recursive):
			return err
		case err != nil || d.IsDir():
			return nil
		}
		file := filepath.Join(dir, filepath.FromSlash(p))
		if (r.Recursive || !strings.Contains(p, "/")) && r.Keeps(d.Name()) {
			open = append(open, file)
		} else {
			left = append(left, file)
		}
		return nil
	})
	return open, left, err
}

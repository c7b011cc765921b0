package builder

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"

	"github.com/pluginctl/pluginctl/internal/project"
)

// workspace is the module graph input of one build: the go.mod files of
// every main module (one, or all the modules a go.work uses), their go.sum
// files, and how dependencies are provided.
type workspace struct {
	// Root is the directory of go.work, or of the single go.mod.
	Root string
	// Mods are the main modules' parsed go.mod files, and ModDirs their
	// directories.
	Mods    []*modfile.File
	ModDirs []string
	// Vendor is true when dependencies come from a vendor directory.
	Vendor bool
	// digest hashes every file read, for the build-set ID.
	digest []byte
}

// loadWorkspace reads and checks the go.mod and go.sum files of the
// project's main modules, and its go.work.
func loadWorkspace(p *project.Project) (*workspace, error) {
	h := sha256.New()
	ws := &workspace{Root: p.Root, ModDirs: p.ModuleDirs()}
	ws.Vendor = fileExists(filepath.Join(ws.Root, "vendor", "modules.txt"))
	var sumFiles []string
	if p.GoWork != "" {
		data, err := os.ReadFile(p.GoWork)
		if err != nil {
			return nil, fmt.Errorf("reading go.work: %w", err)
		}
		fmt.Fprintf(h, "go.work\n%s\n", data)
		sumFiles = append(sumFiles, filepath.Join(ws.Root, "go.work.sum"))
	}
	sums := map[string]bool{} // "path version" and "path version/go.mod"
	for _, dir := range ws.ModDirs {
		mp := filepath.Join(dir, "go.mod")
		data, err := os.ReadFile(mp)
		if err != nil {
			return nil, fmt.Errorf("reading go.mod: %w", err)
		}
		f, err := modfile.Parse(mp, data, nil)
		if err != nil {
			return nil, &ModError{Err: err}
		}
		if f.Module == nil {
			return nil, &ModError{Err: fmt.Errorf("%s:1: no module directive", mp)}
		}
		ws.Mods = append(ws.Mods, f)
		fmt.Fprintf(h, "go.mod %s\n%s\n", f.Module.Mod.Path, data)
		sumFiles = append(sumFiles, filepath.Join(filepath.Dir(mp), "go.sum"))
	}
	for _, sf := range sumFiles {
		data, err := os.ReadFile(sf)
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("reading go.sum: %w", err)
		}
		if err := parseSum(sf, data, sums); err != nil {
			return nil, err
		}
		fmt.Fprintf(h, "go.sum %s\n%s\n", filepath.Base(sf), data)
	}
	if !ws.Vendor {
		if err := ws.checkSums(sums); err != nil {
			return nil, err
		}
	}
	ws.digest = h.Sum(nil)
	return ws, nil
}

// parseSum checks the syntax of a go.sum file and records its entries.
func parseSum(file string, data []byte, sums map[string]bool) error {
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		f := strings.Fields(line)
		if len(f) != 3 || !strings.HasPrefix(f[2], "h1:") {
			return &ModError{Err: fmt.Errorf("%s:%d: malformed go.sum line %q: want \"module version h1:hash\"", file, n, line)}
		}
		if err := module.CheckPath(f[0]); err != nil {
			return &ModError{Err: fmt.Errorf("%s:%d: %w", file, n, err)}
		}
		sums[f[0]+" "+f[1]] = true
	}
	return sc.Err()
}

// checkSums reports the first require of a main module whose go.mod hash is
// missing from go.sum: with -mod=readonly, go build would fail on it, and
// the fix is a command the user runs, never one pluginctl runs for them.
func (ws *workspace) checkSums(sums map[string]bool) error {
	local := map[string]bool{}
	for _, f := range ws.Mods {
		local[f.Module.Mod.Path] = true
	}
	for _, f := range ws.Mods {
		replaced := map[string]bool{}
		for _, r := range f.Replace {
			if modfile.IsDirectoryPath(r.New.Path) {
				replaced[r.Old.Path] = true
			}
		}
		for _, r := range f.Require {
			p, v := r.Mod.Path, r.Mod.Version
			if local[p] || replaced[p] {
				continue
			}
			for _, rep := range f.Replace {
				if rep.Old.Path == p && (rep.Old.Version == "" || rep.Old.Version == v) {
					p, v = rep.New.Path, rep.New.Version
				}
			}
			if !sums[p+" "+v+"/go.mod"] && !sums[p+" "+v] {
				return &MissingSumError{
					File:    f.Syntax.Name,
					Line:    r.Syntax.Start.Line,
					Module:  p,
					Version: v,
				}
			}
		}
	}
	return nil
}

func fileExists(name string) bool {
	_, err := os.Stat(name)
	return err == nil
}

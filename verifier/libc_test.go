package verifier

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pluginctl/pluginctl/internal/artifact"
	"github.com/pluginctl/pluginctl/internal/diag"
	"github.com/pluginctl/pluginctl/internal/fixture"
	"github.com/pluginctl/pluginctl/internal/gocmd"
)

func TestCompareLibc(t *testing.T) {
	glibc := func(max string, needed ...string) *artifact.Libc {
		return &artifact.Libc{Needed: append([]string{"libc.so.6"}, needed...), Flavor: "glibc", GlibcMax: max,
			GlibcSymbols: map[string][]string{max: {"f_" + strings.TrimPrefix(max, "GLIBC_")}}}
	}
	musl := &artifact.Libc{Needed: []string{"libc.musl-x86_64.so.1"}, Flavor: "musl"}
	for _, tc := range []struct {
		name         string
		plugin, host *artifact.Libc
		want         []diag.Code
		text         []string
	}{
		{"same", glibc("GLIBC_2.34"), glibc("GLIBC_2.34"), nil, nil},
		{"older plugin", glibc("GLIBC_2.17"), glibc("GLIBC_2.34"), nil, nil},
		{"newer plugin", glibc("GLIBC_2.38"), glibc("GLIBC_2.34"), []diag.Code{LibcMismatch}, []string{"GLIBC_2.38", "GLIBC_2.34", "f_2.38@GLIBC_2.38"}},
		{"numeric order", glibc("GLIBC_2.10"), glibc("GLIBC_2.9"), []diag.Code{LibcMismatch}, []string{"GLIBC_2.10", "GLIBC_2.9"}},
		{"three parts", glibc("GLIBC_2.3"), glibc("GLIBC_2.2.5"), []diag.Code{LibcMismatch}, nil},
		{"musl plugin", musl, glibc("GLIBC_2.34"), []diag.Code{LibcMismatch}, []string{"musl", "glibc", "libc.musl-x86_64.so.1"}},
		{"musl host", glibc("GLIBC_2.17"), musl, []diag.Code{LibcMismatch}, []string{"linked against glibc, the host against musl"}},
		{"extra library", glibc("GLIBC_2.34", "libsqlite3.so.0"), glibc("GLIBC_2.34"), []diag.Code{ExtraLibrary}, []string{"libsqlite3.so.0"}},
		{"no libc", &artifact.Libc{}, glibc("GLIBC_2.34"), nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ps := compareLibc(tc.plugin, tc.host)
			var got []diag.Code
			for _, p := range ps {
				got = append(got, p.Code)
			}
			if strings.Join(codeStrings(got), ",") != strings.Join(codeStrings(tc.want), ",") {
				t.Fatalf("codes %v, want %v: %+v", got, tc.want, ps)
			}
			text := problemsText(ps)
			for _, w := range tc.text {
				if !strings.Contains(text, w) {
					t.Errorf("report does not say %q:\n%s", w, text)
				}
			}
		})
	}
}

func codeStrings(cs []diag.Code) []string {
	var s []string
	for _, c := range cs {
		s = append(s, string(c))
	}
	return s
}

// TestLibcReal builds, in a module that does not import pluginctl, a host
// and a plugin whose C code calls arc4random (GLIBC_2.36), which the host
// does not: verify --static names both versions, and the full check (on
// this machine, where it loads) reports no disagreement about it.
func TestLibcReal(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a host and a plugin")
	}
	dir := t.TempDir()
	files := map[string]string{
		"go.mod": "module example.com/cside\n\ngo 1.22\n",
		"cmd/host/main.go": `package main

import (
	"fmt"
	"os"
	"plugin"
)

func main() {
	for _, p := range os.Args[1:] {
		if _, err := plugin.Open(p); err != nil {
			fmt.Println(err)
			os.Exit(1)
		}
	}
}
`,
		"plugins/rnd/rnd.go": `package main

/*
#include <stdlib.h>
#include <stdint.h>
static uint32_t rnd(void) { return arc4random(); }
*/
import "C"

func Random() uint32 { return uint32(C.rnd()) }
`,
	}
	fixture.WriteFiles(t, dir, files)
	g := &gocmd.Go{Dir: dir, Env: fixture.Env()}
	ctx := context.Background()
	host, plug := filepath.Join(dir, "host"), filepath.Join(dir, "rnd.so")
	if _, err := g.Output(ctx, "build", "-trimpath", "-o", host, "./cmd/host"); err != nil {
		t.Fatal(err)
	}
	if _, err := g.Output(ctx, "build", "-trimpath", "-buildmode=plugin", "-o", plug, "./plugins/rnd"); err != nil {
		t.Skipf("this C library has no arc4random (glibc before 2.36?): %v", err)
	}
	pf, err := artifact.Read(plug)
	if err != nil {
		t.Fatal(err)
	}
	pl, err := pf.Libc()
	if err != nil {
		t.Fatal(err)
	}
	if pl.Flavor != "glibc" || artifact.CompareGlibc(pl.GlibcMax, "GLIBC_2.36") < 0 {
		t.Skipf("arc4random is not GLIBC_2.36 here: %+v", pl)
	}
	// The version comes from the version needs; the symbols are read when
	// a message names them.
	if above := pl.SymbolsAbove("GLIBC_2.35"); !slices.Contains(above, "arc4random@GLIBC_2.36") {
		t.Errorf("symbols above GLIBC_2.35: %q", above)
	}
	hf, err := artifact.Read(host)
	if err != nil {
		t.Fatal(err)
	}
	hl, _ := hf.Libc()
	if artifact.CompareGlibc(hl.GlibcMax, "GLIBC_2.36") >= 0 {
		t.Skipf("the host already requires %s", hl.GlibcMax)
	}

	r, err := Verify(ctx, Options{Host: host, Static: true}, []string{plug})
	if err != nil {
		t.Fatal(err)
	}
	a := r.Artifacts[0]
	if got := errorCodes(a); strings.Join(got, ",") != string(LibcMismatch) {
		t.Fatalf("codes %v, want [libc-mismatch]: %+v", got, a.Problems)
	}
	text := problemsText(a.Problems)
	for _, w := range []string{"GLIBC_2.36", hl.GlibcMax, "arc4random@GLIBC_2.36"} {
		if !strings.Contains(text, w) {
			t.Errorf("report does not name %q:\n%s", w, text)
		}
	}

	r, err = Verify(ctx, Options{Host: host, Dir: dir, Go: &gocmd.Go{Dir: dir, Env: fixture.Env()}, CacheDir: t.TempDir()}, []string{plug})
	if err != nil {
		t.Fatal(err)
	}
	a = r.Artifacts[0]
	if got := errorCodes(a); strings.Join(got, ",") != string(LibcMismatch) {
		t.Fatalf("full check: codes %v, want only libc-mismatch (no check-disagreement): %+v", got, a.Problems)
	}
}

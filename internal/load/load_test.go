package load

import (
	"context"
	"slices"
	"testing"

	"golang.org/x/tools/go/packages"
)

const mod = "github.com/pluginctl/pluginctl/internal/"

func paths(ps []*packages.Package) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.PkgPath)
	}
	return out
}

func TestLoad(t *testing.T) {
	var listed []string
	var rootCalls, sourceCalls []string
	o := Options{
		Listed: func(roots []*packages.Package) {
			for _, r := range roots {
				if r.Types != nil || r.Syntax != nil {
					t.Errorf("%s: loaded before Listed", r.PkgPath)
				}
			}
			listed = paths(roots)
		},
		Root: func(p *packages.Package) bool {
			if len(sourceCalls) > 0 {
				t.Error("Root called after Source")
			}
			rootCalls = append(rootCalls, p.PkgPath)
			return p.PkgPath != mod+"gocmd"
		},
		Source: func(p *packages.Package) bool {
			sourceCalls = append(sourceCalls, p.PkgPath)
			return true
		},
	}
	prog, err := Load(context.Background(), Config{Dir: "../.."}, []string{"./internal/gocmd", "./internal/contract/infer", "./internal/fsutil"}, o)
	if err != nil {
		t.Fatal(err)
	}
	if len(prog.Errors) > 0 {
		t.Fatalf("errors: %v", prog.Errors)
	}
	roots := []string{mod + "contract/infer", mod + "fsutil", mod + "gocmd"}
	if got := paths(prog.Roots); !slices.Equal(got, roots) || !slices.Equal(listed, roots) || !slices.Equal(rootCalls, roots) {
		t.Errorf("Roots %v, Listed %v, Root called with %v; want %v", got, listed, rootCalls, roots)
	}
	if got, want := paths(prog.SourceRoots()), []string{mod + "contract/infer", mod + "fsutil"}; !slices.Equal(got, want) {
		t.Errorf("SourceRoots = %v, want %v", got, want)
	}
	// gocmd, which Root rejected, is still a main-module package of the
	// program, so Source may take it; contract and load are ones that
	// contract/infer imports.
	if got, want := paths(prog.Source), []string{mod + "contract/infer", mod + "fsutil", mod + "contract", mod + "gocmd", mod + "load"}; !slices.Equal(got, want) {
		t.Errorf("Source = %v, want %v (Source called with %v)", got, want, sourceCalls)
	}
	for _, p := range prog.Source {
		if p.Types == nil || p.TypesInfo == nil || len(p.TypesInfo.Defs) == 0 || len(p.Syntax) == 0 || p.IllTyped {
			t.Errorf("%s: not type-checked from source", p.PkgPath)
		}
		for _, f := range p.Syntax {
			if len(f.Comments) > 0 {
				t.Errorf("%s: comments kept without ParseComments", p.PkgPath)
				break
			}
		}
	}
	tools := prog.All["golang.org/x/tools/go/packages"]
	if tools == nil || tools.Syntax != nil || tools.Types == nil || tools.Types.Scope().Lookup("Load") == nil {
		t.Errorf("golang.org/x/tools/go/packages: want its types from export data")
	}
}

func TestLoadSourceFilter(t *testing.T) {
	o := Options{
		Source:        func(p *packages.Package) bool { return false },
		ParseComments: true,
	}
	prog, err := Load(context.Background(), Config{Dir: "../.."}, []string{"./internal/contract/infer"}, o)
	if err != nil {
		t.Fatal(err)
	}
	if len(prog.Errors) > 0 {
		t.Fatalf("errors: %v", prog.Errors)
	}
	if got, want := paths(prog.Source), []string{mod + "contract/infer"}; !slices.Equal(got, want) {
		t.Errorf("Source = %v, want %v", got, want)
	}
	if p := prog.All[mod+"load"]; p == nil || p.Syntax != nil || p.Types.Scope().Lookup("Load") == nil {
		t.Errorf("internal/load: want its types from export data")
	}
	comments := false
	for _, f := range prog.Source[0].Syntax {
		comments = comments || len(f.Comments) > 0
	}
	if !comments {
		t.Error("no comments with ParseComments")
	}
}

func TestLoadErrors(t *testing.T) {
	prog, err := Load(context.Background(), Config{Dir: "../.."}, []string{"./internal/nosuchpackage", "./internal/fsutil"}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(prog.Errors) == 0 || len(prog.Roots) != 2 {
		t.Fatalf("Errors %v, Roots %v: want an error and both roots", prog.Errors, paths(prog.Roots))
	}
	if got, want := paths(prog.SourceRoots()), []string{mod + "fsutil"}; !slices.Equal(got, want) {
		t.Errorf("SourceRoots = %v, want %v", got, want)
	}
}

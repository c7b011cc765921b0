package contract

import (
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"slices"
	"testing"
)

func TestCanonicalType(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"func(net/http.ResponseWriter, *net/http.Request)", "func(net/http.ResponseWriter, *net/http.Request)"},
		{"func(w net/http.ResponseWriter, r *net/http.Request)", "func(net/http.ResponseWriter, *net/http.Request)"},
		{" func()  example.com/app/pluginapi.Plugin ", "func() example.com/app/pluginapi.Plugin"},
		{"func() pluginapi.Plugin", "func() pluginapi.Plugin"},
		{"*int", "*int"},
		{"func([]byte) rune", "func([]uint8) int32"},
		{"func(any) interface{ }", "func(interface{}) interface{}"},
		{"func(...string)", "func(...string)"},
		{"func(a, b int, c ...any)", "func(int, int, ...interface{})"},
		{"func() (n int, err error)", "func() (int, error)"},
		{"func() (error)", "func() error"},
		{"map[string]gopkg.in/yaml.v3.Node", "map[string]gopkg.in/yaml.v3.Node"},
		{"interface{ Read(p []byte) (int, error); Close() error }", "interface{Close() error; Read([]uint8) (int, error)}"},
		{"interface{ fmt.Stringer; Close() error }", "interface{fmt.Stringer; Close() error}"},
		{"struct { X, Y int `json:\"x\"`; io.Reader }", `struct{X int "json:\"x\""; Y int "json:\"x\""; io.Reader}`},
		{"chan<- int", "chan<- int"},
		{"<-chan int", "<-chan int"},
		{"chan (<-chan int)", "chan (<-chan int)"},
		{"[0x10]int", "[16]int"},
		{"func() github.com/x/y/v2.List[int, string]", "func() github.com/x/y/v2.List[int, string]"},
		{"func(func(int) bool) (*[3]example.com/a-b/c_d.T)", "func(func(int) bool) *[3]example.com/a-b/c_d.T"},
	} {
		got, err := CanonicalType(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("CanonicalType(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "Plugin", "func() Plugin", "func(", "[...]int", "x + y", "func(...int, int)", "1"} {
		if got, err := CanonicalType(bad); err == nil {
			t.Errorf("CanonicalType(%q) = %q, want an error", bad, got)
		}
	}
}

// TestTypeString checks the canonical form of real types, and that
// CanonicalType leaves it unchanged.
func TestTypeString(t *testing.T) {
	const src = `package p
type T struct{}
type A = []byte
type G[X any] struct{}
type H = func(int) error
var (
	v1 func(a, b int) (n int, err error)
	v2 func(...A) any
	v3 interface{ N(); M(x A) (T, error) }
	v4 map[string]G[int]
	v5 chan (<-chan rune)
	v6 struct{ X int ` + "`json:\"x\"`" + `; T }
	v7 func(func(int) bool) [3]*T
	v8 H
	v9 interface{}
)
`
	want := map[string]string{
		"v1": "func(int, int) (int, error)",
		"v2": "func(...[]uint8) interface{}",
		"v3": "interface{M([]uint8) (example.com/p.T, error); N()}",
		"v4": "map[string]example.com/p.G[int]",
		"v5": "chan (<-chan int32)",
		"v6": `struct{X int "json:\"x\""; example.com/p.T}`,
		"v7": "func(func(int) bool) [3]*example.com/p.T",
		"v8": "func(int) error",
		"v9": "interface{}",
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "p.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	pkg, err := (&types.Config{}).Check("example.com/p", fset, []*ast.File{f}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for name, w := range want {
		obj := pkg.Scope().Lookup(name)
		got := TypeString(obj.Type())
		if got != w {
			t.Errorf("%s: TypeString = %q, want %q", name, got, w)
		}
		if c, err := CanonicalType(got); err != nil || c != got {
			t.Errorf("%s: CanonicalType(%q) = %q, %v", name, got, c, err)
		}
	}
}

func TestMatches(t *testing.T) {
	e := Entry{Symbol: "New", Types: []string{"func() github.com/pluginctl/pluginctl/pluginapi.Plugin", "*example.com/app/v2.Config"}}
	for typ, want := range map[string]bool{
		"func() github.com/pluginctl/pluginctl/pluginapi.Plugin":   true,
		"func()   github.com/pluginctl/pluginctl/pluginapi.Plugin": true,
		"func() pluginapi.Plugin":                                  true, // reflect's form
		"*app.Config":                                              true,
		"func() other.Plugin":                                      false,
		"func() example.com/other/pluginapi.Plugin":                false,
		"*int":        false,
		"not a type(": false,
	} {
		if got := e.Matches(typ); got != want {
			t.Errorf("Matches(%q) = %v, want %v", typ, got, want)
		}
	}
	if !(Entry{Symbol: "X"}).Matches("*int") {
		t.Error("an entry without types must match any type")
	}
}

func TestMatchesTypeInterface(t *testing.T) {
	const src = `package p
type impl struct{}
func (*impl) Name() string { return "" }
var V impl
var W int
`
	fset := token.NewFileSet()
	f, _ := parser.ParseFile(fset, "p.go", src, 0)
	pkg, err := (&types.Config{}).Check("example.com/p", fset, []*ast.File{f}, nil)
	if err != nil {
		t.Fatal(err)
	}
	e := Entry{Symbol: "V", Types: []string{"interface{Name() string}"}}
	if !e.MatchesType(types.NewPointer(pkg.Scope().Lookup("V").Type())) {
		t.Error("*impl implements interface{Name() string}")
	}
	if e.MatchesType(types.NewPointer(pkg.Scope().Lookup("W").Type())) {
		t.Error("*int does not implement interface{Name() string}")
	}
}

func TestGoSyntax(t *testing.T) {
	typ := "func(net/http.ResponseWriter, *net/http.Request) map[string]example.com/a/v2.T[int]"
	if got := TypeImports(typ); !slices.Equal(got, []string{"example.com/a/v2", "net/http"}) {
		t.Errorf("TypeImports = %v", got)
	}
	alias := map[string]string{"net/http": "p0", "example.com/a/v2": "p1"}
	got, err := GoSyntax(typ, func(path string) string { return alias[path] })
	if err != nil || got != "func(p0.ResponseWriter, *p0.Request) map[string]p1.T[int]" {
		t.Errorf("GoSyntax = %q, %v", got, err)
	}
	if _, err := parser.ParseExpr(got); err != nil {
		t.Errorf("not Go: %v", err)
	}
}

// TestFormatTypeRemembered: formatType's remembered answers are the ones
// it computes, the short form and the full one apart, errors included.
func TestFormatTypeRemembered(t *testing.T) {
	for _, s := range []string{"func() example.com/shop/pluginapi.Plugin", "*example.com/x/v2.Config", "func(", ""} {
		for _, short := range []bool{true, false, true} {
			want, wantErr := formatTypeWith(s, map[bool]func(string) string{true: shortPkgName}[short])
			for range 2 {
				got, err := formatType(s, short)
				if got != want || (err == nil) != (wantErr == nil) {
					t.Errorf("formatType(%q, %v) = %q, %v; want %q, %v", s, short, got, err, want, wantErr)
				}
			}
		}
	}
}

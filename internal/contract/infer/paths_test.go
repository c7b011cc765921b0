package infer

import (
	"slices"
	"testing"
)

func TestFullName(t *testing.T) {
	for _, tt := range []struct{ glob, want string }{
		{"plugin1.so", "plugin1"},
		{"sub/plugin1.so", "sub/plugin1"},
		{"./sub/../plugins/auth.so", "plugins/auth"},
		{"*/auth.so", "auth"},
		{"/opt/app/plugins/auth.so", "auth"},
		{"../plugins/auth.so", "auth"},
		{"*", ""},
		{"*/*.so", ""},
		{"plugins/*.so", ""},
		{"auth", "auth"},
	} {
		if got := fullName(tt.glob); got != tt.want {
			t.Errorf("fullName(%q) = %q, want %q", tt.glob, got, tt.want)
		}
	}
}

func TestSprintf(t *testing.T) {
	for _, tt := range []struct {
		format string
		args   []string
		want   string
	}{
		{"%s/%s.so", []string{"*", "auth"}, "*/auth.so"},
		{"%v-%d.so", []string{"a", "2"}, "a-2.so"},
		{"100%% %q", []string{"x"}, "100% *"},
		{"%s", nil, "*"},
		{"%-8s|", []string{"a"}, "a|"},
	} {
		if got := sprintf(tt.format, tt.args); got != tt.want {
			t.Errorf("sprintf(%q, %q) = %q, want %q", tt.format, tt.args, got, tt.want)
		}
	}
}

func TestCross(t *testing.T) {
	got := cross([][]string{{"a", "b"}, {"*", "*"}, {".so"}}, func(p []string) string { return p[0] + p[1] + p[2] })
	if want := []string{"a*.so", "b*.so"}; !slices.Equal(got, want) {
		t.Errorf("cross = %q, want %q", got, want)
	}
	many := make([]string, 10)
	for i := range many {
		many[i] = string(rune('a' + i))
	}
	if got := cross([][]string{many, many}, func(p []string) string { return p[0] + p[1] }); !slices.Equal(got, unknownStr) {
		t.Errorf("cross of 100 alternatives = %q, want unknown", got)
	}
}

// Kinds are named after their loader's package: lura's three loaders
// are all packages named plugin.
func TestUniqueSuffixes(t *testing.T) {
	got := uniqueSuffixes([]string{
		"github.com/luraproject/lura/v2/transport/http/server/plugin",
		"github.com/luraproject/lura/v2/transport/http/client/plugin",
		"github.com/luraproject/lura/v2/proxy/plugin",
		"example.com/fw/server",
	})
	want := map[string]string{
		"github.com/luraproject/lura/v2/transport/http/server/plugin": "server/plugin",
		"github.com/luraproject/lura/v2/transport/http/client/plugin": "client/plugin",
		"github.com/luraproject/lura/v2/proxy/plugin":                 "proxy/plugin",
		"example.com/fw/server":                                       "server",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %q, want %q", k, got[k], v)
		}
	}
	if got := uniqueSuffixes([]string{"a/x", "b/y"}); got["a/x"] != "x" || got["b/y"] != "y" {
		t.Errorf("distinct last elements: %v", got)
	}
}

package verifier

import "testing"

func TestDropReceiver(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"func(*example.com/p.T, func(string, func(net/http.Handler) net/http.Handler))", "(func(string, func(net/http.Handler) net/http.Handler))"},
		{"func(example.com/p.T)", "()"},
		{"func(example.com/p.T) error", "() error"},
		{"func(example.com/p.T, int, map[string]int) (int, error)", "(int, map[string]int) (int, error)"},
	} {
		got, ok := dropReceiver(tt.in)
		if !ok || got != tt.want {
			t.Errorf("dropReceiver(%q) = %q, %v; want %q", tt.in, got, ok, tt.want)
		}
	}
	if _, ok := dropReceiver("int"); ok {
		t.Error("dropReceiver of a non-function")
	}
}

// Only a defined type's name counts as one: the static check reads its
// methods; any other type but a struct or interface has none.
func TestDefinedTypeRE(t *testing.T) {
	for s, want := range map[string]bool{
		"example.com/gw/plugins/hello.registerer": true,
		"int":                     true,
		"net/http.Client":         true,
		"[]string":                false,
		"map[string]int":          false,
		"func(int) int":           false,
		"example.com/p.List[int]": false,
		"*example.com/p.T":        false,
	} {
		if got := definedTypeRE.MatchString(s); got != want {
			t.Errorf("definedTypeRE(%q) = %v, want %v", s, got, want)
		}
	}
}

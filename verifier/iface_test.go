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

func TestUnnamedNoMethods(t *testing.T) {
	for s, want := range map[string]bool{
		"[]string":             true,
		"[4]int":               true,
		"map[string]int":       true,
		"func(int) int":        true,
		"chan int":             true,
		"interface {}":         true,
		"struct { main.base }": false, // may promote methods
		"example.com/p.T[int]": false, // a generic instance has methods
		"example.com/p.T":      false,
		"interface { M() }":    false,
	} {
		if got := unnamedNoMethods(s); got != want {
			t.Errorf("unnamedNoMethods(%q) = %v, want %v", s, got, want)
		}
	}
}

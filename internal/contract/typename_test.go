package contract

import (
	"regexp"
	"testing"
)

// IsDefinedTypeName replaced a regular expression that compiled Unicode
// tables at every start; the expression stays here as its specification.
func TestIsDefinedTypeName(t *testing.T) {
	spec := regexp.MustCompile(`^([\w.\-~/]+\.)?[\pL_][\pL\pN_]*$`)
	for s, want := range map[string]bool{
		"example.com/gw/plugins/hello.registerer": true,
		"int":                     true,
		"net/http.Client":         true,
		"example.com/p.Ünïcode":   true,
		"example.com/p.T1":        true,
		"my-mod~v2/p.T":           true,
		"gopkg.in/yaml.v3.Node":   true,
		"_":                       true,
		"p._x":                    true,
		"[]string":                false,
		"map[string]int":          false,
		"func(int) int":           false,
		"example.com/p.List[int]": false,
		"*example.com/p.T":        false,
		"":                        false,
		".":                       false,
		"p.":                      false,
		".T":                      false,
		"p.1T":                    false,
		"1T":                      false,
		"a b.T":                   false,
		"é/p.T":                   false,
		"p..T":                    true, // as the expression: a path may hold dots
		"struct { main.base }":    false,
	} {
		if got := IsDefinedTypeName(s); got != want || got != spec.MatchString(s) {
			t.Errorf("IsDefinedTypeName(%q) = %v, want %v (the expression says %v)", s, got, want, spec.MatchString(s))
		}
	}
}

package contract

import "testing"

func TestIsConvention(t *testing.T) {
	const api = "example.com/app/api"
	conv := Default(api)
	declared := &Contract{Entries: []Entry{{Symbol: "New", Types: []string{"func() " + api + ".Plugin"}, Sources: []Source{{Kind: "declared"}}}}}
	other := &Contract{Entries: []Entry{{Symbol: "Handler", Types: []string{"func() int"}}}}
	wrongType := &Contract{Entries: []Entry{{Symbol: "New", Types: []string{"func() int"}}}}
	otherAPI := Default("example.com/other/api")
	for _, tc := range []struct {
		name string
		c    *Contract
		want bool
	}{
		{"nil", nil, true},
		{"default", conv, true},
		{"declared like the convention", declared, true},
		{"own symbol", other, false},
		{"convention symbol, other type", wrongType, false},
		{"another API package", otherAPI, false},
		{"empty", &Contract{}, false},
		{"unresolved lookups", &Contract{Entries: conv.Entries, Unresolved: []Unresolved{{}}}, false},
	} {
		if got := tc.c.IsConvention(api); got != tc.want {
			t.Errorf("%s: IsConvention = %v, want %v", tc.name, got, tc.want)
		}
	}
}

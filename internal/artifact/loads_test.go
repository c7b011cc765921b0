package artifact

import (
	"strings"
	"testing"
)

func TestCannotLoadPlugins(t *testing.T) {
	fx := fixtures(t)
	tests := []struct {
		path, want string // want: a substring of the reason, "" for none
	}{
		{fx.Host, ""},
		{fx.HostPIE, ""},
		{fx.HostStatic, "CGO_ENABLED=0"},
		{fx.ExeFreeBSD, "CGO_ENABLED=0"}, // another platform: the same verdict
		{fx.Plugin, ""},                  // not a host: nothing to say
	}
	for _, tt := range tests {
		f, err := Read(tt.path)
		if err != nil {
			t.Fatal(err)
		}
		got := f.CannotLoadPlugins()
		if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
			t.Errorf("%s: CannotLoadPlugins() = %q, want %q", tt.path, got, tt.want)
		}
	}
}

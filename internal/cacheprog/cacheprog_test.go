package cacheprog

import (
	"slices"
	"testing"
)

func TestSplit(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
		err  bool
	}{
		{"go-cacher", []string{"go-cacher"}, false},
		{"  /bin/go-cacher --verbose  --cache-dir /tmp/x ", []string{"/bin/go-cacher", "--verbose", "--cache-dir", "/tmp/x"}, false},
		{`'/opt/my cacher' "--dir=/a b"`, []string{"/opt/my cacher", "--dir=/a b"}, false},
		{`'unterminated`, nil, true},
		{`'a'b`, nil, true},
		{"   ", nil, true},
	} {
		got, err := Split(tc.in)
		if (err != nil) != tc.err || !slices.Equal(got, tc.want) {
			t.Errorf("Split(%q) = %q, %v; want %q, error %v", tc.in, got, err, tc.want, tc.err)
		}
	}
}

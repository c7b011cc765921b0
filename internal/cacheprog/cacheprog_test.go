package cacheprog

import (
	"bufio"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestMain runs the test binary as a cache program when
// CACHEPROG_TEST_DIR is set: it keeps bodies in that folder by action ID.
func TestMain(m *testing.M) {
	if dir := os.Getenv("CACHEPROG_TEST_DIR"); dir != "" {
		fakeProgram(dir)
		return
	}
	os.Exit(m.Run())
}

func fakeProgram(dir string) {
	enc := json.NewEncoder(os.Stdout)
	enc.Encode(response{KnownCommands: []string{"get", "put", "close"}})
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(nil, 1<<24)
	for in.Scan() {
		var req request
		json.Unmarshal(in.Bytes(), &req)
		path := filepath.Join(dir, hex.EncodeToString(req.ActionID))
		r := response{ID: req.ID}
		switch req.Command {
		case "put":
			var body []byte
			if req.BodySize > 0 && in.Scan() {
				var b64 string
				json.Unmarshal(in.Bytes(), &b64)
				body, _ = base64.StdEncoding.DecodeString(b64)
			}
			os.WriteFile(path, body, 0o644)
		case "get":
			if _, err := os.Stat(path); err != nil {
				r.Miss = true
			} else {
				r.DiskPath = path
			}
		case "close":
			enc.Encode(r)
			return
		}
		enc.Encode(r)
	}
}

// TestStore: a put is got back, a miss is a miss, and Close stops the
// program without a failure; a program that cannot start makes every Get
// miss and Close report why.
func TestStore(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	s := NewStore(exe, append(os.Environ(), "CACHEPROG_TEST_DIR="+dir))
	src := filepath.Join(t.TempDir(), "artifact")
	os.WriteFile(src, []byte("the artifact's bytes"), 0o755)
	if p := s.Get(Key("artifact", "x")); p != "" {
		t.Errorf("Get before Put = %q", p)
	}
	s.Put(Key("artifact", "x"), src)
	p := s.Get(Key("artifact", "x"))
	if data, err := os.ReadFile(p); err != nil || string(data) != "the artifact's bytes" {
		t.Errorf("Get after Put = %q: %q, %v", p, data, err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}

	bad := NewStore(filepath.Join(t.TempDir(), "no-such-program"), nil)
	bad.Put(Key("artifact", "x"), src)
	if p := bad.Get(Key("artifact", "x")); p != "" {
		t.Errorf("Get from a program that did not start = %q", p)
	}
	if err := bad.Close(); err == nil || !strings.Contains(err.Error(), "no-such-program") {
		t.Errorf("Close of a program that did not start = %v", err)
	}
	if NewStore("off", nil) != nil || NewStore("", nil) != nil {
		t.Error("GOCACHEPROG=off or unset gives a store")
	}
}

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

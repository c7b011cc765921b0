package cli

import (
	"slices"
	"strings"
	"sync"
	"testing"
)

func TestNormalize(t *testing.T) {
	app := newApp(IO{})
	tests := []struct {
		args []string
		want string // joined by spaces; "error: ..." for an error's start
	}{
		{[]string{"check", "./...", "--format", "github"}, "check --format github -- ./..."},
		{[]string{"check", "./...", "--format=github", "-o", "out", "./x"}, "check --format=github -o out -- ./... ./x"},
		{[]string{"build", "--race", "./..."}, "build --race -- ./..."},
		{[]string{"build", "./...", "--trimpath=false"}, "build --trimpath=false -- ./..."},
		{[]string{"verify", "a.so", "--static", "b.so"}, "verify --static -- a.so b.so"},
		{[]string{"inspect", "--", "--format"}, "inspect -- --format"},
		{[]string{"inspect", "x", "--", "-y"}, "inspect -- x -y"},
		{[]string{"vet", "./...", "--help"}, "vet --help -- ./..."},
		{[]string{"diff", "-", "b"}, "diff -- - b"},
		{[]string{"version"}, "version"},
		{[]string{"--version"}, "--version"},
		{[]string{"help", "check"}, "help check"},
		{[]string{"chek"}, `error: unknown command "chek"; did you mean "check"?`},
		{[]string{"zzzzzz"}, `error: unknown command "zzzzzz"` + "\n"},
		{[]string{"help", "bogus"}, "help bogus"}, // help names the closest command or topic
		{[]string{"check", "--fromat", "json"}, "error: flag provided but not defined: --fromat; did you mean --format?"},
		{[]string{"check", "--jbos=2"}, "error: flag provided but not defined: --jbos; did you mean --jobs?"},
		{[]string{"verify", "x.so", "--timeout"}, "error: flag needs an argument: --timeout"},
	}
	for _, tt := range tests {
		got, err := normalize(app, tt.args)
		s := strings.Join(got, " ")
		if err != nil {
			s = "error: " + err.Error()
		}
		if !strings.HasPrefix(s+"\n", tt.want) && s != tt.want {
			t.Errorf("normalize(%q) = %q, want %q", tt.args, s, tt.want)
		}
	}
}

func TestClosest(t *testing.T) {
	names := []string{"build", "verify", "check", "vet", "contract", "inspect", "diff", "version", "completion"}
	for in, want := range map[string]string{"biuld": "build", "vrify": "verify", "vett": "vet", "contracts": "contract", "xyzzy": "", "complete": "completion"} {
		if got := closest(in, names); got != want {
			t.Errorf("closest(%q) = %q, want %q", in, got, want)
		}
	}
	if got := slices.Index(names, closest("diff", names)); got != 6 {
		t.Errorf("exact name not found first")
	}
}

func TestWriteJSON(t *testing.T) {
	type doc struct {
		A int `json:"a"`
	}
	for _, tt := range []struct {
		v    any
		want string
	}{
		{struct {
			Schema string `json:"schema"`
			*doc
		}{"s/v1", &doc{1}}, "{\n  \"schema\": \"s/v1\",\n  \"a\": 1\n}\n"},
		{struct {
			Schema string `json:"schema"`
		}{"s/v1"}, "{\n  \"schema\": \"s/v1\"\n}\n"},
	} {
		var b strings.Builder
		if err := writeJSON(&b, tt.v); err != nil {
			t.Fatal(err)
		}
		if b.String() != tt.want {
			t.Errorf("writeJSON(%+v) = %q, want %q", tt.v, b.String(), tt.want)
		}
	}
}

func TestStatus(t *testing.T) {
	var b syncBuffer
	s := startStatus(&b, "verifying 3 plugins")
	s.end()
	got := b.String()
	if !strings.HasPrefix(got, "\r\033[Kverifying 3 plugins … 0 s") || !strings.HasSuffix(got, "\r\033[K") {
		t.Errorf("status line %q", got)
	}
	var none *status
	none.end() // a no-op
	if startStatus(nil, "x") != nil {
		t.Error("a status without a terminal")
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

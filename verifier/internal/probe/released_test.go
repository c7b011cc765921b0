package probe

import (
	"strings"
	"testing"
)

func TestBlamedImports(t *testing.T) {
	imports := []string{"example.com/gone", "example.com/gone/sub", "net/http", "github.com/x/y"}
	stderr := strings.Join([]string{
		`main.go:12:2: no required module provides package example.com/gone; to add it:`,
		`main.go:14:2: package github.com/x/y is not in std (/usr/local/go/src/github.com/x/y)`,
		`main.go:15:2: something about "net/http"`,
	}, "\n")
	got := blamedImports(stderr, imports)
	for _, want := range []string{"example.com/gone", "github.com/x/y", "net/http"} {
		if got[want] == "" {
			t.Errorf("%s not blamed: %v", want, got)
		}
	}
	if _, ok := got["example.com/gone/sub"]; ok {
		t.Errorf("a prefix of a blamed import is blamed too: %v", got)
	}
	if len(blamedImports("main.go:3: syntax error", imports)) != 0 {
		t.Error("an error naming no import blames one")
	}
}

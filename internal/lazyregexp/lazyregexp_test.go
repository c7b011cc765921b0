package lazyregexp

import "testing"

func TestNew(t *testing.T) {
	re := New(`^a+$`)
	if re() != re() {
		t.Error("New compiled its expression twice")
	}
	if !re().MatchString("aaa") || re().MatchString("ab") {
		t.Error("the compiled expression does not match as regexp does")
	}
	defer func() {
		if recover() == nil {
			t.Error("an invalid expression did not panic on first use")
		}
	}()
	bad := New(`(`) // no panic yet: nothing is compiled until the first call
	bad()
}

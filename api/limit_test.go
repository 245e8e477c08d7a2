package api

import "testing"

func TestLimiter(t *testing.T) {
	l := newLimiter()
	for i := range 5 {
		if !l.allow("a", 5) {
			t.Fatalf("request %d of 5 refused", i+1)
		}
	}
	if l.allow("a", 5) {
		t.Fatal("a sixth request within the minute was let through")
	}
	if !l.allow("b", 5) {
		t.Fatal("another caller was refused")
	}
}

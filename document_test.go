package sohoa

import (
	"testing"
	"time"
)

func TestNewIDSortsByTime(t *testing.T) {
	t0 := time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC)
	prev := NewID(t0)
	for i := 1; i < 50; i++ {
		id := NewID(t0.Add(time.Duration(i) * time.Millisecond))
		if !ValidID(id) {
			t.Fatalf("invalid id %q", id)
		}
		if id <= prev {
			t.Fatalf("id %q not after %q", id, prev)
		}
		prev = id
	}
	if ValidID("../../etc/passwd") || ValidID("") {
		t.Fatal("ValidID accepted a path")
	}
}

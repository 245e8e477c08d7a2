// Package storetest is the conformance suite every blob store backend runs:
// Test(t, newStore) checks the whole store.Store contract.
package storetest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"

	"sohoa"
	"sohoa/store"
)

// Test runs the suite against stores made by newStore, each empty.
func Test(t *testing.T, newStore func(t *testing.T) store.Store) {
	ctx := context.Background()

	t.Run("PutGetRoundTrip", func(t *testing.T) {
		s := newStore(t)
		want := []byte("Sở Giáo dục và Đào tạo\x00\xff binary")
		mustPut(t, s, "documents/A/manifest.json", want)
		if got := mustGet(t, s, "documents/A/manifest.json"); !bytes.Equal(got, want) {
			t.Fatalf("got %q, want %q", got, want)
		}
		info, err := s.Stat(ctx, "documents/A/manifest.json")
		if err != nil || info.Size != int64(len(want)) {
			t.Fatalf("Stat = %+v, %v; want size %d", info, err, len(want))
		}
	})

	t.Run("UnknownSize", func(t *testing.T) {
		s := newStore(t)
		want := bytes.Repeat([]byte("trang "), 10000)
		if err := s.Put(ctx, "k/unknown", io.MultiReader(bytes.NewReader(want)), -1); err != nil {
			t.Fatal(err)
		}
		if got := mustGet(t, s, "k/unknown"); !bytes.Equal(got, want) {
			t.Fatalf("got %d bytes, want %d", len(got), len(want))
		}
	})

	t.Run("Overwrite", func(t *testing.T) {
		s := newStore(t)
		mustPut(t, s, "k", []byte("first version, longer"))
		mustPut(t, s, "k", []byte("second"))
		if got := mustGet(t, s, "k"); string(got) != "second" {
			t.Fatalf("got %q after overwrite", got)
		}
	})

	t.Run("MissingIsNotFound", func(t *testing.T) {
		s := newStore(t)
		if _, err := s.Get(ctx, "nothing/here"); !sohoa.IsNotFound(err) {
			t.Fatalf("Get missing: %v, want not_found", err)
		}
		if _, err := s.Stat(ctx, "nothing/here"); !sohoa.IsNotFound(err) {
			t.Fatalf("Stat missing: %v, want not_found", err)
		}
		if err := s.Delete(ctx, "nothing/here"); err != nil {
			t.Fatalf("Delete missing: %v", err)
		}
	})

	t.Run("Delete", func(t *testing.T) {
		s := newStore(t)
		mustPut(t, s, "a/b", []byte("x"))
		if err := s.Delete(ctx, "a/b"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Get(ctx, "a/b"); !sohoa.IsNotFound(err) {
			t.Fatalf("Get after delete: %v", err)
		}
	})

	t.Run("ListPrefix", func(t *testing.T) {
		s := newStore(t)
		keys := []string{"documents/01A/manifest.json", "documents/01A/pages/1/ocr.json",
			"documents/01B/manifest.json", "documents-other/x", "originals/sha256/ab"}
		for _, k := range keys {
			mustPut(t, s, k, []byte(k))
		}
		got := list(t, s, "documents/")
		want := []string{"documents/01A/manifest.json", "documents/01A/pages/1/ocr.json", "documents/01B/manifest.json"}
		if !slices.Equal(got, want) {
			t.Fatalf("List(documents/) = %q, want %q", got, want)
		}
		if got := list(t, s, "documents/01B"); !slices.Equal(got, want[2:]) {
			t.Fatalf("List(documents/01B) = %q", got)
		}
		if got := list(t, s, ""); len(got) != len(keys) {
			t.Fatalf("List(\"\") = %q, want all %d keys", got, len(keys))
		}
		if got := list(t, s, "nothing/"); len(got) != 0 {
			t.Fatalf("List(nothing/) = %q", got)
		}
		stop := errors.New("stop")
		n := 0
		err := s.List(ctx, "documents/", func(string) error { n++; return stop })
		if !errors.Is(err, stop) || n != 1 {
			t.Fatalf("List did not stop at fn's error: n=%d err=%v", n, err)
		}
	})

	t.Run("RejectsBadKeys", func(t *testing.T) {
		s := newStore(t)
		for _, k := range []string{"", "/abs", "a/../b", "../x", "a//b", "a/"} {
			if err := s.Put(ctx, k, strings.NewReader("x"), 1); sohoa.ErrorCode(err) != sohoa.EINVALID {
				t.Errorf("Put(%q) = %v, want invalid", k, err)
			}
		}
	})

	t.Run("PutVerified", func(t *testing.T) {
		s := newStore(t)
		data := []byte("bản gốc")
		sum := sha256.Sum256(data)
		key := store.OriginalKey(hex.EncodeToString(sum[:]))
		if err := store.PutVerified(ctx, s, key, bytes.NewReader(data), int64(len(data)), hex.EncodeToString(sum[:])); err != nil {
			t.Fatal(err)
		}
		bad := store.OriginalKey(strings.Repeat("0", 64))
		err := store.PutVerified(ctx, s, bad, bytes.NewReader(data), int64(len(data)), strings.Repeat("0", 64))
		if !errors.Is(err, store.ErrDigestMismatch) {
			t.Fatalf("PutVerified with a wrong digest: %v, want ErrDigestMismatch", err)
		}
		if _, err := s.Stat(ctx, bad); !sohoa.IsNotFound(err) {
			t.Fatalf("a blob with a wrong digest was committed: %v", err)
		}
	})

	t.Run("FailingReaderCommitsNothing", func(t *testing.T) {
		s := newStore(t)
		mustPut(t, s, "k", []byte("old"))
		r := io.MultiReader(strings.NewReader("new partial"), errReader{})
		if err := s.Put(ctx, "k", r, 100); err == nil {
			t.Fatal("Put with a failing reader succeeded")
		}
		if got := mustGet(t, s, "k"); string(got) != "old" {
			t.Fatalf("after a failed put got %q, want the old bytes", got)
		}
	})

	t.Run("Concurrent", func(t *testing.T) {
		s := newStore(t)
		var wg sync.WaitGroup
		errs := make(chan error, 16)
		for i := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				data := bytes.Repeat([]byte{byte('a' + i)}, 4096)
				if err := s.Put(ctx, "same/key", bytes.NewReader(data), int64(len(data))); err != nil {
					errs <- err
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		got := mustGet(t, s, "same/key")
		if len(got) != 4096 || bytes.Count(got, got[:1]) != 4096 {
			t.Fatalf("concurrent puts left a mixed blob")
		}
	})
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("disk on fire") }

func mustPut(t *testing.T, s store.Store, key string, data []byte) {
	t.Helper()
	if err := s.Put(context.Background(), key, bytes.NewReader(data), int64(len(data))); err != nil {
		t.Fatalf("Put(%q): %v", key, err)
	}
}

func mustGet(t *testing.T, s store.Store, key string) []byte {
	t.Helper()
	rc, err := s.Get(context.Background(), key)
	if err != nil {
		t.Fatalf("Get(%q): %v", key, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("read %q: %v", key, err)
	}
	return b
}

func list(t *testing.T, s store.Store, prefix string) []string {
	t.Helper()
	var keys []string
	if err := s.List(context.Background(), prefix, func(k string) error { keys = append(keys, k); return nil }); err != nil {
		t.Fatalf("List(%q): %v", prefix, err)
	}
	slices.Sort(keys)
	return keys
}

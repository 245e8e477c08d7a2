// Package storetest is the conformance suite every blob store backend runs:
// Test(t, newStore) checks the whole store.Store contract.
package storetest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"sohoa"
	"sohoa/store"
)

// Test runs the suite against stores made by newStore, each empty.
func Test(t *testing.T, newStore func(t *testing.T) store.Store) {
	for _, c := range []struct {
		name string
		test func(t *testing.T, s store.Store)
	}{
		{"PutGetRoundTrip", testPutGetRoundTrip},
		{"UnknownSize", testUnknownSize},
		{"Overwrite", testOverwrite},
		{"MissingIsNotFound", testMissingIsNotFound},
		{"Delete", testDelete},
		{"ListPrefix", testListPrefix},
		{"RejectsBadKeys", testRejectsBadKeys},
		{"PutVerified", testPutVerified},
		{"FailingReaderCommitsNothing", testFailingReaderCommitsNothing},
		{"SwapCreatesOnce", testSwapCreatesOnce},
		{"SwapRefusesALostUpdate", testSwapRefusesALostUpdate},
		{"UpdateUnderContention", testUpdateUnderContention},
		{"Concurrent", testConcurrent},
	} {
		t.Run(c.name, func(t *testing.T) { c.test(t, newStore(t)) })
	}
}

func testPutGetRoundTrip(t *testing.T, s store.Store) {
	ctx := context.Background()
	want := []byte("Sở Giáo dục và Đào tạo\x00\xff binary")
	mustPut(t, s, "documents/A/manifest.json", want)
	if got := mustGet(t, s, "documents/A/manifest.json"); !bytes.Equal(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	info, err := s.Stat(ctx, "documents/A/manifest.json")
	if err != nil || info.Size != int64(len(want)) {
		t.Fatalf("Stat = %+v, %v; want size %d", info, err, len(want))
	}
}

func testUnknownSize(t *testing.T, s store.Store) {
	ctx := context.Background()
	want := bytes.Repeat([]byte("trang "), 10000)
	if err := s.Put(ctx, "k/unknown", io.MultiReader(bytes.NewReader(want)), -1); err != nil {
		t.Fatal(err)
	}
	if got := mustGet(t, s, "k/unknown"); !bytes.Equal(got, want) {
		t.Fatalf("got %d bytes, want %d", len(got), len(want))
	}
}

func testOverwrite(t *testing.T, s store.Store) {
	mustPut(t, s, "k", []byte("first version, longer"))
	mustPut(t, s, "k", []byte("second"))
	if got := mustGet(t, s, "k"); string(got) != "second" {
		t.Fatalf("got %q after overwrite", got)
	}
}

func testMissingIsNotFound(t *testing.T, s store.Store) {
	ctx := context.Background()
	if _, err := s.Get(ctx, "nothing/here"); !sohoa.IsNotFound(err) {
		t.Fatalf("Get missing: %v, want not_found", err)
	}
	if _, err := s.Stat(ctx, "nothing/here"); !sohoa.IsNotFound(err) {
		t.Fatalf("Stat missing: %v, want not_found", err)
	}
	if err := s.Delete(ctx, "nothing/here"); err != nil {
		t.Fatalf("Delete missing: %v", err)
	}
}

func testDelete(t *testing.T, s store.Store) {
	ctx := context.Background()
	mustPut(t, s, "a/b", []byte("x"))
	if err := s.Delete(ctx, "a/b"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, "a/b"); !sohoa.IsNotFound(err) {
		t.Fatalf("Get after delete: %v", err)
	}
}

func testListPrefix(t *testing.T, s store.Store) {
	ctx := context.Background()
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
}

func testRejectsBadKeys(t *testing.T, s store.Store) {
	ctx := context.Background()
	for _, k := range []string{"", "/abs", "a/../b", "../x", "a//b", "a/"} {
		if err := s.Put(ctx, k, strings.NewReader("x"), 1); sohoa.ErrorCode(err) != sohoa.EINVALID {
			t.Errorf("Put(%q) = %v, want invalid", k, err)
		}
	}
}

func testPutVerified(t *testing.T, s store.Store) {
	ctx := context.Background()
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
}

func testFailingReaderCommitsNothing(t *testing.T, s store.Store) {
	ctx := context.Background()
	mustPut(t, s, "k", []byte("old"))
	r := io.MultiReader(strings.NewReader("new partial"), errReader{})
	if err := s.Put(ctx, "k", r, 100); err == nil {
		t.Fatal("Put with a failing reader succeeded")
	}
	if got := mustGet(t, s, "k"); string(got) != "old" {
		t.Fatalf("after a failed put got %q, want the old bytes", got)
	}
}

func testSwapCreatesOnce(t *testing.T, s store.Store) {
	ctx := context.Background()
	v1, err := s.Swap(ctx, "m/manifest.json", []byte("one"), store.Absent)
	if err != nil || v1 == store.Absent {
		t.Fatalf("Swap on a new key = %q, %v", v1, err)
	}
	if _, err := s.Swap(ctx, "m/manifest.json", []byte("two"), store.Absent); !errors.Is(err, store.ErrChanged) {
		t.Fatalf("a second create: %v, want ErrChanged", err)
	}
	if got := mustGet(t, s, "m/manifest.json"); string(got) != "one" {
		t.Fatalf("a refused create wrote %q", got)
	}
	if _, err := s.Swap(ctx, "m/other.json", []byte("x"), v1); !errors.Is(err, store.ErrChanged) {
		t.Fatalf("Swap of a missing key from a version: %v, want ErrChanged", err)
	}
	if _, _, err := s.Load(ctx, "m/nothing.json"); !sohoa.IsNotFound(err) {
		t.Fatalf("Load missing: %v, want not_found", err)
	}
}

func testSwapRefusesALostUpdate(t *testing.T, s store.Store) {
	ctx := context.Background()
	if _, err := s.Swap(ctx, "k", []byte("rev 1"), store.Absent); err != nil {
		t.Fatal(err)
	}
	data, v, err := s.Load(ctx, "k")
	if err != nil || string(data) != "rev 1" {
		t.Fatalf("Load = %q, %v", data, err)
	}
	v2, err := s.Swap(ctx, "k", []byte("rev 2 by A"), v)
	if err != nil || v2 == v {
		t.Fatalf("Swap from the version read = %q, %v (old %q)", v2, err, v)
	}
	// B read rev 1 too: its write must not land over A's.
	if _, err := s.Swap(ctx, "k", []byte("rev 2 by B"), v); !errors.Is(err, store.ErrChanged) {
		t.Fatalf("Swap from a stale version: %v, want ErrChanged", err)
	}
	data, v3, _ := s.Load(ctx, "k")
	if string(data) != "rev 2 by A" || v3 != v2 {
		t.Fatalf("after a refused swap: %q at %q, want A's at %q", data, v3, v2)
	}
}

func testUpdateUnderContention(t *testing.T, s store.Store) {
	ctx := context.Background()
	const writers, each = 8, 10
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := Increment(ctx, s, "counter.json", fmt.Sprintf("g%d", w), each); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	CheckCounter(t, s, "counter.json", writers*each)
}

func testConcurrent(t *testing.T, s store.Store) {
	ctx := context.Background()
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
}

// Counter is what Increment keeps at its key: every increment, by whom.
type Counter struct {
	N   int      `json:"n"`
	Log []string `json:"log"`
}

// Increment adds one to the counter at key n times through store.Update,
// as writer; with several writers, processes or goroutines, none may be lost.
func Increment(ctx context.Context, s store.Swapper, key, writer string, n int) error {
	for i := range n {
		_, err := store.UpdateJSON(ctx, s, key, func(c *Counter, _ bool) error {
			c.N++
			c.Log = append(c.Log, fmt.Sprintf("%s#%d", writer, i))
			return nil
		})
		if err != nil {
			return fmt.Errorf("%s, increment %d: %w", writer, i, err)
		}
	}
	return nil
}

// CheckCounter fails t unless the counter at key counts want, each
// increment once.
func CheckCounter(t *testing.T, s store.Store, key string, want int) {
	t.Helper()
	var c Counter
	if err := store.GetJSON(context.Background(), s, key, &c); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, e := range c.Log {
		if seen[e] {
			t.Fatalf("increment %s counted twice", e)
		}
		seen[e] = true
	}
	if c.N != want || len(c.Log) != want {
		t.Fatalf("counter at %d with %d increments logged, want %d: updates were lost", c.N, len(c.Log), want)
	}
}

// RaceEnv, when set in a test binary's environment, makes its
// TestRaceChild a writer of RaceProcesses: the value is the writer's name.
const RaceEnv = "SOHOA_STORETEST_RACE"

// RaceProcesses starts two copies of the running test binary, each running
// its TestRaceChild (which calls Increment(key, n) on the same store with
// the environment given), and checks that no increment was lost.
func RaceProcesses(t *testing.T, s store.Store, key string, n int, env ...string) {
	t.Helper()
	var wg sync.WaitGroup
	outs := make([][]byte, 2)
	errs := make([]error, 2)
	for i := range 2 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestRaceChild$", "-test.count=1")
		cmd.Env = append(append(os.Environ(), env...), fmt.Sprintf("%s=process-%d", RaceEnv, i),
			"SOHOA_STORETEST_KEY="+key, fmt.Sprintf("SOHOA_STORETEST_N=%d", n))
		wg.Add(1)
		go func() {
			defer wg.Done()
			outs[i], errs[i] = cmd.CombinedOutput()
		}()
	}
	wg.Wait()
	for i := range 2 {
		if errs[i] != nil {
			t.Fatalf("writer process %d: %v\n%s", i, errs[i], outs[i])
		}
	}
	CheckCounter(t, s, key, 2*n)
}

// RaceChild is the body of a TestRaceChild: it increments when run by
// RaceProcesses and skips otherwise.
func RaceChild(t *testing.T, open func() store.Store) {
	writer := os.Getenv(RaceEnv)
	if writer == "" {
		t.Skip("run by RaceProcesses")
	}
	n, _ := strconv.Atoi(os.Getenv("SOHOA_STORETEST_N"))
	if err := Increment(context.Background(), open(), os.Getenv("SOHOA_STORETEST_KEY"), writer, n); err != nil {
		t.Fatal(err)
	}
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

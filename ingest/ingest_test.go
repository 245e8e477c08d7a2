package ingest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"sohoa"
	"sohoa/catalog"
	"sohoa/ingest/scan"
	"sohoa/search"
	"sohoa/store"
	"sohoa/store/fs"
)

// fakeRecognizer stands in for Tesseract in this package's unit tests; the
// real engine is exercised in ingest/ocr and end to end in cmd/sohoa.
type fakeRecognizer struct{ calls *atomic.Int64 }

func (f fakeRecognizer) Recognize(img []byte) (*sohoa.PageText, error) {
	f.calls.Add(1)
	return &sohoa.PageText{Text: "Họ và tên: Đỗ Thị Dung", Confidence: 90, Words: []sohoa.Word{{Text: "Dung"}}}, nil
}
func (fakeRecognizer) Close() error { return nil }

// flakyStore fails the first failures page reads with an error that is
// not the store's (a bug, a file the store cannot give); while away is
// set, it fails everything as a store that is unreachable.
type flakyStore struct {
	store.Store
	mu       sync.Mutex
	failures int
	away     bool
}

func (f *flakyStore) fail(key string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.away {
		return store.Unavailable("get", key, errors.New("dial tcp 127.0.0.1:9000: connect: connection refused"))
	}
	if strings.HasPrefix(key, "originals/") && f.failures > 0 {
		f.failures--
		return errors.New("unexpected answer")
	}
	return nil
}

func (f *flakyStore) setAway(v bool) { f.mu.Lock(); f.away = v; f.mu.Unlock() }

func (f *flakyStore) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	if err := f.fail(key); err != nil {
		return nil, err
	}
	return f.Store.Get(ctx, key)
}

func (f *flakyStore) Stat(ctx context.Context, key string) (store.Info, error) {
	if err := f.fail("stat"); err != nil {
		return store.Info{}, err
	}
	return f.Store.Stat(ctx, key)
}

func (f *flakyStore) Load(ctx context.Context, key string) ([]byte, store.Version, error) {
	if err := f.fail("load"); err != nil {
		return nil, store.Absent, err
	}
	return f.Store.Load(ctx, key)
}

func (f *flakyStore) Swap(ctx context.Context, key string, data []byte, old store.Version) (store.Version, error) {
	if err := f.fail("swap"); err != nil {
		return store.Absent, err
	}
	return f.Store.Swap(ctx, key, data, old)
}

func (f *flakyStore) Put(ctx context.Context, key string, r io.Reader, size int64) error {
	if err := f.fail("put"); err != nil {
		return err
	}
	return f.Store.Put(ctx, key, r, size)
}

func newService(t *testing.T, failures, maxAttempts int) (*Service, *catalog.DB, *atomic.Int64) {
	svc, db, calls, _ := newServiceStore(t, failures, maxAttempts)
	return svc, db, calls
}

func newServiceStore(t *testing.T, failures, maxAttempts int) (*Service, *catalog.DB, *atomic.Int64, *flakyStore) {
	t.Helper()
	dir := t.TempDir()
	base, err := fs.Open(filepath.Join(dir, "store"))
	if err != nil {
		t.Fatal(err)
	}
	db, err := catalog.Open(filepath.Join(dir, "catalog.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	idx, err := search.Open(filepath.Join(dir, "index"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { idx.Close() })
	calls := &atomic.Int64{}
	fs := &flakyStore{Store: base, failures: failures}
	svc := New(fs, db, idx, slog.New(slog.NewTextHandler(io.Discard, nil)), Config{
		TempDir: dir, Workers: 2, MaxAttempts: maxAttempts, RetryBase: 10 * time.Millisecond, StoreProbe: 10 * time.Millisecond,
		NewRecognizer: func() (Recognizer, error) { return fakeRecognizer{calls}, nil },
	})
	return svc, db, calls, fs
}

var clerk = &sohoa.Principal{UserID: "U1", Username: "vt.sgd", Role: sohoa.RoleClerk, UnitID: "SGD", UnitPath: "/SGD/"}

func accept(t *testing.T, svc *Service) *sohoa.Document {
	t.Helper()
	png, err := os.ReadFile("../testdata/pages/d4-bang-dung.png")
	if err != nil {
		t.Fatal(err)
	}
	f, err := svc.Spool(bytes.NewReader(png), "C:\\scans\\dung.png")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Remove()
	if f.Name != "dung.png" {
		t.Errorf("file name %q, want the base name", f.Name)
	}
	d, err := svc.Accept(context.Background(), &Upload{Title: "  Bằng   tốt nghiệp ", Files: []*File{f}, UnitID: "SGD", UnitPath: "/SGD/", By: clerk})
	if err != nil {
		t.Fatal(err)
	}
	if d.Title != "Bằng tốt nghiệp" {
		t.Errorf("title %q", d.Title)
	}
	return d
}

func waitStatus(t *testing.T, db *catalog.DB, id string) *sohoa.Document {
	t.Helper()
	// Bounded by time, not by tries: under -race beside the end-to-end
	// tests on two cores, 500 tries of 10 ms took 9 s.
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		d, err := db.Document(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if d.Status == sohoa.StatusReady || d.Status == sohoa.StatusFailed {
			return d
		}
	}
	t.Fatal("document not done in 30 s")
	return nil
}

func run(t *testing.T, svc *Service) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- svc.Run(ctx, nil) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
}

func TestPassingStoreFailureIsRetried(t *testing.T) {
	svc, db, calls := newService(t, 2, 5)
	d := accept(t, svc)
	run(t, svc)
	got := waitStatus(t, db, d.ID)
	if got.Status != sohoa.StatusReady || got.Pages[0].OCRConfidence == nil || *got.Pages[0].OCRConfidence != 90 {
		t.Fatalf("after two store failures: %+v", got)
	}
	if n := calls.Load(); n != 1 {
		t.Fatalf("page recognised %d times, want once", n)
	}
	m, err := svc.Manifest(context.Background(), d.ID)
	if err != nil {
		t.Fatal(err)
	}
	var statuses []sohoa.Status
	for _, h := range m.History {
		statuses = append(statuses, h.Status)
	}
	if got := fmtStatuses(statuses); got != "[queued processing ready]" {
		t.Fatalf("history %s, want [queued processing ready]", got)
	}
}

func fmtStatuses(s []sohoa.Status) string {
	var b []string
	for _, x := range s {
		b = append(b, string(x))
	}
	return "[" + strings.Join(b, " ") + "]"
}

func TestFailureThatOutlastsRetriesFailsTheDocument(t *testing.T) {
	svc, db, calls := newService(t, 100, 3)
	d := accept(t, svc)
	run(t, svc)
	got := waitStatus(t, db, d.ID)
	if got.Status != sohoa.StatusFailed || got.Error == "" {
		t.Fatalf("a page that cannot be had: %+v", got)
	}
	if strings.Contains(got.Error, "unexpected answer") {
		t.Errorf("the clerk is shown an internal cause: %q", got.Error)
	}
	if calls.Load() != 0 {
		t.Fatal("recognised a page it could not read")
	}
	// The job goes once the outcome is written, a moment after the
	// document shows it (a job outlives its outcome, never the reverse).
	n := -1
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if n, _ = db.QueuedJobs(context.Background()); n == 0 {
			break
		}
	}
	if n != 0 {
		t.Fatalf("%d jobs left 5 s after the outcome was written", n)
	}
}

// TestStoreAwayPausesWork: with the store unreachable for longer than all
// attempts would last, nothing fails; OCR says it is paused, and when the
// store is back the document is read without anyone doing anything.
func TestStoreAwayPausesWork(t *testing.T) {
	svc, db, calls, fs := newServiceStore(t, 0, 1)
	d := accept(t, svc)
	fs.setAway(true)
	run(t, svc)
	deadline := time.Now().Add(5 * time.Second)
	for svc.Paused() == nil && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if err := svc.Paused(); err == nil || !strings.Contains(sohoa.ErrorMessage(err), "tạm dừng") {
		t.Fatalf("paused: %v", err)
	}
	time.Sleep(300 * time.Millisecond) // 30 probe periods, 300 retry bases: attempts would be spent
	if got, _ := db.Document(context.Background(), d.ID); got.Status != sohoa.StatusQueued {
		t.Fatalf("with the store away the document went %s", got.Status)
	}
	if n, _ := db.QueuedJobs(context.Background()); n != 1 {
		t.Fatalf("%d jobs while the store is away, want the document's", n)
	}
	fs.setAway(false)
	got := waitStatus(t, db, d.ID)
	if got.Status != sohoa.StatusReady || calls.Load() != 1 {
		t.Fatalf("after the store came back: %s, %d readings", got.Status, calls.Load())
	}
	if err := svc.Paused(); err != nil {
		t.Fatalf("still paused: %v", err)
	}
}

func TestSpoolRefusesBeforeDecoding(t *testing.T) {
	svc, _, _ := newService(t, 0, 1)
	svc.cfg.MaxPixels = 1000 * 1000
	png, _ := os.ReadFile("../testdata/pages/d4-bang-dung.png")
	if _, err := svc.Spool(bytes.NewReader(png), "big.png"); sohoa.ErrorCode(err) != sohoa.ETOOLARGE {
		t.Fatalf("2480×3508 page against a 1 Mpx limit: %v", err)
	}
	if _, err := svc.Spool(strings.NewReader("GIF89a\x01\x00"), "a.png"); sohoa.ErrorCode(err) != sohoa.EUNSUPPORTED {
		t.Fatalf("GIF: %v", err)
	}
	if _, err := svc.Spool(strings.NewReader(""), "a.png"); sohoa.ErrorCode(err) != sohoa.EINVALID {
		t.Fatalf("empty: %v", err)
	}
	left, _ := filepath.Glob(filepath.Join(svc.cfg.TempDir, "upload-*"))
	if len(left) != 0 {
		t.Fatalf("refused uploads left on disk: %v", left)
	}
}

func TestNaturalOrder(t *testing.T) {
	names := []string{"trang10.jpg", "trang2.jpg", "trang1.jpg", "phuluc.jpg", "trang02b.jpg"}
	sort.Slice(names, func(i, j int) bool { return naturalLess(names[i], names[j]) })
	if got := strings.Join(names, " "); got != "phuluc.jpg trang1.jpg trang2.jpg trang02b.jpg trang10.jpg" {
		t.Fatalf("order %s", got)
	}
}

// TestLowResolutionWarnings: a page under 200 dpi is flagged, whether its
// file says so or only its size does.
func TestLowResolutionWarnings(t *testing.T) {
	if w := dpiWarnings(scan.Frame{Width: 1240, Height: 1754, DPI: 150}); len(w) != 1 || !strings.Contains(w[0], "150 dpi") {
		t.Errorf("declared 150 dpi: %q", w)
	}
	if w := dpiWarnings(scan.Frame{Width: 1240, Height: 1754}); len(w) != 1 || !strings.Contains(w[0], "khoảng 150 dpi") {
		t.Errorf("A4 at 150 dpi, none declared: %q", w)
	}
	for _, f := range []scan.Frame{{Width: 2480, Height: 3508}, {Width: 1653, Height: 2339, DPI: 200}, {Width: 3024, Height: 4032, DPI: 72}} {
		if w := dpiWarnings(f); w != nil {
			t.Errorf("%+v: %q", f, w)
		}
	}
}

// gatedRecognizer reads pages one at a time as the test lets it.
type gatedRecognizer struct{ gate chan struct{} }

func (g gatedRecognizer) Recognize(img []byte) (*sohoa.PageText, error) {
	<-g.gate
	return &sohoa.PageText{Text: "trang", Confidence: 90}, nil
}
func (gatedRecognizer) Close() error { return nil }

// TestProgressPageByPage: a clerk watching a three-page document sees it
// read page by page, not 0 of 3 until the end.
func TestProgressPageByPage(t *testing.T) {
	svc, db, _ := newService(t, 0, 1)
	gate := make(chan struct{})
	svc.cfg.Workers = 1
	svc.cfg.NewRecognizer = func() (Recognizer, error) { return gatedRecognizer{gate}, nil }
	png, _ := os.ReadFile("../testdata/pages/d4-bang-dung.png")
	var files []*File
	for i := range 3 {
		f, err := svc.Spool(bytes.NewReader(png), fmt.Sprintf("trang%d.png", i+1))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Remove()
		files = append(files, f)
	}
	d, err := svc.Accept(context.Background(), &Upload{Files: files, UnitID: "SGD", UnitPath: "/SGD/", By: clerk})
	if err != nil {
		t.Fatal(err)
	}
	run(t, svc)
	t.Cleanup(func() { close(gate) }) // before run's: a failed test lets the worker go
	read := func() int {
		n, _ := db.PagesRead(context.Background(), []string{d.ID})
		return n[d.ID]
	}
	for want := 1; want <= 2; want++ {
		gate <- struct{}{}
		deadline := time.Now().Add(5 * time.Second)
		for read() < want && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		if got := read(); got != want {
			t.Fatalf("after %d pages read the catalog says %d", want, got)
		}
	}
	gate <- struct{}{}
	if got := waitStatus(t, db, d.ID); got.Status != sohoa.StatusReady {
		t.Fatalf("%+v", got)
	}
}

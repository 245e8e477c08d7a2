package audit

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"sohoa"
	"sohoa/catalog"
	"sohoa/store"
	"sohoa/store/fs"
)

// downStore refuses writes while down is set, as a store that is away.
type downStore struct {
	store.Store
	mu   sync.Mutex
	down bool
}

func (d *downStore) Put(ctx context.Context, key string, r io.Reader, size int64) error {
	d.mu.Lock()
	down := d.down
	d.mu.Unlock()
	if down {
		return store.Unavailable("put", key, errors.New("connection refused"))
	}
	return d.Store.Put(ctx, key, r, size)
}

func (d *downStore) setDown(v bool) { d.mu.Lock(); d.down = v; d.mu.Unlock() }

func newLog(t *testing.T) (*Log, *catalog.DB, *downStore) {
	t.Helper()
	s, err := fs.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	ds := &downStore{Store: s}
	db := openCatalog(t)
	return New(db, ds, filepath.Join(t.TempDir(), "audit-journal.jsonl"), slog.New(slog.NewTextHandler(io.Discard, nil))), db, ds
}

func openCatalog(t *testing.T) *catalog.DB {
	t.Helper()
	db, err := catalog.Open(filepath.Join(t.TempDir(), "catalog.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func read(doc string) *sohoa.AuditEntry {
	return sohoa.NewAuditEntry(&sohoa.Principal{UserID: "u1", Username: "canbo", UnitID: "SGD", Purpose: "tra cứu", Address: "10.0.0.9"},
		sohoa.ActionRead, doc, "")
}

func storedSeqs(t *testing.T, l *Log) []int64 {
	t.Helper()
	entries, _, problems, err := l.stored(context.Background())
	if err != nil || len(problems) > 0 {
		t.Fatalf("stored: %v %v", err, problems)
	}
	var seqs []int64
	for _, e := range entries {
		seqs = append(seqs, e.Seq)
	}
	return seqs
}

// TestRecordIsInTheStoreWhenItReturns: what a request was answered after
// is in the store, not only in the catalog.
func TestRecordIsInTheStoreWhenItReturns(t *testing.T) {
	l, _, _ := newLog(t)
	ctx := context.Background()
	for i := range 3 {
		e := read(fmt.Sprint("doc", i))
		if err := l.Record(ctx, e); err != nil {
			t.Fatal(err)
		}
		if seqs := storedSeqs(t, l); len(seqs) != i+1 || seqs[i] != e.Seq {
			t.Fatalf("after recording entry %d the store holds %v", e.Seq, seqs)
		}
	}
}

// TestManyAtOnce: requests recorded at once are batched, and none is lost.
func TestManyAtOnce(t *testing.T) {
	l, db, ds := newLog(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 200)
	for i := range 200 {
		wg.Add(1)
		go func() { defer wg.Done(); errs <- l.Record(ctx, read(fmt.Sprint("doc", i))) }()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if seqs := storedSeqs(t, l); len(seqs) != 200 || seqs[199] != 200 {
		t.Fatalf("the store holds %d entries, want 200", len(seqs))
	}
	var batches int
	ds.List(ctx, store.AuditBatchesPrefix, func(string) error { batches++; return nil })
	t.Logf("200 entries in %d batches", batches)
	live, _ := db.Audit(ctx, sohoa.AuditFilter{})
	if p := sohoa.VerifyChain(live, 1, ""); len(p) > 0 {
		t.Fatal(p)
	}
}

// TestStoreAwayThenRebuild: with the store away, entries go to the local
// journal and reads are still served; once it is back the sealer puts them
// in the store, and a catalog rebuilt from the store (and the journal)
// alone has every entry and the reuse ledger.
func TestStoreAwayThenRebuild(t *testing.T) {
	l, db, ds := newLog(t)
	ctx := context.Background()
	l.Record(ctx, read("doc1"))
	fetch := sohoa.NewAuditEntry(&sohoa.Principal{UserID: "sys1", Username: "dvc.tinh", Purpose: "xác minh văn bằng"}, sohoa.ActionVerifiedFetch, "doc1", "")
	fetch.Reuse = &sohoa.Reuse{Procedure: "cap-ban-sao-van-bang", CaseID: "HS-2026-0042", Version: 1, Type: sohoa.TypeVanBang}
	if err := l.Record(ctx, fetch); err != nil {
		t.Fatal(err)
	}
	ds.setDown(true)
	if err := l.Record(ctx, read("doc2")); err != nil {
		t.Fatalf("recording with the store away: %v", err)
	}
	if _, err := l.Seal(ctx); err == nil {
		t.Fatal("sealed with the store away")
	}
	if r, _ := l.Check(ctx); r.Unstored != 0 || len(r.Problems) > 0 || r.Stored != 3 {
		t.Fatalf("check with one entry in the journal: %+v", r)
	}
	// A catalog rebuilt now, with the store still away for writes, has it.
	early := openCatalog(t)
	if n, err := New(early, ds, l.journal.path, l.log).Restore(ctx); err != nil || n != 3 {
		t.Fatalf("restore with an entry in the journal: %d, %v", n, err)
	}
	ds.setDown(false)
	l.Record(ctx, read("doc3"))
	if n, err := l.Seal(ctx); err != nil || n != 4 {
		t.Fatalf("seal: %d, %v", n, err)
	}
	var batches int
	ds.List(ctx, store.AuditBatchesPrefix, func(string) error { batches++; return nil })
	if batches != 0 {
		t.Fatalf("%d batches left after they were sealed", batches)
	}
	if kept, _, _ := l.journal.read(); len(kept) != 0 {
		t.Fatalf("%d entries left in the journal after they were sealed", len(kept))
	}
	l.Record(ctx, read("doc4")) // after the seal: in a batch only

	rebuilt := openCatalog(t)
	l2 := New(rebuilt, ds, filepath.Join(t.TempDir(), "other-journal.jsonl"), l.log)
	if n, err := l2.Restore(ctx); err != nil || n != 5 {
		t.Fatalf("restore: %d, %v; want 5 entries", n, err)
	}
	live, _ := db.Audit(ctx, sohoa.AuditFilter{})
	again, _ := rebuilt.Audit(ctx, sohoa.AuditFilter{})
	if len(again) != len(live) {
		t.Fatalf("rebuilt %d entries of %d", len(again), len(live))
	}
	for i := range live {
		if again[i].Hash != live[i].Hash || again[i].Purpose != live[i].Purpose || again[i].Client != live[i].Client {
			t.Fatalf("entry %d rebuilt as %+v, was %+v", live[i].Seq, again[i], live[i])
		}
	}
	ledger, _ := rebuilt.Reuse(ctx, time.Time{}, time.Time{})
	if len(ledger) != 1 || ledger[0].CaseID != "HS-2026-0042" || ledger[0].Procedure != "cap-ban-sao-van-bang" || ledger[0].Client != "dvc.tinh" {
		t.Fatalf("reuse ledger after rebuild: %+v", ledger)
	}
	if r, err := l2.Check(ctx); err != nil || len(r.Problems) > 0 || r.Unstored != 0 {
		t.Fatalf("check of the rebuilt log: %+v, %v", r, err)
	}
	// The next seal goes on from the restored one.
	l2.Record(ctx, read("doc5"))
	if n, err := l2.Seal(ctx); err != nil || n != 2 {
		t.Fatalf("seal after rebuild: %d, %v; want the 2 entries after the last segment", n, err)
	}
}

// TestWithoutJournalAReadIsRefused: a log without a journal fails the
// request whose entry the store refused.
func TestWithoutJournalAReadIsRefused(t *testing.T) {
	l, _, ds := newLog(t)
	l.journal = journal{}
	ds.setDown(true)
	if err := l.Record(context.Background(), read("doc1")); sohoa.ErrorCode(err) != sohoa.EUNAVAILABLE {
		t.Fatalf("recording with the store away and no journal: %v", err)
	}
}

func TestCheckFindsTampering(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct {
		name   string
		tamper func(t *testing.T, db *catalog.DB, s store.Store)
		want   string
	}{
		{"a stored batch rewritten", func(t *testing.T, db *catalog.DB, s store.Store) {
			var key string
			s.List(ctx, store.AuditBatchesPrefix, func(k string) error {
				if first, _, _ := store.AuditRange(k); first == 2 {
					key = k
				}
				return nil
			})
			b, _ := store.ReadAll(ctx, s, key)
			b = []byte(strings.Replace(string(b), `"username":"canbo"`, `"username":"nobody"`, 1))
			s.Put(ctx, key, strings.NewReader(string(b)), int64(len(b)))
		}, "store: entry 2 was edited"},
		{"a stored batch removed", func(t *testing.T, db *catalog.DB, s store.Store) {
			s.List(ctx, store.AuditBatchesPrefix, func(k string) error {
				if first, _, _ := store.AuditRange(k); first == 2 {
					s.Delete(ctx, k)
				}
				return nil
			})
		}, "store: entries 2 to 2 are missing"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			l, db, ds := newLog(t)
			for i := range 4 {
				l.Record(ctx, read(fmt.Sprint("doc", i)))
			}
			tt.tamper(t, db, ds.Store)
			r, err := l.Check(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(strings.Join(r.Problems, "\n"), tt.want) {
				t.Fatalf("problems %q, want one with %q", r.Problems, tt.want)
			}
			if _, err := New(openCatalog(t), ds, "", l.log).Restore(ctx); err == nil {
				t.Fatal("restored a damaged log")
			}
		})
	}
}

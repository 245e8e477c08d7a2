package catalog

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"sohoa"
)

func MustOpen(tb testing.TB) *DB {
	tb.Helper()
	db, err := Open(filepath.Join(tb.TempDir(), "catalog.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

func TestListNewestFirstInPages(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	t0 := time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)
	var ids []string
	for i := range 7 {
		at := t0.Add(time.Duration(i) * time.Minute)
		d := &sohoa.Document{ID: sohoa.NewID(at), Title: "văn bản", Status: sohoa.StatusQueued, CreatedAt: at, UpdatedAt: at}
		if i%2 == 1 {
			d.Status = sohoa.StatusReady
		}
		if err := db.PutDocument(ctx, d, true); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, d.ID)
	}
	var got []string
	cursor := ""
	for range 10 {
		p, err := db.Documents(ctx, Filter{Limit: 3, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range p.Documents {
			got = append(got, d.ID)
		}
		if cursor = p.Next; cursor == "" {
			break
		}
	}
	if len(got) != 7 {
		t.Fatalf("listed %d documents, want 7", len(got))
	}
	for i := range got {
		if got[i] != ids[6-i] {
			t.Fatalf("position %d: %s, want %s (newest first)", i, got[i], ids[6-i])
		}
	}
	ready := sohoa.StatusReady
	p, err := db.Documents(ctx, Filter{Status: &ready, Limit: 10})
	if err != nil || len(p.Documents) != 3 {
		t.Fatalf("ready documents: %d, %v; want 3", len(p.Documents), err)
	}
	if _, err := db.Documents(ctx, Filter{Limit: 3, Cursor: "!!"}); sohoa.ErrorCode(err) != sohoa.EINVALID {
		t.Fatalf("bad cursor: %v", err)
	}
}

func TestJobsSurviveACrash(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	now := time.Now()
	for i := range 2 {
		at := now.Add(time.Duration(i) * time.Millisecond)
		if err := db.PutDocument(ctx, &sohoa.Document{ID: sohoa.NewID(at), Status: sohoa.StatusQueued, CreatedAt: at, UpdatedAt: at}, true); err != nil {
			t.Fatal(err)
		}
	}
	j1, ok, err := db.ClaimJob(ctx, now)
	if err != nil || !ok || j1.Attempts != 1 {
		t.Fatalf("claim: %+v %v %v", j1, ok, err)
	}
	j2, ok, _ := db.ClaimJob(ctx, now)
	if !ok || j2.DocumentID == j1.DocumentID {
		t.Fatalf("second claim gave %+v, %v", j2, ok)
	}
	if _, ok, _ := db.ClaimJob(ctx, now); ok {
		t.Fatal("claimed a job twice")
	}
	// The process dies with both running; the next one puts them back.
	if n, err := db.RequeueRunning(ctx); err != nil || n != 2 {
		t.Fatalf("requeued %d, %v", n, err)
	}
	if err := db.RetryJob(ctx, j1.DocumentID, now.Add(time.Hour), "store down"); err != nil {
		t.Fatal(err)
	}
	j, ok, _ := db.ClaimJob(ctx, now)
	if !ok || j.DocumentID != j2.DocumentID || j.Attempts != 2 {
		t.Fatalf("after requeue claimed %+v, want %s on its second attempt", j, j2.DocumentID)
	}
	if _, ok, _ := db.ClaimJob(ctx, now); ok {
		t.Fatal("a job put off by an hour ran now")
	}
	if j, ok, _ := db.ClaimJob(ctx, now.Add(2*time.Hour)); !ok || j.DocumentID != j1.DocumentID {
		t.Fatal("the put-off job did not run when its time came")
	}
}

func TestTokens(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	if has, _ := db.HasTokens(ctx); has {
		t.Fatal("new catalog has tokens")
	}
	tok := NewToken()
	if err := db.AddToken(ctx, tok, "văn thư", RoleClerk); err != nil {
		t.Fatal(err)
	}
	p, err := db.Authenticate(ctx, tok)
	if err != nil || p.Role != RoleClerk {
		t.Fatalf("Authenticate = %+v, %v", p, err)
	}
	if _, err := db.Authenticate(ctx, tok+"x"); sohoa.ErrorCode(err) != sohoa.EUNAUTHORIZED {
		t.Fatalf("wrong token: %v", err)
	}
	if err := db.AddToken(ctx, NewToken(), "x", "root"); sohoa.ErrorCode(err) != sohoa.EINVALID {
		t.Fatalf("unknown role: %v", err)
	}
}

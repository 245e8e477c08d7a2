package catalog

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"slices"
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
	mustUnits(t, db)
	t0 := time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)
	var ids []string
	for i := range 7 {
		at := t0.Add(time.Duration(i) * time.Minute)
		d := &sohoa.Document{ID: sohoa.NewID(at), Title: "văn bản", Status: sohoa.StatusQueued, CreatedAt: at, UpdatedAt: at,
			UnitID: "THA", UnitPath: "/SGD/PGD/THA/"}
		if i%2 == 1 {
			d.Status = sohoa.StatusReady
			d.UnitID, d.UnitPath = "PGD", "/SGD/PGD/"
		}
		if err := db.PutDocument(ctx, d, true); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, d.ID)
	}
	all := sohoa.Reach{All: true}
	var got []string
	cursor := ""
	for range 10 {
		p, err := db.Documents(ctx, sohoa.DocumentFilter{Reach: all, Limit: 3, Cursor: cursor})
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
	p, err := db.Documents(ctx, sohoa.DocumentFilter{Reach: all, Status: &ready, Limit: 10})
	if err != nil || len(p.Documents) != 3 {
		t.Fatalf("ready documents: %d, %v; want 3", len(p.Documents), err)
	}
	for _, tt := range []struct {
		p    sohoa.Principal
		want int
	}{
		{sohoa.Principal{Role: sohoa.RoleClerk, UnitPath: "/SGD/PGD/THA/"}, 4},
		{sohoa.Principal{Role: sohoa.RoleClerk, UnitPath: "/SGD/PGD/"}, 3},
		{sohoa.Principal{Role: sohoa.RoleOfficial, UnitPath: "/SGD/PGD/"}, 7},
		{sohoa.Principal{Role: sohoa.RoleOfficial, UnitPath: "/SGD/PGD/THA/"}, 4},
		{sohoa.Principal{Role: sohoa.RoleOfficial, UnitPath: "/SGD/PGD/THB/"}, 0},
		{sohoa.Principal{Role: sohoa.RoleSystem, UnitPath: "/SGD/"}, 0},
		{sohoa.Principal{Role: sohoa.RoleAdmin, UnitPath: "/SGD/PGD/THB/"}, 7},
	} {
		p, err := db.Documents(ctx, sohoa.DocumentFilter{Reach: tt.p.Reach(), Limit: 100})
		if err != nil || len(p.Documents) != tt.want {
			t.Errorf("%s of %s sees %d documents, want %d (%v)", tt.p.Role, tt.p.UnitPath, len(p.Documents), tt.want, err)
		}
	}
	if _, err := db.Documents(ctx, sohoa.DocumentFilter{Reach: all, Limit: 3, Cursor: "!!"}); sohoa.ErrorCode(err) != sohoa.EINVALID {
		t.Fatalf("bad cursor: %v", err)
	}
}

// TestAnOlderRevisionNeverWinsTheRow: two writers of one document finish
// out of order; the row shows the newer revision.
func TestAnOlderRevisionNeverWinsTheRow(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	now := time.Now()
	d := &sohoa.Document{ID: sohoa.NewID(now), Title: "rev 3", Status: sohoa.StatusReady, CreatedAt: now, UpdatedAt: now, Revision: 3}
	if err := db.PutDocument(ctx, d, false); err != nil {
		t.Fatal(err)
	}
	old := *d
	old.Title, old.Revision = "rev 2", 2
	if err := db.PutDocument(ctx, &old, false); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.Document(ctx, d.ID); got.Title != "rev 3" || got.Revision != 3 {
		t.Fatalf("row shows %q (revision %d) after an older write", got.Title, got.Revision)
	}
}

func TestJobsSurviveACrash(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	mustUnits(t, db)
	now := time.Now()
	for i := range 2 {
		at := now.Add(time.Duration(i) * time.Millisecond)
		if err := db.PutDocument(ctx, &sohoa.Document{ID: sohoa.NewID(at), Status: sohoa.StatusQueued, CreatedAt: at, UpdatedAt: at, UnitID: "SGD", UnitPath: "/SGD/"}, true); err != nil {
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
	// The store was away: the attempt is given back.
	if err := db.ReleaseJob(ctx, j2.DocumentID, now, "store unavailable"); err != nil {
		t.Fatal(err)
	}
	if j, ok, _ := db.ClaimJob(ctx, now); !ok || j.DocumentID != j2.DocumentID || j.Attempts != 2 {
		t.Fatalf("after a release claimed %+v, want %s still on its second attempt", j, j2.DocumentID)
	}
	if _, ok, _ := db.ClaimJob(ctx, now); ok {
		t.Fatal("a job put off by an hour ran now")
	}
	if j, ok, _ := db.ClaimJob(ctx, now.Add(2*time.Hour)); !ok || j.DocumentID != j1.DocumentID {
		t.Fatal("the put-off job did not run when its time came")
	}
}

func mustUnits(t *testing.T, db *DB) {
	t.Helper()
	for _, u := range []*sohoa.Unit{
		{ID: "SGD", Name: "Sở Giáo dục và Đào tạo", Kind: "so", Path: "/SGD/"},
		{ID: "PGD", Name: "Phòng Giáo dục Trung học", Kind: "phong", ParentID: "SGD", Path: "/SGD/PGD/"},
		{ID: "THA", Name: "Trường THPT A", Kind: "truong", ParentID: "PGD", Path: "/SGD/PGD/THA/"},
	} {
		if err := db.InsertUnit(context.Background(), u); err != nil {
			t.Fatal(err)
		}
	}
}

func TestUsersAndTokens(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	mustUnits(t, db)
	if err := db.InsertUnit(ctx, &sohoa.Unit{ID: "THA", Name: "x", Kind: "truong", ParentID: "PGD", Path: "/SGD/PGD/THA2/"}); sohoa.ErrorCode(err) != sohoa.ECONFLICT {
		t.Fatalf("a unit ID twice: %v", err)
	}
	if root, _ := db.Root(ctx); root == nil || root.ID != "SGD" {
		t.Fatalf("root %+v", root)
	}
	if _, err := db.Unit(ctx, "NOPE"); !sohoa.IsNotFound(err) {
		t.Fatalf("a missing unit: %v", err)
	}
	u := &sohoa.User{ID: sohoa.NewID(time.Now()), Username: "vanthu.a", FullName: "Nguyễn Thị Hoa", UnitID: "THA", Role: sohoa.RoleClerk, CreatedAt: time.Now()}
	if err := db.InsertUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	again := *u
	again.ID = sohoa.NewID(time.Now())
	if err := db.InsertUser(ctx, &again); sohoa.ErrorCode(err) != sohoa.ECONFLICT {
		t.Fatalf("same username twice: %v", err)
	}
	if got, err := db.UserByUsername(ctx, "vanthu.a"); err != nil || got.ID != u.ID {
		t.Fatalf("by username: %+v, %v", got, err)
	}
	tok := &sohoa.Token{ID: sohoa.NewID(time.Now()), UserID: u.ID, Name: "máy quét", Kind: sohoa.TokenAPI, CreatedAt: time.Now(), Hash: "h1"}
	if err := db.PutToken(ctx, tok); err != nil {
		t.Fatal(err)
	}
	cr, err := db.Credential(ctx, "h1")
	if err != nil || cr.Principal.Role != sohoa.RoleClerk || cr.Principal.UnitPath != "/SGD/PGD/THA/" || cr.Principal.UserID != u.ID || cr.Token.ID != tok.ID {
		t.Fatalf("Credential = %+v, %v", cr, err)
	}
	if _, err := db.Credential(ctx, "nope"); !sohoa.IsNotFound(err) {
		t.Fatalf("unknown hash: %v", err)
	}
	session := &sohoa.Token{ID: sohoa.NewID(time.Now()), UserID: u.ID, Name: "phiên", Kind: sohoa.TokenSession, CreatedAt: time.Now(), Hash: "h2"}
	db.PutToken(ctx, session)
	if err := db.RevokeSessions(ctx, u.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	if cr, _ := db.Credential(ctx, "h2"); cr.Token.RevokedAt == nil {
		t.Fatal("a session outlived RevokeSessions")
	}
	if cr, _ := db.Credential(ctx, "h1"); cr.Token.RevokedAt != nil {
		t.Fatal("RevokeSessions revoked an API token")
	}
	if ts, _ := db.Tokens(ctx, u.ID); len(ts) != 1 || ts[0].ID != tok.ID {
		t.Fatalf("API tokens %+v", ts)
	}
}

func TestAuditChainAndLedger(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	var batch []*sohoa.AuditEntry
	for i := range 5 {
		batch = append(batch, &sohoa.AuditEntry{UserID: "u1", Username: "canbo", UnitID: "SGD", Action: sohoa.ActionRead, Document: fmt.Sprint("doc", i)})
	}
	batch[4].Reuse = &sohoa.Reuse{Procedure: "cap-ban-sao", CaseID: "HS-1", Version: 1, Type: sohoa.TypeVanBang}
	if err := db.AppendAudit(ctx, batch[:2]); err != nil {
		t.Fatal(err)
	}
	if err := db.AppendAudit(ctx, batch[2:]); err != nil {
		t.Fatal(err)
	}
	entries, _ := db.Audit(ctx, sohoa.AuditFilter{})
	if p := sohoa.VerifyChain(entries, 1, ""); len(p) != 0 || len(entries) != 5 {
		t.Fatalf("two batches make one chain: %d entries, %v", len(entries), p)
	}
	if entries[4].Reuse == nil || *entries[4].Reuse != *batch[4].Reuse {
		t.Fatalf("reuse read back as %+v", entries[4].Reuse)
	}
	ledger, _ := db.Reuse(ctx, time.Time{}, time.Time{})
	if len(ledger) != 1 || ledger[0].CaseID != "HS-1" || ledger[0].Document != "doc4" {
		t.Fatalf("ledger %+v", ledger)
	}
	// Restoring what is there already changes nothing, the ledger included.
	if err := db.RestoreAudit(ctx, entries); err != nil {
		t.Fatal(err)
	}
	if again, _ := db.Audit(ctx, sohoa.AuditFilter{}); len(again) != 5 {
		t.Fatalf("%d entries after restoring them again", len(again))
	}
	if ledger, _ := db.Reuse(ctx, time.Time{}, time.Time{}); len(ledger) != 1 {
		t.Fatalf("ledger counts a fetch %d times after a restore", len(ledger))
	}
}

// TestTwoWritersOneChain: two handles on one file (the service and `sohoa
// unit add`) append at once; the chain stays one.
func TestTwoWritersOneChain(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "catalog.db")
	var dbs [2]*DB
	for i := range dbs {
		db, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		dbs[i] = db
	}
	errs := make(chan error, 2)
	for i, db := range dbs {
		go func() {
			for k := range 50 {
				if err := db.AppendAudit(ctx, []*sohoa.AuditEntry{{Action: sohoa.ActionRead, Detail: fmt.Sprint(i, k)}}); err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for range dbs {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	entries, _ := dbs[0].Audit(ctx, sohoa.AuditFilter{})
	if p := sohoa.VerifyChain(entries, 1, ""); len(p) != 0 || len(entries) != 100 {
		t.Fatalf("%d entries, problems %v", len(entries), p)
	}
}

func hashOf(v string) string {
	s := sha256.Sum256([]byte(v))
	return hex.EncodeToString(s[:])
}

// TestListFiltersAndOrders: every order pages through every matching
// document once, in order, whatever the page size; filters combine.
func TestListFiltersAndOrders(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	mustUnits(t, db)
	t0 := time.Date(2026, 11, 30, 16, 0, 0, 0, time.UTC) // 23:00 in Vietnam
	titles := []string{"Quyết định", "Bằng tốt nghiệp", "Kế hoạch", "Công văn", "Bằng tốt nghiệp", "Ăn ở bán trú", "Quyết định", "Lý lịch"}
	var docs []*sohoa.Document
	for i, title := range titles {
		at := t0.Add(time.Duration(i) * 30 * time.Minute)
		d := &sohoa.Document{ID: sohoa.NewID(at), Title: title, Status: sohoa.StatusReady, CreatedAt: at, UpdatedAt: at,
			UnitID: "THA", UnitPath: "/SGD/PGD/THA/", Type: sohoa.TypeVanBan,
			Metadata: sohoa.Metadata{"ngay_ban_hanh": fmt.Sprintf("202%d-0%d-15", 3+i%3, 1+i%5)}}
		switch i % 4 {
		case 1:
			d.Type, d.Metadata = sohoa.TypeVanBang, sohoa.Metadata{"nam_tot_nghiep": fmt.Sprintf("202%d", 3+i%3)}
		case 2:
			d.UnitID, d.UnitPath = "PGD", "/SGD/PGD/"
		case 3:
			d.Metadata = nil // no date
		}
		if err := db.PutDocument(ctx, d, false); err != nil {
			t.Fatal(err)
		}
		docs = append(docs, d)
	}
	date := (*sohoa.Document).OwnDate
	all := sohoa.Reach{All: true}
	for _, tt := range []struct {
		name string
		f    sohoa.DocumentFilter
		keep func(*sohoa.Document) bool
		less func(a, b *sohoa.Document) bool
	}{
		{"newest", sohoa.DocumentFilter{}, nil, func(a, b *sohoa.Document) bool { return a.ID > b.ID }},
		{"oldest", sohoa.DocumentFilter{Sort: sohoa.SortOldest}, nil, func(a, b *sohoa.Document) bool { return a.ID < b.ID }},
		{"title", sohoa.DocumentFilter{Sort: sohoa.SortTitle}, nil, func(a, b *sohoa.Document) bool {
			return a.Title < b.Title || a.Title == b.Title && a.ID < b.ID
		}},
		{"date", sohoa.DocumentFilter{Sort: sohoa.SortDate}, nil, func(a, b *sohoa.Document) bool {
			return date(a) > date(b) || date(a) == date(b) && a.ID > b.ID
		}},
		{"type", sohoa.DocumentFilter{Type: sohoa.TypeVanBang, Sort: sohoa.SortTitle},
			func(d *sohoa.Document) bool { return d.Type == sohoa.TypeVanBang },
			func(a, b *sohoa.Document) bool { return a.Title < b.Title || a.Title == b.Title && a.ID < b.ID }},
		{"unit", sohoa.DocumentFilter{UnitPath: "/SGD/PGD/THA/"},
			func(d *sohoa.Document) bool { return d.UnitID == "THA" }, func(a, b *sohoa.Document) bool { return a.ID > b.ID }},
		{"year", sohoa.DocumentFilter{Year: "2024", Sort: sohoa.SortOldest},
			func(d *sohoa.Document) bool { return len(date(d)) >= 4 && date(d)[:4] == "2024" },
			func(a, b *sohoa.Document) bool { return a.ID < b.ID }},
		// Digitized on 1 December, Vietnam time: from 17:00 UTC on 30 November.
		{"digitized", sohoa.DocumentFilter{Since: time.Date(2026, 12, 1, 0, 0, 0, 0, sohoa.Vietnam), Before: time.Date(2026, 12, 2, 0, 0, 0, 0, sohoa.Vietnam)},
			func(d *sohoa.Document) bool { return !d.CreatedAt.Before(t0.Add(time.Hour)) },
			func(a, b *sohoa.Document) bool { return a.ID > b.ID }},
	} {
		var want []string
		sorted := append([]*sohoa.Document(nil), docs...)
		slices.SortFunc(sorted, func(a, b *sohoa.Document) int {
			if tt.less(a, b) {
				return -1
			}
			return 1
		})
		for _, d := range sorted {
			if tt.keep == nil || tt.keep(d) {
				want = append(want, d.ID)
			}
		}
		for _, size := range []int{1, 2, 3, 100} {
			var got []string
			f := tt.f
			f.Reach, f.Limit = all, size
			for range 20 {
				p, err := db.Documents(ctx, f)
				if err != nil {
					t.Fatalf("%s: %v", tt.name, err)
				}
				for _, d := range p.Documents {
					got = append(got, d.ID)
				}
				if f.Cursor = p.Next; f.Cursor == "" {
					break
				}
			}
			if !slices.Equal(got, want) {
				t.Errorf("%s by %d: got %v, want %v", tt.name, size, got, want)
			}
		}
	}
	// A cursor of one order does not resume another.
	p, err := db.Documents(ctx, sohoa.DocumentFilter{Reach: all, Limit: 2, Sort: sohoa.SortTitle})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Documents(ctx, sohoa.DocumentFilter{Reach: all, Limit: 2, Cursor: p.Next}); sohoa.ErrorCode(err) != sohoa.EINVALID {
		t.Fatalf("title cursor in the newest order: %v", err)
	}
	if _, err := db.Documents(ctx, sohoa.DocumentFilter{Reach: all, Limit: 2, Sort: "size"}); sohoa.ErrorCode(err) != sohoa.EINVALID {
		t.Fatalf("unknown order: %v", err)
	}
}

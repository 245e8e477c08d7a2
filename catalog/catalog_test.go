package catalog

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
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
		f := ReachFilter(&tt.p)
		f.Limit = 100
		p, err := db.Documents(ctx, f)
		if err != nil || len(p.Documents) != tt.want {
			t.Errorf("%s of %s sees %d documents, want %d (%v)", tt.p.Role, tt.p.UnitPath, len(p.Documents), tt.want, err)
		}
	}
	if _, err := db.Documents(ctx, Filter{Limit: 3, Cursor: "!!"}); sohoa.ErrorCode(err) != sohoa.EINVALID {
		t.Fatalf("bad cursor: %v", err)
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
		{ID: "SGD", Name: "Sở Giáo dục và Đào tạo", Kind: "so"},
		{ID: "PGD", Name: "Phòng Giáo dục Trung học", Kind: "phong", ParentID: "SGD"},
		{ID: "THA", Name: "Trường THPT A", Kind: "truong", ParentID: "PGD"},
	} {
		if err := db.AddUnit(context.Background(), u); err != nil {
			t.Fatal(err)
		}
	}
}

func TestUsersAndTokens(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	mustUnits(t, db)
	if u, _ := db.Unit(ctx, "THA"); u.Path != "/SGD/PGD/THA/" {
		t.Fatalf("path %q", u.Path)
	}
	if err := db.AddUnit(ctx, &sohoa.Unit{ID: "ROOT2", Name: "x", Kind: "so"}); sohoa.ErrorCode(err) != sohoa.EINVALID {
		t.Fatalf("a second root: %v", err)
	}
	u := &sohoa.User{Username: "vanthu.a", FullName: "Nguyễn Thị Hoa", UnitID: "THA", Role: sohoa.RoleClerk}
	if err := db.AddUser(ctx, u, "mật khẩu đủ dài"); err != nil {
		t.Fatal(err)
	}
	if err := db.AddUser(ctx, &sohoa.User{Username: "vanthu.a", FullName: "x", UnitID: "THA", Role: sohoa.RoleClerk}, ""); sohoa.ErrorCode(err) != sohoa.ECONFLICT {
		t.Fatalf("same username twice: %v", err)
	}
	if _, err := db.Login(ctx, "vanthu.a", "sai mật khẩu"); sohoa.ErrorCode(err) != sohoa.EUNAUTHORIZED {
		t.Fatalf("wrong password: %v", err)
	}
	if _, err := db.Login(ctx, "VANTHU.A", "mật khẩu đủ dài"); err != nil {
		t.Fatalf("login: %v", err)
	}
	tok, info, err := db.AddToken(ctx, u.ID, "máy quét", TokenAPI, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	p, err := db.Authenticate(ctx, tok)
	if err != nil || p.Role != sohoa.RoleClerk || p.UnitPath != "/SGD/PGD/THA/" || p.UserID != u.ID {
		t.Fatalf("Authenticate = %+v, %v", p, err)
	}
	// Disabled users and revoked or expired tokens are refused at once.
	db.SetUserDisabled(ctx, u.ID, true)
	if _, err := db.Authenticate(ctx, tok); sohoa.ErrorCode(err) != sohoa.EUNAUTHORIZED {
		t.Fatalf("disabled user: %v", err)
	}
	db.SetUserDisabled(ctx, u.ID, false)
	if _, err := db.Authenticate(ctx, tok); err != nil {
		t.Fatalf("enabled again: %v", err)
	}
	db.RevokeToken(ctx, info.ID)
	if _, err := db.Authenticate(ctx, tok); sohoa.ErrorCode(err) != sohoa.EUNAUTHORIZED {
		t.Fatalf("revoked token: %v", err)
	}
	short, _, _ := db.AddToken(ctx, u.ID, "phiên", TokenSession, "", time.Nanosecond)
	time.Sleep(time.Millisecond)
	if _, err := db.Authenticate(ctx, short); sohoa.ErrorCode(err) != sohoa.EUNAUTHORIZED {
		t.Fatalf("expired session: %v", err)
	}
	if h := HashPassword("x"); strings.Contains(h, "x$") || !CheckPassword(h, "x") || CheckPassword(h, "y") {
		t.Fatal("password hashing")
	}
}

func TestAuditChainDetectsTampering(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	for i := range 5 {
		e := &sohoa.AuditEntry{UserID: "u1", Username: "canbo", UnitID: "SGD", Action: sohoa.ActionRead, Document: fmt.Sprint("doc", i)}
		if err := db.Append(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	entries, _ := db.Audit(ctx, AuditFilter{})
	if p := VerifyChain(entries, 1, ""); len(p) != 0 || len(entries) != 5 {
		t.Fatalf("a clean log: %v", p)
	}
	tamper := []struct {
		name string
		sql  string
		want string
	}{
		{"edited", "UPDATE audit SET document = 'other' WHERE seq = 3", "entry 3 was edited"},
		{"removed", "DELETE FROM audit WHERE seq = 3", "entries 3 to 3 are missing"},
		{"reordered", "UPDATE audit SET seq = -2 WHERE seq = 2; UPDATE audit SET seq = 2 WHERE seq = 4; UPDATE audit SET seq = 4 WHERE seq = -2", "entry 2 was edited"},
		{"rewritten with a new hash", "UPDATE audit SET detail = 'x', hash = 'abc' WHERE seq = 2", "entry 3 does not follow"},
	}
	for _, tt := range tamper {
		t.Run(tt.name, func(t *testing.T) {
			db := MustOpen(t)
			for i := range 5 {
				db.Append(ctx, &sohoa.AuditEntry{UserID: "u1", Action: sohoa.ActionRead, Document: fmt.Sprint("doc", i)})
			}
			if _, err := db.db.Exec(tt.sql); err != nil {
				t.Fatal(err)
			}
			entries, _ := db.Audit(ctx, AuditFilter{})
			problems := VerifyChain(entries, 1, "")
			if !strings.Contains(strings.Join(problems, "\n"), tt.want) {
				t.Fatalf("problems %q, want one with %q", problems, tt.want)
			}
		})
	}
}

package catalog

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sohoa"
)

// openLayout makes a catalog file as release layout v left it, from
// testdata/layout-v.sql: the schema of that release as shipped (commits
// f7219d9, 7d71652, ecae438) and rows as it wrote them.
func openLayout(t *testing.T, v int) string {
	t.Helper()
	dump, err := os.ReadFile(fmt.Sprintf("testdata/layout-%d.sql", v))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "catalog.db")
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(string(dump)); err != nil {
		t.Fatal(err)
	}
	if v > 1 { // the first release set no user_version
		if _, err := db.Exec(fmt.Sprintf("PRAGMA user_version = %d", v)); err != nil {
			t.Fatal(err)
		}
	}
	return path
}

// TestMigrationsFromEveryShippedLayout opens a catalog of each layout that
// shipped: it is brought up to date in place, keeps what it held, and
// works as a new one does.
func TestMigrationsFromEveryShippedLayout(t *testing.T) {
	ctx := context.Background()
	for v := 1; v <= 3; v++ {
		t.Run(fmt.Sprintf("layout %d", v), func(t *testing.T) {
			path := openLayout(t, v)
			db, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			var version int
			db.db.QueryRow("PRAGMA user_version").Scan(&version)
			if version != SchemaVersion() {
				t.Fatalf("user_version %d after opening, want %d", version, SchemaVersion())
			}
			page, err := db.Documents(ctx, sohoa.DocumentFilter{Reach: sohoa.Reach{All: true}, Limit: 10})
			if err != nil || len(page.Documents) != 1 {
				t.Fatalf("documents after migrating: %+v, %v", page, err)
			}
			d := page.Documents[0]
			if d.Title != "Bằng tốt nghiệp THPT" || d.Status != sohoa.StatusReady || len(d.Pages) != 1 || *d.Pages[0].OCRConfidence != 91.5 {
				t.Fatalf("document after migrating: %+v", d)
			}
			// Its original is found by its SHA-256, as an import asks.
			if held, err := db.Documents(ctx, sohoa.DocumentFilter{Reach: sohoa.Reach{All: true}, Original: d.Pages[0].Source, Limit: 10}); err != nil || len(held.Documents) != 1 {
				t.Fatalf("by the original's SHA-256 after migrating: %+v, %v", held, err)
			}
			// A newer revision replaces the migrated row; the queue works.
			d.Title, d.Revision, d.UpdatedAt = "Bằng tốt nghiệp THPT (đã sửa)", 2, time.Now()
			if err := db.PutDocument(ctx, d, true); err != nil {
				t.Fatal(err)
			}
			if got, _ := db.Document(ctx, d.ID); got.Title != d.Title {
				t.Fatalf("update after migrating: %q", got.Title)
			}
			if _, ok, err := db.ClaimJob(ctx, time.Now()); err != nil || !ok {
				t.Fatalf("claim after migrating: %v %v", ok, err)
			}
			if v == 1 {
				if empty, _ := db.Empty(ctx); !empty {
					t.Fatal("a first-release catalog has units after migrating")
				}
				return // no units, users or audit then
			}
			if d.UnitPath != "/SGD/THA/" || d.Metadata["so_vao_so"] != "0415/THPT/2022" || d.Subject == nil || d.Subject.Name != "Lê Quang Tuấn" {
				t.Fatalf("record after migrating: %+v", d)
			}
			cr, err := db.Credential(ctx, hashOf("layout-token-0123456789"))
			if err != nil || cr.Principal.Username != "vt.tha" || cr.Principal.UnitPath != "/SGD/THA/" || cr.Principal.Role != sohoa.RoleClerk {
				t.Fatalf("token after migrating: %+v, %v", cr, err)
			}
			entries, _ := db.Audit(ctx, sohoa.AuditFilter{})
			if p := sohoa.VerifyChain(entries, 1, ""); len(entries) != 3 || len(p) != 0 {
				t.Fatalf("audit after migrating: %d entries, %v", len(entries), p)
			}
			if err := db.AppendAudit(ctx, []*sohoa.AuditEntry{{Action: sohoa.ActionSearch}}); err != nil {
				t.Fatal(err)
			}
			entries, _ = db.Audit(ctx, sohoa.AuditFilter{})
			if p := sohoa.VerifyChain(entries, 1, ""); len(entries) != 4 || len(p) != 0 {
				t.Fatalf("audit appended after migrating: %d entries, %v", len(entries), p)
			}
			if v == 3 {
				a, err := db.ApprovalByCode(ctx, "7KQ2-M4XD-9PRB")
				if err != nil || a.DocumentID != d.ID || a.Status != sohoa.ApprovalActive {
					t.Fatalf("approval after migrating: %+v, %v", a, err)
				}
				ledger, _ := db.Reuse(ctx, time.Time{}, time.Time{})
				if len(ledger) != 1 || ledger[0].CaseID != "HS-2026-0001" {
					t.Fatalf("reuse ledger after migrating: %+v", ledger)
				}
			}
			// Opened again: nothing left to apply, nothing changed.
			db.Close()
			again, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer again.Close()
			if got, _ := again.Document(ctx, d.ID); got.Title != d.Title {
				t.Fatalf("reopened: %q", got.Title)
			}
		})
	}
}

func TestNewerLayoutIsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "catalog.db")
	db := MustOpenAt(t, path)
	db.db.Exec(fmt.Sprintf("PRAGMA user_version = %d", SchemaVersion()+1))
	db.Close()
	if _, err := Open(path); err == nil || !strings.Contains(err.Error(), "newer") {
		t.Fatalf("a catalog from a newer sohoa: %v", err)
	}
}

func MustOpenAt(tb testing.TB, path string) *DB {
	tb.Helper()
	db, err := Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	return db
}

// TestAuditTamperingShows: what an edit of the catalog does to the chain.
func TestAuditTamperingShows(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct{ name, sql, want string }{
		{"edited", "UPDATE audit SET document = 'other' WHERE seq = 3", "entry 3 was edited"},
		{"removed", "DELETE FROM audit WHERE seq = 3", "entries 3 to 3 are missing"},
		{"reordered", "UPDATE audit SET seq = -2 WHERE seq = 2; UPDATE audit SET seq = 2 WHERE seq = 4; UPDATE audit SET seq = 4 WHERE seq = -2", "entry 2 was edited"},
		{"rewritten with a new hash", "UPDATE audit SET detail = 'x', hash = 'abc' WHERE seq = 2", "entry 3 does not follow"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			db := MustOpen(t)
			for i := range 5 {
				db.AppendAudit(ctx, []*sohoa.AuditEntry{{UserID: "u1", Action: sohoa.ActionRead, Document: fmt.Sprint("doc", i)}})
			}
			if _, err := db.db.Exec(tt.sql); err != nil {
				t.Fatal(err)
			}
			entries, _ := db.Audit(ctx, sohoa.AuditFilter{})
			problems := sohoa.VerifyChain(entries, 1, "")
			if !strings.Contains(strings.Join(problems, "\n"), tt.want) {
				t.Fatalf("problems %q, want one with %q", problems, tt.want)
			}
		})
	}
}

package audit

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"

	"sohoa"
	"sohoa/catalog"
	"sohoa/store/fs"
)

// BenchmarkRecord measures what an audited request pays for its entry:
// the catalog alone (what the log did before it wrote batches to the
// store, the baseline) against the catalog and the store, one request at
// a time and 32 at once (where batches share the store's fsync).
func BenchmarkRecord(b *testing.B) {
	ctx := context.Background()
	open := func(b *testing.B) (*Log, *catalog.DB) {
		dir := b.TempDir()
		s, err := fs.Open(filepath.Join(dir, "store"))
		if err != nil {
			b.Fatal(err)
		}
		db, err := catalog.Open(filepath.Join(dir, "catalog.db"))
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { db.Close() })
		return New(db, s, filepath.Join(dir, "journal.jsonl"), slog.New(slog.NewTextHandler(io.Discard, nil))), db
	}
	entry := func() *sohoa.AuditEntry {
		return &sohoa.AuditEntry{UserID: "U1", Username: "canbo", UnitID: "SGD", Action: sohoa.ActionRead, Document: "01M8CABJP4V5SGET1J097Q7D2Q", Client: "10.0.0.1"}
	}
	for _, parallel := range []int{1, 32} {
		b.Run("catalog only/"+itoa(parallel), func(b *testing.B) {
			_, db := open(b)
			b.SetParallelism(parallel)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := db.AppendAudit(ctx, []*sohoa.AuditEntry{entry()}); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
		b.Run("catalog and store/"+itoa(parallel), func(b *testing.B) {
			l, _ := open(b)
			b.SetParallelism(parallel)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := l.Record(ctx, entry()); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}

func itoa(n int) string {
	if n == 1 {
		return "1 at a time"
	}
	return "32 at once"
}

package report

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"sohoa"
	"sohoa/catalog"
)

// BenchmarkMonthly makes a month's report of a Department of 100,000
// documents (a province's year: 10 offices, 100 schools, twelve months, a
// page or three each, fields proposed, one in five approved) from a real
// catalog, beside the baseline of reading every document row once.
func BenchmarkMonthly(b *testing.B) {
	const docs = 100_000
	ctx := context.Background()
	db, err := catalog.Open(filepath.Join(b.TempDir(), "catalog.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	root := &sohoa.Unit{ID: "SGD", Name: "Sở", Kind: "so", Path: "/SGD/"}
	units := []*sohoa.Unit{root}
	var schools []*sohoa.Unit
	for i := range 10 {
		p := &sohoa.Unit{ID: fmt.Sprintf("P%d", i), Name: fmt.Sprintf("Phòng %d", i), Kind: "phong", ParentID: "SGD", Path: fmt.Sprintf("/SGD/P%d/", i)}
		units = append(units, p)
		for j := range 10 {
			t := &sohoa.Unit{ID: fmt.Sprintf("T%d-%d", i, j), Name: "Trường", Kind: "truong", ParentID: p.ID, Path: fmt.Sprintf("%sT%d-%d/", p.Path, i, j)}
			units, schools = append(units, t), append(schools, t)
		}
	}
	for _, u := range units {
		if err := db.InsertUnit(ctx, u); err != nil {
			b.Fatal(err)
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	start := time.Date(2025, 12, 1, 0, 0, 0, 0, sohoa.Vietnam)
	for i := range docs {
		u := schools[rng.IntN(len(schools))]
		created := start.Add(time.Duration(rng.Int64N(int64(365 * 24 * time.Hour))))
		ready := created.Add(time.Duration(rng.IntN(3600)) * time.Second)
		conf := 60 + rng.Float64()*40
		pages := make([]sohoa.Page, 1+rng.IntN(3))
		for k := range pages {
			pages[k] = sohoa.Page{Number: k + 1, DPI: []int{150, 200, 300, 300}[rng.IntN(4)], OCRConfidence: &conf}
		}
		d := &sohoa.Document{ID: fmt.Sprintf("D%07d", i), Title: "Văn bản", Type: sohoa.TypeVanBan, UnitID: u.ID, UnitPath: u.Path,
			Metadata: sohoa.Metadata{"so": fmt.Sprint(i)}, Proposed: map[string]sohoa.Proposal{"so": {Value: fmt.Sprint(i)}, "ky_hieu": {Value: "KH-SGDĐT"}},
			Status: sohoa.StatusReady, CreatedAt: created, UpdatedAt: ready, ReadyAt: &ready, Pages: pages, Revision: 1}
		if err := db.PutDocument(ctx, d, false); err != nil {
			b.Fatal(err)
		}
		if i%5 == 0 {
			a := &sohoa.Approval{DocumentID: d.ID, Version: 1, Code: fmt.Sprintf("C%07d", i), Status: sohoa.ApprovalActive, ApprovedAt: ready.Add(time.Hour)}
			if err := db.PutApproval(ctx, a, u.Path); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("baseline: read every document row", func(b *testing.B) {
		for b.Loop() {
			n := 0
			if err := db.EachDocument(ctx, root.Path, func(*sohoa.Document) error { n++; return nil }); err != nil || n != docs {
				b.Fatal(err, n)
			}
		}
	})
	b.Run("monthly report", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			r, err := Monthly(ctx, db, root, "2026-06", time.Now())
			if err != nil || r.Totals.Documents == 0 || len(r.Units) != 111 {
				b.Fatal(err, r.Totals)
			}
		}
	})
}

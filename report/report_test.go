package report

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"sohoa"
)

// fakeCatalog is a catalog in memory, for the report's own arithmetic.
type fakeCatalog struct {
	units     []*sohoa.Unit
	docs      []*sohoa.Document
	approvals []*sohoa.Approval
	reuse     []*sohoa.ReuseEntry
}

func (f *fakeCatalog) Units(context.Context) ([]*sohoa.Unit, error) { return f.units, nil }
func (f *fakeCatalog) EachDocument(_ context.Context, path string, visit func(*sohoa.Document) error) error {
	for _, d := range f.docs {
		if strings.HasPrefix(d.UnitPath, path) {
			if err := visit(d); err != nil {
				return err
			}
		}
	}
	return nil
}
func (f *fakeCatalog) EachApproval(_ context.Context, path string, visit func(*sohoa.Approval, string) error) error {
	for _, a := range f.approvals {
		for _, d := range f.docs {
			if d.ID == a.DocumentID && strings.HasPrefix(d.UnitPath, path) {
				visit(a, d.UnitPath)
			}
		}
	}
	return nil
}
func (f *fakeCatalog) Reuse(_ context.Context, from, to time.Time) ([]*sohoa.ReuseEntry, error) {
	var out []*sohoa.ReuseEntry
	for _, e := range f.reuse {
		if !e.At.Before(from) && e.At.Before(to) {
			out = append(out, e)
		}
	}
	return out, nil
}

func vn(s string) time.Time {
	t, _ := time.ParseInLocation("2006-01-02 15:04", s, sohoa.Vietnam)
	return t
}

func TestMonthly(t *testing.T) {
	conf := func(c float64) *float64 { return &c }
	ready := func(s string) *time.Time { t := vn(s); return &t }
	f := &fakeCatalog{
		units: []*sohoa.Unit{{ID: "SGD", Name: "Sở", Path: "/SGD/"}, {ID: "P", Name: "Phòng", ParentID: "SGD", Path: "/SGD/P/"},
			{ID: "T1", Name: "Trường 1", ParentID: "P", Path: "/SGD/P/T1/"}, {ID: "T2", Name: "Trường 2", ParentID: "P", Path: "/SGD/P/T2/"}},
		docs: []*sohoa.Document{
			// 30/11 23:30 in Vietnam is November's, though it is 16:30 UTC
			{ID: "a", Type: "van_ban", UnitPath: "/SGD/P/T1/", CreatedAt: vn("2026-11-30 23:30"), ReadyAt: ready("2026-12-01 00:30"), Status: sohoa.StatusReady,
				Pages:    []sohoa.Page{{DPI: 150, OCRConfidence: conf(70)}, {DPI: 300, OCRConfidence: conf(95)}},
				Metadata: sohoa.Metadata{"so": "12"}, Proposed: map[string]sohoa.Proposal{"so": {Value: "12"}, "ky_hieu": {Value: "KH"}}},
			{ID: "b", Type: "van_bang", UnitPath: "/SGD/P/T2/", CreatedAt: vn("2026-11-02 08:00"), ReadyAt: ready("2026-11-02 10:00"), Status: sohoa.StatusReady,
				Pages: []sohoa.Page{{DPI: 0}}, Metadata: sohoa.Metadata{"ho_ten": "Lê Văn B"}, Proposed: map[string]sohoa.Proposal{"ho_ten": {Value: "Lê Văn 8"}}},
			{ID: "c", Type: "van_ban", UnitPath: "/SGD/P/T2/", CreatedAt: vn("2026-10-31 08:00"), Status: sohoa.StatusQueued, Pages: []sohoa.Page{{}}},
		},
		approvals: []*sohoa.Approval{{DocumentID: "b", Version: 1, Status: sohoa.ApprovalActive, ApprovedAt: vn("2026-11-03 10:00")}},
		reuse:     []*sohoa.ReuseEntry{{At: vn("2026-11-20 09:00"), Procedure: "Cấp bản sao văn bằng", Document: "b"}},
	}
	r, err := Monthly(context.Background(), f, f.units[1], "2026-11", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	tot := r.Totals
	if tot.Documents != 2 || tot.Pages != 3 || tot.PagesBelow200DPI != 1 || tot.PagesUnknownDPI != 1 || tot.Approved != 1 || tot.Reuse != 1 {
		t.Errorf("totals %+v", tot)
	}
	if tot.FieldsProposed != 3 || tot.FieldsCorrected != 1 || tot.Queued != 1 || tot.WaitingApproval != 1 {
		t.Errorf("fields and backlog %+v", tot)
	}
	if tot.Confidence.From60 != 1 || tot.Confidence.From90 != 1 || tot.Confidence.Unknown != 1 {
		t.Errorf("confidence %+v", tot.Confidence)
	}
	if d := tot.UploadToReady; d.N != 2 || d.Median != 3600 || d.P90 != 7200 {
		t.Errorf("upload to ready %+v", d)
	}
	if d := tot.ReadyToApproval; d.N != 1 || d.Median != 24*3600 {
		t.Errorf("ready to approval %+v", d)
	}
	if len(r.Units) != 3 || r.Units[0].UnitID != "P" || r.Units[0].Totals.Documents != 2 || r.Units[1].Totals.Documents != 1 || r.Units[2].Totals.Documents != 1 {
		t.Errorf("units %+v", r.Units)
	}
	if len(r.Procedures) != 1 || r.Procedures[0].Fetches != 1 {
		t.Errorf("procedures %+v", r.Procedures)
	}

	// The workbook holds the numbers as numbers.
	var b bytes.Buffer
	if err := WriteXLSX(&b, r); err != nil {
		t.Fatal(err)
	}
	x, err := excelize.OpenReader(&b)
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := x.GetCellValue("Đơn vị", "C4"); v != "2" {
		t.Errorf("XLSX documents of P: %q", v)
	}
	if v, _ := x.GetCellValue("Đơn vị", "B5"); strings.TrimSpace(v) != "Trường 1" {
		t.Errorf("XLSX unit name: %q", v)
	}

	// The charts are SVG with their Vietnamese words.
	svg, err := UnitChart(r)
	if err != nil || !bytes.Contains(svg, []byte("<svg")) || !bytes.Contains(svg, []byte("T1")) {
		t.Errorf("unit chart: %v %.200s", err, svg)
	}
	months := r.Trend
	if len(months) != 12 || months[11].Month != "2026-11" || months[11].Documents != 2 || months[10].Documents != 1 || months[11].Reuse != 1 || months[11].Approved != 1 {
		t.Fatalf("trend: %+v", months)
	}
	if dir := os.Getenv("SVG_OUT"); dir != "" {
		tr, _ := TrendChart(months)
		os.WriteFile(dir+"/unit.svg", svg, 0o644)
		os.WriteFile(dir+"/trend.svg", tr, 0o644)
		pages, err := PDFPages(r, Heading{Parent: "UBND TỈNH HẢI DƯƠNG", Body: "SỞ GIÁO DỤC VÀ ĐÀO TẠO", Number: "Số: 15/BC-SGDĐT", Place: "Hải Dương",
			Date: vn("2026-12-03 09:00"), Authority: "KT. GIÁM ĐỐC", Title: "PHÓ GIÁM ĐỐC", Signer: "Nguyễn Thị Lan", Recipients: []string{"UBND tỉnh (để b/c)", "Lưu: VT, VP."}})
		for i, p := range pages {
			if err == nil {
				os.WriteFile(fmt.Sprintf("%s/page-%d.png", dir, i+1), p.Image, 0o644)
			}
		}
	}
	if svg, err := TrendChart(months); err != nil || !bytes.Contains(svg, []byte("<svg")) {
		t.Errorf("trend chart: %v", err)
	}
}

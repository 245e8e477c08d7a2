package search

import (
	"context"
	"slices"
	"testing"
	"time"

	"sohoa"
)

func recordsIndex(t *testing.T) *Index {
	x := MustOpen(t)
	docs := []*sohoa.IndexDocument{
		{ID: "01-tb87", Title: "Thông báo", Type: sohoa.TypeVanBan, UnitID: "SGD", UnitPath: "/SGD/",
			Pages:    []string{"Về việc tiếp nhận hồ sơ cấp bản sao văn bằng"},
			Metadata: sohoa.Metadata{"so": "87", "ky_hieu": "TB-SGDĐT", "ngay_ban_hanh": "2025-02-06", "trich_yeu": "Tiếp nhận hồ sơ qua Cổng Dịch vụ công"}},
		{ID: "02-hd12", Title: "Hướng dẫn", Type: sohoa.TypeVanBan, UnitID: "PGD", UnitPath: "/SGD/PGD/",
			Pages: []string{"Hướng dẫn tuyển sinh"}, Metadata: sohoa.Metadata{"so": "12", "ky_hieu": "HD-SGDĐT", "ngay_ban_hanh": "2024-08-01"}},
		{ID: "03-hđ12", Title: "Hợp đồng", Type: sohoa.TypeVanBan, UnitID: "PGD", UnitPath: "/SGD/PGD/",
			Pages: []string{"Hợp đồng lao động"}, Metadata: sohoa.Metadata{"so": "12", "ky_hieu": "HĐ-SGDĐT", "ngay_ban_hanh": "2024-09-01"}},
		{ID: "04-tuan", Title: "Bằng tốt nghiệp", Type: sohoa.TypeVanBang, UnitID: "THA", UnitPath: "/SGD/PGD/THA/",
			Pages: []string{"BẰNG TỐT NGHIỆP"}, Metadata: sohoa.Metadata{"ho_ten": "Lê Quang Tuấn", "ngay_sinh": "2004-04-12",
				"so_hieu": "B 0174420", "so_vao_so": "0415/THPT/2022", "nam_tot_nghiep": "2022", "so_dinh_danh": "030204001234"}},
		{ID: "05-hanh", Title: "Bằng tốt nghiệp", Type: sohoa.TypeVanBang, UnitID: "THB", UnitPath: "/SGD/PGD/THB/",
			Pages: []string{"BẰNG TỐT NGHIỆP"}, Metadata: sohoa.Metadata{"ho_ten": "Lương Thị Hạnh", "nam_tot_nghiep": "2019", "so_hieu": "B 0101202"}},
	}
	// Digitized a day apart each, from 23:30 on 10/03/2025 in Vietnam (the
	// second 00:30 on 11/03 there, still 10/03 in UTC); the last two have
	// a verified copy.
	first := time.Date(2025, 3, 10, 23, 30, 0, 0, sohoa.Vietnam)
	for i, d := range docs {
		d.CreatedAt = first.Add(time.Duration(i) * time.Hour)
		if i >= 2 {
			d.CreatedAt = first.Add(time.Duration(i) * 24 * time.Hour)
		}
		d.Approved = i >= 3
	}
	if err := x.PutBatch(context.Background(), docs); err != nil {
		t.Fatal(err)
	}
	return x
}

func TestFiltersReachAndFacets(t *testing.T) {
	x := recordsIndex(t)
	yes, no := true, false
	tests := []struct {
		name string
		q    Query
		want []string
	}{
		{"metadata words, no diacritics", Query{Reach: all, Text: "luong thi hanh"}, []string{"05-hanh"}},
		{"type", Query{Reach: all, Type: sohoa.TypeVanBang}, []string{"05-hanh", "04-tuan"}},
		{"unit subtree", Query{Reach: all, Unit: "/SGD/PGD/"}, []string{"05-hanh", "04-tuan", "03-hđ12", "02-hd12"}},
		{"date range", Query{Reach: all, From: "2024-08-01", To: "2024-08-31"}, []string{"02-hd12"}},
		{"date range by year of graduation", Query{Reach: all, Type: sohoa.TypeVanBang, From: "2022-01-01", To: "2022-12-31"}, []string{"04-tuan"}},
		{"số/ký hiệu exactly as printed", Query{Reach: all, SoKyHieu: "12/HĐ-SGDĐT"}, []string{"03-hđ12"}},
		{"HD is not HĐ", Query{Reach: all, SoKyHieu: "12/HD-SGDĐT"}, []string{"02-hd12"}},
		{"số hiệu", Query{Reach: all, SoHieu: "B 0174420"}, []string{"04-tuan"}},
		{"subject", Query{Reach: all, SubjectID: "030204001234"}, []string{"04-tuan"}},
		{"identifier typed in q", Query{Reach: all, Text: "87/TB-SGDĐT"}, []string{"01-tb87"}},
		{"clerk of THA", Query{Type: sohoa.TypeVanBang, Reach: sohoa.Reach{Path: "/SGD/PGD/THA/"}}, []string{"04-tuan"}},
		{"official of PGD", Query{Text: "bang tot nghiep", Reach: sohoa.Reach{Path: "/SGD/PGD/", Subtree: true}}, []string{"05-hanh", "04-tuan"}},
		{"official of THB", Query{Type: sohoa.TypeVanBang, Reach: sohoa.Reach{Path: "/SGD/PGD/THB/", Subtree: true}}, []string{"05-hanh"}},
		{"clerk of PGD does not see schools", Query{Type: sohoa.TypeVanBang, Reach: sohoa.Reach{Path: "/SGD/PGD/"}}, nil},
		{"no reach, nothing", Query{Type: sohoa.TypeVanBang}, nil},
		{"year of the record", Query{Reach: all, Year: "2024"}, []string{"03-hđ12", "02-hd12"}},
		{"digitized on a day in Vietnam", Query{Reach: all, DigitizedFrom: "10/03/2025", DigitizedTo: "10/03/2025"}, []string{"01-tb87"}},
		{"digitized from the day after", Query{Reach: all, DigitizedFrom: "11/03/2025", DigitizedTo: "12/03/2025"}, []string{"03-hđ12", "02-hd12"}},
		{"digitized since", Query{Reach: all, DigitizedFrom: "2025-03-13"}, []string{"05-hanh", "04-tuan"}},
		{"approved", Query{Reach: all, Approved: &yes}, []string{"05-hanh", "04-tuan"}},
		{"not approved, with words", Query{Reach: all, Text: "bang tot nghiep", Approved: &no}, nil},
		{"not approved", Query{Reach: all, Approved: &no, Unit: "/SGD/PGD/"}, []string{"03-hđ12", "02-hd12"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.q.Limit = 10
			r, err := x.Search(context.Background(), tt.q)
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(r); !slices.Equal(got, tt.want) || int(r.Total) != len(tt.want) {
				t.Fatalf("hits %v (total %d), want %v", got, r.Total, tt.want)
			}
		})
	}
	r, _ := x.Search(context.Background(), Query{Reach: all, Unit: "/SGD/", Limit: 1})
	types := map[string]int{}
	for _, f := range r.Facets["type"] {
		types[f.Value] = f.Count
	}
	years := map[string]int{}
	for _, f := range r.Facets["year"] {
		years[f.Value] = f.Count
	}
	if types[sohoa.TypeVanBan] != 3 || types[sohoa.TypeVanBang] != 2 || years["2024"] != 2 || years["2022"] != 1 || len(r.Facets["unit"]) != 4 {
		t.Fatalf("facets %+v (hits limited to 1: facets count every match)", r.Facets)
	}
	// Facets follow reach: a clerk of THA counts only THA's records.
	r, _ = x.Search(context.Background(), Query{Unit: "/SGD/", Reach: sohoa.Reach{Path: "/SGD/PGD/THA/"}, Limit: 10})
	if len(r.Facets["unit"]) != 1 || r.Facets["unit"][0].Value != "THA" {
		t.Fatalf("clerk's facets %+v", r.Facets)
	}
	for _, q := range []Query{{From: "30/02/2024"}, {DigitizedTo: "2025-13-01"}, {Year: "24"}} {
		q.Reach, q.Limit = all, 10
		if _, err := x.Search(context.Background(), q); sohoa.ErrorCode(err) != sohoa.EINVALID {
			t.Fatalf("%+v: %v", q, err)
		}
	}
}

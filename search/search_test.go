package search

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"

	"sohoa"
)

func MustOpen(tb testing.TB) *Index {
	tb.Helper()
	x, err := Open(filepath.Join(tb.TempDir(), "index"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { x.Close() })
	return x
}

var corpus = []*sohoa.IndexDocument{
	{ID: "diploma-tuan", Title: "Bằng tốt nghiệp THPT", Pages: []string{
		"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nBẰNG TỐT NGHIỆP TRUNG HỌC PHỔ THÔNG\nHọ và tên: Lê Quang Tuấn\nNgày sinh: 12/04/2004\nSố hiệu: B 0174420\nSố vào sổ cấp bằng: 0415/THPT/2022"}},
	{ID: "diploma-dung", Title: "Bằng tốt nghiệp THPT", Pages: []string{
		"BẰNG TỐT NGHIỆP TRUNG HỌC PHỔ THÔNG\nHọ và tên: Đỗ Thị Dung\nNgày sinh: 02/12/2005\nSố hiệu: B 0190315"}},
	{ID: "plan-week", Title: "Kế hoạch", Pages: []string{
		"KẾ HOẠCH\nLịch công tác tuần 12\nThứ hai đầu tuần họp giao ban.",
		"Trang hai: tuần sau kiểm tra hồ sơ.\nSố: 87/TB-SGDĐT"}},
	{ID: "water", Title: "Báo cáo thủy lợi", Pages: []string{"Báo cáo công tác thủy lợi năm 2025 của Sở."}},
	// Decomposed input, as some scanners' software writes it.
	{ID: "nfd", Title: "Công văn", Pages: []string{norm.NFD.String("Hướng dẫn số 12/HD-SGDĐT về hợp đồng lao động")}},
	{ID: "contract", Title: "Hợp đồng", Pages: []string{"Hợp đồng số 12/HĐ-SGDĐT"}},
}

func indexed(t *testing.T) *Index {
	x := MustOpen(t)
	docs := make([]*sohoa.IndexDocument, len(corpus))
	for i, d := range corpus {
		c := *d
		c.Pages = nil
		for _, p := range d.Pages {
			c.Pages = append(c.Pages, normalizeForTest(p))
		}
		docs[i] = &c
	}
	if err := x.PutBatch(context.Background(), docs); err != nil {
		t.Fatal(err)
	}
	return x
}

func search(t *testing.T, x *Index, q string) *Result {
	t.Helper()
	res, err := x.Search(context.Background(), Query{Reach: all, Text: q, Limit: 10})
	if err != nil {
		t.Fatalf("Search(%q): %v", q, err)
	}
	return res
}

func ids(r *Result) []string {
	var out []string
	for _, h := range r.Hits {
		out = append(out, h.ID)
	}
	return out
}

func TestVietnameseQueries(t *testing.T) {
	x := indexed(t)
	tests := []struct {
		name, q string
		first   string // the hit that must rank first
		all     []string
	}{
		{"name without diacritics", "le quang tuan", "diploma-tuan", []string{"diploma-tuan"}},
		{"đ folds to d", "do thi dung", "diploma-dung", []string{"diploma-dung"}},
		{"name with diacritics", "Đỗ Thị Dung", "diploma-dung", []string{"diploma-dung"}},
		{"old tone placement", "thuỷ", "water", []string{"water"}},
		{"new tone placement", "thủy lợi", "water", []string{"water"}},
		{"exact spelling first", "Tuấn", "diploma-tuan", []string{"diploma-tuan", "plan-week"}},
		{"the other exact spelling first", "tuần", "plan-week", []string{"diploma-tuan", "plan-week"}},
		{"document number", "87/TB-SGDĐT", "plan-week", []string{"plan-week"}},
		{"diploma serial", "B 0174420", "diploma-tuan", []string{"diploma-tuan"}},
		{"entry number", "0415/THPT/2022", "diploma-tuan", []string{"diploma-tuan"}},
		{"HĐ ranks the contract first", "12/HĐ-SGDĐT", "contract", nil},
		{"HD ranks the guidance first", "12/HD-SGDĐT", "nfd", nil},
		{"decomposed text is found", "huong dan", "nfd", []string{"nfd"}},
		{"title", "ke hoach", "plan-week", []string{"plan-week"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := search(t, x, tt.q)
			got := ids(r)
			if len(got) == 0 || got[0] != tt.first {
				t.Fatalf("%q: hits %v, want %s first", tt.q, got, tt.first)
			}
			if tt.all != nil {
				if len(got) != len(tt.all) || int(r.Total) != len(tt.all) {
					t.Fatalf("%q: hits %v (total %d), want exactly %v", tt.q, got, r.Total, tt.all)
				}
			}
		})
	}
}

func TestOneHitPerDocumentAtItsBestPage(t *testing.T) {
	x := indexed(t)
	r := search(t, x, "tuan")
	seen := map[string]int{}
	for _, h := range r.Hits {
		seen[h.ID]++
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("%s appears %d times", id, n)
		}
	}
	r = search(t, x, "kiem tra ho so")
	if len(r.Hits) != 1 || r.Hits[0].Page != 2 {
		t.Fatalf("hits %+v, want plan-week at page 2", r.Hits)
	}
}

func TestHighlightsLandOnTheOriginalCharacters(t *testing.T) {
	x := indexed(t)
	r := search(t, x, "do thi dung")
	if len(r.Hits) != 1 {
		t.Fatalf("hits %+v", r.Hits)
	}
	if s := r.Hits[0].Snippet; !strings.Contains(s, "<mark>Đỗ Thị Dung</mark>") && !strings.Contains(s, "<mark>Đỗ</mark> <mark>Thị</mark> <mark>Dung</mark>") {
		t.Fatalf("snippet %q does not mark Đỗ Thị Dung", s)
	}
	r = search(t, x, "huong dan")
	if s := r.Hits[0].Snippet; !strings.Contains(s, "<mark>Hướng</mark> <mark>dẫn</mark>") {
		t.Fatalf("snippet %q does not mark Hướng dẫn", s)
	}
}

func TestSnippetEscapesHTML(t *testing.T) {
	x := MustOpen(t)
	doc := &sohoa.IndexDocument{ID: "x", Title: "<script>", Pages: []string{`Trường <b>"A"</b> & trường B`}}
	if err := x.Put(context.Background(), doc); err != nil {
		t.Fatal(err)
	}
	r := search(t, x, "truong")
	if len(r.Hits) != 1 {
		t.Fatalf("hits %+v", r.Hits)
	}
	want := `<mark>Trường</mark> &lt;b&gt;&#34;A&#34;&lt;/b&gt; &amp; <mark>trường</mark> B`
	if r.Hits[0].Snippet != want {
		t.Fatalf("snippet %q, want %q", r.Hits[0].Snippet, want)
	}
}

func TestDeleteAndEmptyQuery(t *testing.T) {
	x := indexed(t)
	if err := x.Delete(context.Background(), "diploma-dung"); err != nil {
		t.Fatal(err)
	}
	if r := search(t, x, "do thi dung"); r.Total != 0 {
		t.Fatalf("deleted document still found: %v", ids(r))
	}
	if _, err := x.Search(context.Background(), Query{Reach: all, Text: "  ", Limit: 10}); err == nil {
		t.Fatal("empty query accepted")
	}
}

func TestIdentifiers(t *testing.T) {
	got := Identifiers("Số: 87/TB-SGDĐT ngày; Số hiệu: B 0174420; Số vào sổ: 0415/THPT/2022; 12/UBND-VX")
	want := []string{"87/TB-SGDĐT", "B0174420", "0415/THPT/2022", "12/UBND-VX"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("Identifiers = %q, want %q", got, want)
	}
}

// all is the reach of an admin: every unit.
var all = sohoa.Reach{All: true}

// An index from before MappingVersion 2 carries no version: it opens, and
// says it is stale, so that serve makes it again; one made here is not.
func TestOlderIndexIsStale(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "index")
	x, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if x.Stale() {
		t.Fatal("a new index is stale")
	}
	x.Close()
	if x, err = Open(dir); err != nil || x.Stale() {
		t.Fatalf("reopened: stale %v, %v", x != nil && x.Stale(), err)
	}
	if err := x.idx.DeleteInternal([]byte(mappingKey)); err != nil {
		t.Fatal(err)
	}
	x.Close()
	if x, err = Open(dir); err != nil || !x.Stale() {
		t.Fatalf("an index of layout 1 is not stale (%v)", err)
	}
	x.Close()
}

package search

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2"

	"sohoa"
)

var (
	surnames = []string{"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đỗ", "Bùi", "Đặng", "Ngô"}
	middles  = []string{"Văn", "Thị", "Quang", "Minh", "Thu", "Đình", "Ngọc", "Hữu"}
	givens   = []string{"An", "Tuấn", "Dung", "Hạnh", "Khôi", "Quỳnh", "Sơn", "Trang", "Toàn", "Lan", "Khang", "Thủy"}
	filler   = strings.Fields("Sở Giáo dục và Đào tạo thông báo tiếp nhận hồ sơ đề nghị cấp bản sao văn bằng chứng chỉ từ sổ gốc trên môi trường điện tử kết quả số hóa hồ sơ học sinh sổ điểm năm học trường trung học phổ thông")
)

func syntheticDoc(r *rand.Rand, i int) *sohoa.IndexDocument {
	var b strings.Builder
	for range 6 {
		fmt.Fprintf(&b, "%d %s %s %s %02d/%02d/20%02d B %07d %04d/THPT/20%02d\n", r.IntN(40)+1,
			surnames[r.IntN(len(surnames))], middles[r.IntN(len(middles))], givens[r.IntN(len(givens))],
			r.IntN(28)+1, r.IntN(12)+1, r.IntN(10), r.IntN(10000000), r.IntN(10000), 15+r.IntN(10))
		for range 25 {
			b.WriteString(filler[r.IntN(len(filler))] + " ")
		}
		b.WriteString("\n")
	}
	return &sohoa.IndexDocument{ID: fmt.Sprintf("doc-%06d", i), Title: "Sổ gốc", Pages: []string{b.String()}}
}

// BenchmarkSearch measures sohoa's query (folded words required, exact
// spelling and phrases ranked, snippets built) against a baseline in the
// same run: one bare match query on the folded field, no snippets.
func BenchmarkSearch(b *testing.B) {
	x := MustOpen(b)
	r := rand.New(rand.NewPCG(1, 2))
	const n = 5000
	var batch []*sohoa.IndexDocument
	for i := range n {
		batch = append(batch, syntheticDoc(r, i))
		if len(batch) == 500 {
			if err := x.PutBatch(context.Background(), batch); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	queries := []string{"nguyen van an", "Đỗ Thị Dung", "le quang tuan", "0415/THPT/2022", "ban sao van bang"}
	b.Run("baseline-match", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			q := bleve.NewMatchQuery(queries[i%len(queries)])
			q.SetField("text_folded")
			if _, err := x.idx.Search(bleve.NewSearchRequestOptions(q, 20, 0, false)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("sohoa", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			if _, err := x.Search(context.Background(), Query{Reach: all, Text: queries[i%len(queries)], Limit: 20}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

package search

import (
	"context"
	"errors"
	"fmt"
	"html"
	"os"
	"sort"
	"strings"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search/query"

	"sohoa"
	"sohoa/vntext"
)

// Index is the search index.
type Index struct {
	idx bleve.Index
}

type indexDoc struct {
	Title string   `json:"title"`
	Text  []string `json:"text"`
	IDs   []string `json:"ids"`
}

const docType = "document"

func newMapping() mapping.IndexMapping {
	register()
	field := func(name, analyzer string, store bool) *mapping.FieldMapping {
		f := bleve.NewTextFieldMapping()
		f.Name, f.Analyzer, f.Store = name, analyzer, store
		f.IncludeTermVectors = true
		f.IncludeInAll = false
		f.DocValues = false
		return f
	}
	dm := bleve.NewDocumentStaticMapping()
	title := bleve.NewDocumentMapping()
	title.AddFieldMapping(field("title", analyzerExact, true))
	title.AddFieldMapping(field("title_folded", analyzerFolded, false))
	dm.AddSubDocumentMapping("title", title)
	text := bleve.NewDocumentMapping()
	text.AddFieldMapping(field("text", analyzerExact, true))
	text.AddFieldMapping(field("text_folded", analyzerFolded, false))
	dm.AddSubDocumentMapping("text", text)
	ids := bleve.NewKeywordFieldMapping()
	ids.Name, ids.Store, ids.IncludeInAll, ids.IncludeTermVectors, ids.DocValues = "ids", false, false, false, false
	idm := bleve.NewDocumentMapping()
	idm.AddFieldMapping(ids)
	dm.AddSubDocumentMapping("ids", idm)

	im := bleve.NewIndexMapping()
	im.AddDocumentMapping(docType, dm)
	im.DefaultMapping = dm
	im.DefaultType = docType
	im.DefaultAnalyzer = analyzerFolded
	return im
}

// Open opens the index at dir, creating it if missing.
func Open(dir string) (*Index, error) {
	register()
	idx, err := bleve.Open(dir)
	if errors.Is(err, bleve.ErrorIndexPathDoesNotExist) {
		idx, err = bleve.New(dir, newMapping())
	}
	if err != nil {
		return nil, fmt.Errorf("open index %s: %w", dir, err)
	}
	return &Index{idx: idx}, nil
}

// Remove deletes the index at dir, for a rebuild.
func Remove(dir string) error { return os.RemoveAll(dir) }

// Close flushes and closes the index.
func (x *Index) Close() error { return x.idx.Close() }

// Count returns how many documents are indexed.
func (x *Index) Count() (uint64, error) { return x.idx.DocCount() }

func toIndexDoc(d *sohoa.IndexDocument) indexDoc {
	return indexDoc{Title: d.Title, Text: d.Pages, IDs: Identifiers(d.Title + "\n" + strings.Join(d.Pages, "\n"))}
}

// Put indexes d, replacing any earlier version.
func (x *Index) Put(ctx context.Context, d *sohoa.IndexDocument) error {
	if err := x.idx.Index(d.ID, toIndexDoc(d)); err != nil {
		return fmt.Errorf("index %s: %w", d.ID, err)
	}
	return nil
}

// PutBatch indexes many documents at once, for rebuilds.
func (x *Index) PutBatch(ctx context.Context, docs []*sohoa.IndexDocument) error {
	b := x.idx.NewBatch()
	for _, d := range docs {
		if err := b.Index(d.ID, toIndexDoc(d)); err != nil {
			return fmt.Errorf("index %s: %w", d.ID, err)
		}
	}
	return x.idx.Batch(b)
}

// Delete removes a document from the index.
func (x *Index) Delete(ctx context.Context, id string) error {
	return x.idx.Delete(id)
}

// Query is a search request.
type Query struct {
	Text   string
	Limit  int
	Offset int
}

// Result is one page of hits.
type Result struct {
	Total uint64 `json:"total"`
	Hits  []Hit  `json:"hits"`
}

// Hit is one matching document, at its best page.
type Hit struct {
	ID      string  `json:"id"`
	Title   string  `json:"title"`
	Score   float64 `json:"score"`
	Page    int     `json:"page"`
	Snippet string  `json:"snippet"`
}

// MaxQueryLength bounds what a user may type, in bytes.
const MaxQueryLength = 1000

func (x *Index) buildQuery(text string) query.Query {
	match := func(field string, boost float64) query.Query {
		q := bleve.NewMatchQuery(text)
		q.SetField(field)
		q.SetOperator(query.MatchQueryOperatorAnd)
		q.SetBoost(boost)
		return q
	}
	phrase := func(field string, boost float64) query.Query {
		q := bleve.NewMatchPhraseQuery(text)
		q.SetField(field)
		q.SetBoost(boost)
		return q
	}
	// Every word must be found, diacritics or not; the rest only ranks.
	must := bleve.NewDisjunctionQuery(match("text_folded", 1), match("title_folded", 1))
	should := []query.Query{
		phrase("text_folded", 2), phrase("title_folded", 2),
		match("text", 3), phrase("text", 3), match("title", 3),
	}
	if looksLikeIdentifier(text) {
		id := bleve.NewTermQuery(CanonicalIdentifier(text))
		id.SetField("ids")
		id.SetBoost(10)
		should = append(should, id)
	}
	b := bleve.NewBooleanQuery()
	b.AddMust(must)
	b.AddShould(should...)
	b.SetMinShould(0)
	return b
}

// Search runs q. Its text must not be empty.
func (x *Index) Search(ctx context.Context, q Query) (*Result, error) {
	text := vntext.Normalize(strings.TrimSpace(q.Text))
	if text == "" {
		return nil, sohoa.Errorf(sohoa.EINVALID, "Vui lòng nhập nội dung cần tìm (tham số q).")
	}
	if len(text) > MaxQueryLength {
		return nil, sohoa.Errorf(sohoa.EINVALID, "Nội dung tìm kiếm quá dài (tối đa %d ký tự).", MaxQueryLength)
	}
	req := bleve.NewSearchRequestOptions(x.buildQuery(text), q.Limit, q.Offset, false)
	req.IncludeLocations = true
	// Ties (two copies of the same form) go by ID, so that an answer does
	// not change when the index is rebuilt in another order.
	req.SortBy([]string{"-_score", "_id"})
	req.Fields = []string{"title", "text"}
	res, err := x.idx.SearchInContext(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("search %q: %w", text, err)
	}
	out := &Result{Total: res.Total, Hits: make([]Hit, 0, len(res.Hits))}
	for _, h := range res.Hits {
		hit := Hit{ID: h.ID, Score: h.Score, Page: 1}
		hit.Title, _ = h.Fields["title"].(string)
		pages := stringsOf(h.Fields["text"])
		spans := map[int][]span{}
		for _, field := range []string{"text", "text_folded"} {
			for term, locs := range h.Locations[field] {
				for _, l := range locs {
					page := 0
					if len(l.ArrayPositions) > 0 {
						page = int(l.ArrayPositions[0])
					}
					spans[page] = append(spans[page], span{int(l.Start), int(l.End), foldedTerm(term)})
				}
			}
		}
		// The best page holds the most distinct query words, then the most matches.
		best, bestRank := -1, [2]int{}
		for p, s := range spans {
			s = merge(s)
			spans[p] = s
			rank := [2]int{distinctTerms(s), len(s)}
			if best < 0 || rank[0] > bestRank[0] || (rank[0] == bestRank[0] && (rank[1] > bestRank[1] || rank[1] == bestRank[1] && p < best)) {
				best, bestRank = p, rank
			}
		}
		if best >= 0 && best < len(pages) {
			hit.Page = best + 1
			hit.Snippet = Snippet(pages[best], spans[best], snippetLength)
		} else if len(pages) > 0 {
			hit.Snippet = Snippet(pages[0], nil, snippetLength)
		}
		out.Hits = append(out.Hits, hit)
	}
	return out, nil
}

// stringsOf reads a stored field that Bleve returns as a string for one
// value and as []any for several.
func stringsOf(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		out := make([]string, 0, len(v))
		for _, e := range v {
			s, _ := e.(string)
			out = append(out, s)
		}
		return out
	}
	return nil
}

// span is a match: a byte range of a page's text and the (folded) term
// it matched.
type span struct {
	start, end int
	term       string
}

func distinctTerms(s []span) int {
	seen := map[string]bool{}
	for _, x := range s {
		seen[x.term] = true
	}
	return len(seen)
}

// merge sorts spans and joins the overlapping ones (the exact and the
// folded field report the same word twice).
func merge(s []span) []span {
	sort.Slice(s, func(i, j int) bool { return s[i].start < s[j].start })
	var out []span
	for _, x := range s {
		if n := len(out); n > 0 && x.start <= out[n-1].end {
			out[n-1].end = max(out[n-1].end, x.end)
			continue
		}
		out = append(out, x)
	}
	return out
}

const snippetLength = 240

// Snippet cuts about n bytes of text around the densest run of matches,
// HTML-escaped, with each match in <mark>. spans must be sorted and
// disjoint byte ranges of text.
func Snippet(text string, spans []span, n int) string {
	start := 0
	if len(spans) > 0 {
		// The window starting at a match that holds the most distinct query
		// words, then the most matches; n/2 bytes keeps the words together.
		var bestRank [2]int
		for i := range spans {
			j := i
			for j < len(spans) && spans[j].end-spans[i].start <= n/2 {
				j++
			}
			rank := [2]int{distinctTerms(spans[i:j]), j - i}
			if rank[0] > bestRank[0] || (rank[0] == bestRank[0] && rank[1] > bestRank[1]) {
				bestRank, start = rank, spans[i].start
			}
		}
		start = max(0, start-n/4)
	}
	end := min(len(text), start+n)
	start, end = wordBoundary(text, start, false), wordBoundary(text, end, true)
	var b strings.Builder
	if start > 0 {
		b.WriteString("…")
	}
	pos := start
	for _, s := range spans {
		if s.end <= start || s.start >= end {
			continue
		}
		b.WriteString(html.EscapeString(text[pos:max(pos, s.start)]))
		b.WriteString("<mark>")
		b.WriteString(html.EscapeString(text[max(pos, s.start):min(s.end, end)]))
		b.WriteString("</mark>")
		pos = min(s.end, end)
	}
	b.WriteString(html.EscapeString(text[pos:end]))
	if end < len(text) {
		b.WriteString("…")
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// wordBoundary moves i to the nearest space (forward or backward) so that a
// snippet neither starts nor ends inside a word or a UTF-8 sequence.
func wordBoundary(text string, i int, forward bool) int {
	if i <= 0 || i >= len(text) {
		return max(0, min(i, len(text)))
	}
	for k := 0; k < 40; k++ {
		j := i + k
		if !forward {
			j = i - k
		}
		if j <= 0 || j >= len(text) {
			break
		}
		if text[j] == ' ' || text[j] == '\n' {
			return j
		}
	}
	for i > 0 && i < len(text) && text[i]&0xC0 == 0x80 { // not inside a rune
		i--
	}
	return i
}

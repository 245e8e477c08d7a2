package search

import (
	"context"
	"errors"
	"fmt"
	"html"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/mapping"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	bbolt "go.etcd.io/bbolt/errors"

	"sohoa"
	"sohoa/vntext"
)

// Index is the search index.
type Index struct {
	idx   bleve.Index
	stale bool
}

type indexDoc struct {
	Title     string     `json:"title"`
	Text      []string   `json:"text"`
	Meta      string     `json:"meta"`
	IDs       []string   `json:"ids"`
	Type      string     `json:"type"`
	Unit      string     `json:"unit"`
	UnitPaths []string   `json:"unit_path"`
	Year      string     `json:"year,omitempty"`
	Date      *time.Time `json:"date,omitempty"`
	SoKyHieu  string     `json:"so_ky_hieu,omitempty"`
	SoHieu    string     `json:"so_hieu,omitempty"`
	SoVaoSo   string     `json:"so_vao_so,omitempty"`
	SubjectID string     `json:"subject_id,omitempty"`
	Digitized time.Time  `json:"digitized"`
	Approval  string     `json:"approval"`
}

// The approval field's values.
const (
	approvedValue   = "approved"
	unapprovedValue = "unapproved"
)

// MappingVersion is the layout of what the index keeps of a document. An
// index made by an older layout is Stale: remove it and index again.
//
//	1  title, text, metadata, identifiers, type, unit, record date
//	2  + the day digitized and whether a verified copy is current
//	3  + the rows of register pages: names, serials, register numbers
const MappingVersion = "3"

const mappingKey = "sohoa-mapping"

const docType = "document"

func newMapping() mapping.IndexMapping {
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
	meta := bleve.NewDocumentMapping()
	meta.AddFieldMapping(field("meta", analyzerExact, false))
	meta.AddFieldMapping(field("meta_folded", analyzerFolded, false))
	dm.AddSubDocumentMapping("meta", meta)
	// Keywords: never analysed, never folded. Those faceted on keep doc values.
	for _, k := range []struct {
		name         string
		store, facet bool
	}{
		{"ids", false, false}, {"type", true, true}, {"unit", true, true}, {"unit_path", false, false},
		{"year", false, true}, {"so_ky_hieu", false, false}, {"so_hieu", false, false}, {"so_vao_so", false, false},
		{"subject_id", false, false}, {"approval", false, false},
	} {
		f := bleve.NewKeywordFieldMapping()
		f.Name, f.Store, f.IncludeInAll, f.IncludeTermVectors, f.DocValues = k.name, k.store, false, false, k.facet
		sub := bleve.NewDocumentMapping()
		sub.AddFieldMapping(f)
		dm.AddSubDocumentMapping(k.name, sub)
	}
	for _, name := range []string{"date", "digitized"} {
		date := bleve.NewDateTimeFieldMapping()
		date.Name, date.IncludeInAll, date.Store = name, false, false
		dsub := bleve.NewDocumentMapping()
		dsub.AddFieldMapping(date)
		dm.AddSubDocumentMapping(name, dsub)
	}

	im := bleve.NewIndexMapping()
	im.AddDocumentMapping(docType, dm)
	im.DefaultMapping = dm
	im.DefaultType = docType
	im.DefaultAnalyzer = analyzerFolded
	return im
}

// ErrInUse is Open's error when another process holds the index.
var ErrInUse = errors.New("index in use by another process")

// lockWait is how long Open waits for another process to let go of the
// index before it says it is in use.
const lockWait = time.Second

// Open opens the index at dir, creating it if missing. One process at a
// time holds an index: another gets ErrInUse after lockWait.
func Open(dir string) (*Index, error) {
	idx, err := bleve.OpenUsing(dir, map[string]any{"bolt_timeout": lockWait.String()})
	made := false
	if errors.Is(err, bleve.ErrorIndexPathDoesNotExist) {
		idx, err = bleve.New(dir, newMapping())
		made = true
		if err == nil {
			if err = idx.SetInternal([]byte(mappingKey), []byte(MappingVersion)); err != nil {
				idx.Close()
			}
		}
	}
	if errors.Is(err, bbolt.ErrTimeout) {
		return nil, fmt.Errorf("open index %s: %w", dir, ErrInUse)
	}
	if err != nil {
		return nil, fmt.Errorf("open index %s: %w", dir, err)
	}
	x := &Index{idx: idx}
	if !made {
		v, err := idx.GetInternal([]byte(mappingKey))
		if err != nil {
			idx.Close()
			return nil, fmt.Errorf("open index %s: %w", dir, err)
		}
		x.stale = string(v) != MappingVersion
	}
	return x, nil
}

// Stale reports whether the index was made by an older MappingVersion: it
// answers, but not every filter of this one.
func (x *Index) Stale() bool { return x.stale }

// Remove deletes the index at dir, for a rebuild.
func Remove(dir string) error { return os.RemoveAll(dir) }

// Close flushes and closes the index.
func (x *Index) Close() error { return x.idx.Close() }

// Count returns how many documents are indexed.
func (x *Index) Count() (uint64, error) { return x.idx.DocCount() }

func toIndexDoc(d *sohoa.IndexDocument) indexDoc {
	x := indexDoc{Title: d.Title, Text: d.Pages, Type: d.Type, Unit: d.UnitID, UnitPaths: sohoa.AncestorPaths(d.UnitPath),
		Digitized: d.CreatedAt.UTC(), Approval: unapprovedValue}
	if d.Approved {
		x.Approval = approvedValue
	}
	// Every text value of the metadata is searchable; identifiers are also
	// keywords, exactly as printed.
	var meta []string
	ids := Identifiers(d.Title + "\n" + strings.Join(d.Pages, "\n"))
	if t, ok := sohoa.DocTypes[d.Type]; ok {
		for _, f := range t.Fields {
			switch v := d.Metadata[f.Name].(type) {
			case string:
				if f.Kind == sohoa.KindCCCD || f.Kind == sohoa.KindDate {
					continue // personal or not words: filters, not text
				}
				meta = append(meta, v)
				if f.Kind == sohoa.KindIdentifier || f.Kind == sohoa.KindKyHieu {
					ids = append(ids, CanonicalIdentifier(v))
				}
			case []string:
				meta = append(meta, v...)
			}
		}
		x.SoKyHieu = sohoa.SoKyHieu(d.Metadata)
		if x.SoKyHieu != "" {
			ids = append(ids, CanonicalIdentifier(x.SoKyHieu))
		}
		x.SoHieu, _ = d.Metadata["so_hieu"].(string)
		x.SoVaoSo, _ = d.Metadata["so_vao_so"].(string)
		if subj := sohoa.SubjectOf(d.Type, d.Metadata); subj != nil {
			x.SubjectID = subj.ID
		}
		if date := sohoa.DateOf(d.Type, d.Metadata); date != "" {
			if t, err := time.Parse("2006-01-02", date); err == nil {
				x.Date, x.Year = &t, date[:4]
			}
		}
	}
	// A register's rows: each person's name, and the numbers read surely.
	for _, e := range d.Entries {
		meta = append(meta, e.Value("ho_ten"))
		for _, name := range []string{"so_hieu", "so_vao_so"} {
			if v := e.Sure(name); v != "" {
				ids = append(ids, CanonicalIdentifier(v))
			}
		}
	}
	x.Meta, x.IDs = strings.Join(meta, "\n"), ids
	return x
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

// Query is a search request; Result one page of its hits.
type (
	Query  = sohoa.SearchQuery
	Result = sohoa.SearchResult
	Hit    = sohoa.Hit
	Facet  = sohoa.Facet
)

// MaxQueryLength bounds what a user may type, in bytes.
const MaxQueryLength = 1000

func (x *Index) textQuery(text string) query.Query {
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
	must := bleve.NewDisjunctionQuery(match("text_folded", 1), match("title_folded", 1), match("meta_folded", 1))
	should := []query.Query{
		phrase("text_folded", 2), phrase("title_folded", 2), phrase("meta_folded", 2),
		match("text", 3), phrase("text", 3), match("title", 3), match("meta", 3), phrase("meta", 3),
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

// term is a filter: it adds nothing to the score, so that ranking is the
// same whatever the filters (and however deep a record's unit).
func term(field, value string) query.Query {
	q := bleve.NewTermQuery(value)
	q.SetField(field)
	q.SetBoost(0)
	return q
}

func parseDay(name, s string) (time.Time, error) {
	d, err := sohoa.ParseDate(s)
	if err != nil {
		return time.Time{}, sohoa.FieldError(name, "Tham số %s: %v.", name, err)
	}
	t, _ := time.Parse("2006-01-02", d)
	return t, nil
}

// Search runs q.
func (x *Index) Search(ctx context.Context, q Query) (*Result, error) {
	text := vntext.Normalize(strings.TrimSpace(q.Text))
	if len(text) > MaxQueryLength {
		return nil, sohoa.Errorf(sohoa.EINVALID, "Nội dung tìm kiếm quá dài (tối đa %d ký tự).", MaxQueryLength)
	}
	root, err := x.query(text, q)
	if err != nil {
		return nil, err
	}
	req := bleve.NewSearchRequestOptions(root, q.Limit, q.Offset, false)
	req.IncludeLocations = true
	// Ties (two copies of the same form) go newest first, so that an answer
	// does not change when the index is rebuilt in another order.
	req.SortBy([]string{"-_score", "-_id"})
	if text == "" {
		req.SortBy([]string{"-_id"})
	}
	req.Fields = []string{"title", "text", "type", "unit"}
	req.AddFacet("type", bleve.NewFacetRequest("type", 10))
	req.AddFacet("unit", bleve.NewFacetRequest("unit", 50))
	req.AddFacet("year", bleve.NewFacetRequest("year", 30))
	res, err := x.idx.SearchInContext(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	out := &Result{Total: res.Total, Hits: make([]Hit, 0, len(res.Hits)), Facets: map[string][]Facet{}}
	for name, fr := range res.Facets {
		facets := []Facet{}
		for _, t := range fr.Terms.Terms() {
			facets = append(facets, Facet{Value: t.Term, Count: t.Count})
		}
		out.Facets[name] = facets
	}
	for _, h := range res.Hits {
		out.Hits = append(out.Hits, hitOf(h))
	}
	return out, nil
}

// query is q in Bleve's terms: the words (when there are any), every
// filter, and the asker's reach.
func (x *Index) query(text string, q Query) (query.Query, error) {
	var must []query.Query
	if text != "" {
		must = append(must, x.textQuery(text))
	}
	filters := 0
	for _, f := range []struct{ field, value string }{
		{"type", q.Type}, {"unit_path", q.Unit}, {"so_ky_hieu", vntext.Normalize(strings.TrimSpace(q.SoKyHieu))},
		{"so_hieu", vntext.Normalize(strings.TrimSpace(q.SoHieu))}, {"subject_id", strings.TrimSpace(q.SubjectID)},
	} {
		if f.value != "" {
			must = append(must, term(f.field, f.value))
			filters++
		}
	}
	if y := strings.TrimSpace(q.Year); y != "" {
		if len(y) != 4 || strings.Trim(y, "0123456789") != "" {
			return nil, sohoa.FieldError("year", "Năm %q không hợp lệ: cần 4 chữ số, ví dụ 2024.", y)
		}
		must = append(must, term("year", y))
		filters++
	}
	if q.From != "" || q.To != "" {
		r, err := dateRange(q.From, q.To)
		if err != nil {
			return nil, err
		}
		must = append(must, r)
		filters++
	}
	if q.DigitizedFrom != "" || q.DigitizedTo != "" {
		from, to, err := sohoa.ParseNamedDayRange("digitized_from", q.DigitizedFrom, "digitized_to", q.DigitizedTo)
		if err != nil {
			return nil, err
		}
		no, yes := false, true
		r := bleve.NewDateRangeInclusiveQuery(from, to, &yes, &no)
		r.SetField("digitized")
		r.SetBoost(0)
		must = append(must, r)
		filters++
	}
	if q.Approved != nil {
		v := unapprovedValue
		if *q.Approved {
			v = approvedValue
		}
		must = append(must, term("approval", v))
		filters++
	}
	if text == "" && filters == 0 {
		return nil, sohoa.Errorf(sohoa.EINVALID, "Vui lòng nhập nội dung cần tìm (tham số q) hoặc chọn bộ lọc.")
	}
	switch r := q.Reach; {
	case r.All:
	case r.Path == "":
		return bleve.NewMatchNoneQuery(), nil
	case r.Subtree:
		must = append(must, term("unit_path", r.Path))
	default:
		must = append(must, term("unit", unitOfPath(r.Path)))
	}
	if text == "" {
		// Filters alone: every match scores alike, newest first.
		must = append(must, bleve.NewMatchAllQuery())
	}
	return bleve.NewConjunctionQuery(must...), nil
}

// dateRange keeps the records whose own date is between from and to,
// inclusive (either may be "").
func dateRange(fromDay, toDay string) (query.Query, error) {
	var from, to time.Time
	var err error
	if fromDay != "" {
		if from, err = parseDay("from", fromDay); err != nil {
			return nil, err
		}
	}
	if toDay != "" {
		if to, err = parseDay("to", toDay); err != nil {
			return nil, err
		}
		to = to.Add(24*time.Hour - time.Nanosecond)
	}
	yes := true
	r := bleve.NewDateRangeInclusiveQuery(from, to, &yes, &yes)
	r.SetField("date")
	r.SetBoost(0)
	return r, nil
}

// hitOf is a Bleve hit as shown: at its best page, with a snippet there.
func hitOf(h *bsearch.DocumentMatch) Hit {
	hit := Hit{ID: h.ID, Score: h.Score, Page: 1}
	hit.Title, _ = h.Fields["title"].(string)
	hit.Type, _ = h.Fields["type"].(string)
	hit.UnitID, _ = h.Fields["unit"].(string)
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
	return hit
}

// unitOfPath returns the last unit ID of a path: /SGD/PGD/ → PGD.
func unitOfPath(path string) string {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	return parts[len(parts)-1]
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

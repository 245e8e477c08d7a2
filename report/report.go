// Package report makes the Department's monthly progress report (due to
// the province on the 15th): per unit, with the tree's subtotals, and per
// record type, what was digitized in the month, how well it was read, what
// was approved, superseded and revoked, what procedure systems fetched, the
// backlog, and how long work took. It reads the catalog only, which is
// made again from the store: after a rebuild the same month gives the same
// numbers (the backlog is as of the report's making, which it states).
package report

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"sohoa"
)

// Source is what the report reads: the catalog.
type Source interface {
	Units(ctx context.Context) ([]*sohoa.Unit, error)
	EachDocument(ctx context.Context, unitPath string, visit func(*sohoa.Document) error) error
	EachApproval(ctx context.Context, unitPath string, visit func(a *sohoa.Approval, docPath string) error) error
	Reuse(ctx context.Context, from, to time.Time) ([]*sohoa.ReuseEntry, error)
}

// Totals are the numbers of a unit (with the units below it), of a record
// type, or of the whole report.
type Totals struct {
	Documents        int `json:"documents"`
	Pages            int `json:"pages"`
	PagesBelow200DPI int `json:"pages_below_200dpi"`
	PagesUnknownDPI  int `json:"pages_unknown_dpi"`
	// Confidence counts the month's pages by their mean OCR word
	// confidence.
	Confidence      Spread    `json:"ocr_confidence"`
	FieldsProposed  int       `json:"fields_proposed"`
	FieldsCorrected int       `json:"fields_corrected"`
	Approved        int       `json:"approved"`
	Superseded      int       `json:"superseded"`
	Revoked         int       `json:"revoked"`
	Reuse           int       `json:"reuse"`
	Queued          int       `json:"queued"`
	Failed          int       `json:"failed"`
	WaitingReview   int       `json:"waiting_review"`
	WaitingApproval int       `json:"waiting_approval"`
	UploadToReady   Durations `json:"upload_to_ready"`
	ReadyToApproval Durations `json:"ready_to_approval"`
}

// Spread counts pages by mean OCR confidence.
type Spread struct {
	Below60  int `json:"below_60"`
	From60   int `json:"60_to_80"`
	From80   int `json:"80_to_90"`
	From90   int `json:"90_and_above"`
	Unknown  int `json:"not_read"`
	medianOf []float64
	// Median is the median page's confidence (0 when no page was read).
	Median float64 `json:"median"`
}

func (s *Spread) add(c *float64) {
	switch {
	case c == nil:
		s.Unknown++
		return
	case *c < 60:
		s.Below60++
	case *c < 80:
		s.From60++
	case *c < 90:
		s.From80++
	default:
		s.From90++
	}
	s.medianOf = append(s.medianOf, *c)
}

// Durations are the median and 90th percentile of how long something took,
// in seconds, over N cases.
type Durations struct {
	N      int     `json:"n"`
	Median float64 `json:"median_seconds"`
	P90    float64 `json:"p90_seconds"`
	of     []float64
}

func (d *Durations) add(from, to time.Time) { d.of = append(d.of, to.Sub(from).Seconds()) }

func (d *Durations) finish() {
	d.N = len(d.of)
	if d.N == 0 {
		return
	}
	slices.Sort(d.of)
	d.Median, d.P90 = quantile(d.of, 0.5), quantile(d.of, 0.9)
}

// quantile of sorted values, by the nearest rank.
func quantile(sorted []float64, q float64) float64 {
	i := int(q*float64(len(sorted))+0.999999) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

// Report is one month's report of a unit and those below it.
type Report struct {
	Month    string `json:"month"`
	UnitID   string `json:"unit_id"`
	UnitName string `json:"unit_name"`
	// From and To bound the month in Vietnam time: [From, To).
	From       time.Time   `json:"from"`
	To         time.Time   `json:"to"`
	MadeAt     time.Time   `json:"made_at"`
	Totals     Totals      `json:"totals"`
	Units      []UnitRow   `json:"units"`
	Types      []TypeRow   `json:"types"`
	Procedures []Procedure `json:"procedures"`
	// Trend is the twelve months up to the report's, oldest first.
	Trend       []MonthCount   `json:"trend"`
	Definitions []Definition   `json:"definitions"`
	unitIndex   map[string]int // unit path → index in Units
}

// UnitRow is a unit's numbers, those of the units below it included.
type UnitRow struct {
	UnitID   string `json:"unit_id"`
	Name     string `json:"name"`
	Kind     string `json:"kind"`
	ParentID string `json:"parent_id,omitempty"`
	// Depth is how far below the report's unit it is (0: that unit).
	Depth  int    `json:"depth"`
	Totals Totals `json:"totals"`
	path   string
}

// TypeRow is a record type's numbers.
type TypeRow struct {
	Type   string `json:"type"`
	Label  string `json:"label"`
	Totals Totals `json:"totals"`
}

// Procedure is how often procedure systems fetched a verified copy for one
// procedure in the month: papers citizens did not have to bring.
type Procedure struct {
	Procedure string `json:"procedure"`
	Fetches   int    `json:"fetches"`
}

// Definition says in one line what a number counts.
type Definition struct {
	Field string `json:"field"`
	Text  string `json:"text"`
}

// Definitions of every number, in Vietnamese, as the report prints them.
var Definitions = []Definition{
	{"documents", "Số hồ sơ được số hóa (tải lên) trong tháng."},
	{"pages", "Số trang của các hồ sơ đó."},
	{"pages_below_200dpi", "Số trang có độ phân giải khai báo dưới 200 dpi (dưới mức cần cho bản số hóa)."},
	{"pages_unknown_dpi", "Số trang không khai báo độ phân giải."},
	{"ocr_confidence", "Số trang theo độ tin cậy nhận dạng chữ trung bình: dưới 60, 60–80, 80–90, từ 90 trở lên, chưa đọc; và trang ở giữa."},
	{"fields_proposed", "Số trường thông tin hệ thống đọc được và đề xuất trên các hồ sơ của tháng."},
	{"fields_corrected", "Số trường đề xuất mà văn thư đã sửa thành giá trị khác."},
	{"approved", "Số bản sao điện tử được phê duyệt và ký số trong tháng."},
	{"superseded", "Số bản đã duyệt bị thay bằng bản đính chính trong tháng."},
	{"revoked", "Số bản đã duyệt bị thu hồi trong tháng."},
	{"reuse", "Số lần hệ thống thủ tục hành chính lấy bản sao đã xác thực trong tháng: giấy tờ người dân không phải nộp."},
	{"queued", "Số hồ sơ đang chờ hoặc đang nhận dạng chữ, lúc lập báo cáo."},
	{"failed", "Số hồ sơ nhận dạng không thành công, lúc lập báo cáo."},
	{"waiting_review", "Số hồ sơ đã đọc xong nhưng chưa có thông tin nào được văn thư xác nhận, lúc lập báo cáo."},
	{"waiting_approval", "Số hồ sơ đã có thông tin nhưng chưa có bản được phê duyệt, lúc lập báo cáo."},
	{"upload_to_ready", "Thời gian từ lúc tải lên đến lúc đọc xong (trung vị, phân vị 90), các hồ sơ của tháng."},
	{"ready_to_approval", "Thời gian từ lúc đọc xong đến lúc phê duyệt (trung vị, phân vị 90), các bản duyệt trong tháng."},
}

var reMonth = regexp.MustCompile(`^(\d{4})-(0[1-9]|1[0-2])$`)

// MonthRange is the month "2026-11" as [from, to) in Vietnam time.
func MonthRange(month string) (from, to time.Time, err error) {
	if !reMonth.MatchString(month) {
		return from, to, sohoa.FieldError("month", "Tháng %q không hợp lệ: cần dạng YYYY-MM, ví dụ 2026-11.", month)
	}
	from, _ = time.ParseInLocation("2006-01", month, sohoa.Vietnam)
	return from, from.AddDate(0, 1, 0), nil
}

// Monthly makes the report of month ("2026-11") for unit and the units
// below it; now is when it is made (the backlog's moment).
func Monthly(ctx context.Context, src Source, unit *sohoa.Unit, month string, now time.Time) (*Report, error) {
	from, to, err := MonthRange(month)
	if err != nil {
		return nil, err
	}
	r := &Report{Month: month, UnitID: unit.ID, UnitName: unit.Name, From: from, To: to, MadeAt: now.In(sohoa.Vietnam),
		Definitions: Definitions, unitIndex: map[string]int{}}
	units, err := src.Units(ctx)
	if err != nil {
		return nil, err
	}
	byID := map[string]*sohoa.Unit{}
	for _, u := range units {
		byID[u.ID] = u
	}
	// The unit, then the units below it, each after its parent, by ID.
	var walk func(u *sohoa.Unit, depth int)
	children := map[string][]*sohoa.Unit{}
	for _, u := range units {
		children[u.ParentID] = append(children[u.ParentID], u)
	}
	walk = func(u *sohoa.Unit, depth int) {
		r.unitIndex[u.Path] = len(r.Units)
		r.Units = append(r.Units, UnitRow{UnitID: u.ID, Name: u.Name, Kind: u.Kind, ParentID: u.ParentID, Depth: depth, path: u.Path})
		kids := children[u.ID]
		sort.Slice(kids, func(i, j int) bool { return kids[i].ID < kids[j].ID })
		for _, k := range kids {
			walk(k, depth+1)
		}
	}
	walk(unit, 0)

	types := map[string]*TypeRow{}
	typeOf := func(t string) *Totals {
		if t == "" {
			t = "chua_phan_loai"
		}
		row, ok := types[t]
		if !ok {
			label := "Chưa phân loại"
			if dt, ok := sohoa.DocTypes[t]; ok {
				label = dt.Label
			}
			row = &TypeRow{Type: t, Label: label}
			types[t] = row
		}
		return &row.Totals
	}
	// Each number goes to the document's unit and every unit above it
	// within the report, to its type, and to the whole.
	each := func(path, typ string, f func(t *Totals)) {
		f(&r.Totals)
		f(typeOf(typ))
		for p := path; strings.HasPrefix(p, unit.Path); p = parentPath(p) {
			if i, ok := r.unitIndex[p]; ok {
				f(&r.Units[i].Totals)
			}
		}
	}
	trendFrom := to.AddDate(0, -12, 0)
	trend := map[string]*MonthCount{}
	for i := range 12 {
		m := trendFrom.AddDate(0, i, 0).Format("2006-01")
		r.Trend = append(r.Trend, MonthCount{Month: m})
	}
	for i := range r.Trend {
		trend[r.Trend[i].Month] = &r.Trend[i]
	}
	monthOf := func(t time.Time) *MonthCount { return trend[t.In(sohoa.Vietnam).Format("2006-01")] }
	docs := map[string]*doc{}
	err = src.EachDocument(ctx, unit.Path, func(d *sohoa.Document) error {
		docs[d.ID] = &doc{typ: d.Type, path: d.UnitPath, ready: d.ReadyAt, status: d.Status, record: len(d.Metadata) > 0}
		if m := monthOf(d.CreatedAt); m != nil {
			m.Documents++
			m.Pages += len(d.Pages)
		}
		if d.CreatedAt.Before(from) || !d.CreatedAt.Before(to) {
			return nil
		}
		proposed, corrected := proposals(d)
		each(d.UnitPath, d.Type, func(t *Totals) {
			t.Documents++
			t.Pages += len(d.Pages)
			for _, p := range d.Pages {
				switch {
				case p.DPI == 0:
					t.PagesUnknownDPI++
				case p.DPI < 200:
					t.PagesBelow200DPI++
				}
				t.Confidence.add(p.OCRConfidence)
			}
			t.FieldsProposed += proposed
			t.FieldsCorrected += corrected
			if d.ReadyAt != nil {
				t.UploadToReady.add(d.CreatedAt, *d.ReadyAt)
			}
		})
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = src.EachApproval(ctx, unit.Path, func(a *sohoa.Approval, docPath string) error {
		d := docs[a.DocumentID]
		if d == nil {
			return nil
		}
		d.approved = d.approved || a.Status == sohoa.ApprovalActive
		if m := monthOf(a.ApprovedAt); m != nil {
			m.Approved++
		}
		if in(a.ApprovedAt, from, to) {
			each(docPath, d.typ, func(t *Totals) {
				t.Approved++
				if d.ready != nil && a.Version == 1 {
					t.ReadyToApproval.add(*d.ready, a.ApprovedAt)
				}
			})
		}
		if a.EndedAt != nil && in(*a.EndedAt, from, to) {
			each(docPath, d.typ, func(t *Totals) {
				switch a.Status {
				case sohoa.ApprovalSuperseded:
					t.Superseded++
				case sohoa.ApprovalRevoked:
					t.Revoked++
				}
			})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, d := range docs {
		d.backlog(each)
	}
	ledger, err := src.Reuse(ctx, trendFrom, to)
	if err != nil {
		return nil, err
	}
	procs := map[string]int{}
	for _, e := range ledger {
		d := docs[e.Document]
		if d == nil {
			continue // a document out of the report's units
		}
		if m := monthOf(e.At); m != nil {
			m.Reuse++
		}
		if !in(e.At, from, to) {
			continue
		}
		procs[e.Procedure]++
		each(d.path, d.typ, func(t *Totals) { t.Reuse++ })
	}
	for p, n := range procs {
		r.Procedures = append(r.Procedures, Procedure{Procedure: p, Fetches: n})
	}
	sort.Slice(r.Procedures, func(i, j int) bool {
		a, b := r.Procedures[i], r.Procedures[j]
		return a.Fetches > b.Fetches || a.Fetches == b.Fetches && a.Procedure < b.Procedure
	})
	for _, t := range types {
		r.Types = append(r.Types, *t)
	}
	sort.Slice(r.Types, func(i, j int) bool { return r.Types[i].Type < r.Types[j].Type })
	r.Totals.finish()
	for i := range r.Units {
		r.Units[i].Totals.finish()
	}
	for i := range r.Types {
		r.Types[i].Totals.finish()
	}
	return r, nil
}

// doc is as much of a document as the report keeps while it reads.
type doc struct {
	typ, path string
	ready     *time.Time
	status    sohoa.Status
	record    bool // a clerk set a field of its record
	approved  bool // it has a current approved copy
}

// backlog counts d where it stands now.
func (d *doc) backlog(each func(string, string, func(*Totals))) {
	switch {
	case d.status == sohoa.StatusQueued || d.status == sohoa.StatusProcessing:
		each(d.path, d.typ, func(t *Totals) { t.Queued++ })
	case d.status == sohoa.StatusFailed:
		each(d.path, d.typ, func(t *Totals) { t.Failed++ })
	case !d.record:
		each(d.path, d.typ, func(t *Totals) { t.WaitingReview++ })
	case !d.approved:
		each(d.path, d.typ, func(t *Totals) { t.WaitingApproval++ })
	}
}

// proposals counts the fields proposed on d, and those whose confirmed
// value differs from the proposal (a clerk corrected it).
func proposals(d *sohoa.Document) (proposed, corrected int) {
	for name, p := range d.Proposed {
		proposed++
		v, ok := d.Metadata[name]
		if ok && fmt.Sprint(v) != fmt.Sprint(p.Value) {
			corrected++
		}
	}
	return proposed, corrected
}

func (t *Totals) finish() {
	t.UploadToReady.finish()
	t.ReadyToApproval.finish()
	if c := t.Confidence.medianOf; len(c) > 0 {
		slices.Sort(c)
		t.Confidence.Median = quantile(c, 0.5)
	}
	t.Confidence.medianOf = nil
}

func in(t, from, to time.Time) bool { return !t.Before(from) && t.Before(to) }

// parentPath is the path of the unit above ("/SGD/A/" → "/SGD/"), "" above
// the root.
func parentPath(p string) string {
	p = strings.TrimSuffix(p, "/")
	i := strings.LastIndexByte(p, '/')
	if i < 0 {
		return ""
	}
	return p[:i+1]
}

package records

import (
	"context"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"sohoa"
)

// ListQuery selects a page of documents: by status ("" for any), those
// without an approved copy, Limit of them after Cursor.
type ListQuery struct {
	Status     string
	Unapproved bool
	Type       string
	Unit       string // a unit's ID: it and the units below it
	Year       string // of the record's own date
	// SHA256 is of an uploaded file the documents hold (an import asks
	// what the service has).
	SHA256 string
	// From and To are the days it was digitized, YYYY-MM-DD or dd/mm/yyyy.
	From, To string
	Sort     string // newest (""), oldest, title, date
	Limit    int
	Cursor   string
}

func (s *Service) filter(ctx context.Context, p *sohoa.Principal, q ListQuery) (sohoa.DocumentFilter, error) {
	f := sohoa.DocumentFilter{Reach: p.Reach(), Limit: q.Limit, Cursor: q.Cursor, Unapproved: q.Unapproved,
		Type: q.Type, Year: q.Year, Sort: sohoa.Sort(q.Sort)}
	if q.Sort == "newest" {
		f.Sort = sohoa.SortNewest
	}
	var probs sohoa.Problems
	if q.Status != "" {
		st := sohoa.Status(q.Status)
		if !st.Valid() {
			probs.Add("status", "Trạng thái %q không hợp lệ (queued, processing, ready, failed).", q.Status)
		}
		f.Status = &st
	}
	if _, ok := sohoa.DocTypes[q.Type]; q.Type != "" && !ok {
		probs.Add("type", "Loại hồ sơ %q không hợp lệ (%s).", q.Type, strings.Join(sohoa.TypeNames(), ", "))
	}
	if q.SHA256 != "" {
		f.Original = strings.ToLower(q.SHA256)
		if !sha256RE.MatchString(f.Original) {
			probs.Add("sha256", "Mã SHA-256 %q không hợp lệ: cần 64 chữ số hệ mười sáu.", q.SHA256)
		}
	}
	if q.Year != "" && !yearRE.MatchString(q.Year) {
		probs.Add("year", "Năm %q không hợp lệ: cần 4 chữ số, ví dụ 2024.", q.Year)
	}
	if !f.Sort.Valid() {
		probs.Add("sort", "Cách sắp xếp %q không hợp lệ (newest, oldest, title, date).", q.Sort)
	}
	var err error
	f.Since, f.Before, err = sohoa.ParseDayRange(q.From, q.To)
	if err = probs.AddError(err); err != nil {
		return f, err
	}
	if q.Unit != "" {
		if u, err := s.cat.Unit(ctx, q.Unit); err == nil {
			f.UnitPath = u.Path
		} else if sohoa.IsNotFound(err) {
			probs.Add("unit_id", "Không tìm thấy đơn vị %q.", q.Unit)
		} else {
			return f, err
		}
	}
	return f, probs.Err()
}

var (
	yearRE   = regexp.MustCompile(`^[0-9]{4}$`)
	sha256RE = regexp.MustCompile(`^[0-9a-f]{64}$`)
)

// List returns the documents within p's reach, newest first, personal
// data masked.
func (s *Service) List(ctx context.Context, p *sohoa.Principal, q ListQuery) (*sohoa.DocumentList, error) {
	f, err := s.filter(ctx, p, q)
	if err != nil {
		return nil, err
	}
	return s.list(ctx, p, f, sohoa.ActionList, "")
}

// Person returns the records within p's reach that name the person with
// this CCCD.
func (s *Service) Person(ctx context.Context, p *sohoa.Principal, cccd string, q ListQuery) (*sohoa.DocumentList, error) {
	if err := sohoa.CheckCCCD(cccd); err != nil {
		return nil, sohoa.FieldError("cccd", "Số định danh không hợp lệ: %v.", err)
	}
	f, err := s.filter(ctx, p, q)
	if err != nil {
		return nil, err
	}
	f.SubjectID = cccd
	return s.list(ctx, p, f, sohoa.ActionPeople, "person "+sohoa.MaskCCCD(cccd)+":")
}

func (s *Service) list(ctx context.Context, p *sohoa.Principal, f sohoa.DocumentFilter, action, detail string) (*sohoa.DocumentList, error) {
	page, err := s.cat.Documents(ctx, f)
	if err == nil {
		err = s.withProgress(ctx, page.Documents...)
	}
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(page.Documents))
	for i, d := range page.Documents {
		ids[i], page.Documents[i] = d.ID, s.view(ctx, p, d, true)
	}
	if err := s.record(ctx, p, action, "", strings.TrimSpace(detail+" "+strings.Join(ids, ","))); err != nil {
		return nil, err
	}
	return page, nil
}

// Documents returns the documents ids within p's reach (those out of it
// left out, as if they did not exist), personal data masked, recorded as
// one list read: a clerk's page asking how its uploads are doing.
func (s *Service) Documents(ctx context.Context, p *sohoa.Principal, ids []string) ([]*sohoa.Document, error) {
	var out []*sohoa.Document
	var seen []string
	for _, id := range ids {
		if len(out) >= 200 {
			break
		}
		d, err := s.document(ctx, p, id)
		if sohoa.IsNotFound(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, s.view(ctx, p, d, true))
		seen = append(seen, d.ID)
	}
	if err := s.withProgress(ctx, out...); err != nil {
		return nil, err
	}
	if len(seen) == 0 {
		return out, nil
	}
	return out, s.record(ctx, p, sohoa.ActionList, "", "status "+strings.Join(seen, ","))
}

// Get returns one record, whole to those who see personal data.
func (s *Service) Get(ctx context.Context, p *sohoa.Principal, id string) (*sohoa.Document, error) {
	d, err := s.document(ctx, p, id)
	if err == nil {
		err = s.withProgress(ctx, d)
	}
	if err == nil {
		err = s.record(ctx, p, sohoa.ActionRead, d.ID, "")
	}
	if err != nil {
		return nil, err
	}
	return s.view(ctx, p, d, false), nil
}

// History returns the changes made to a record, oldest first, personal
// values masked (the store's revisions keep them whole).
func (s *Service) History(ctx context.Context, p *sohoa.Principal, id string) ([]sohoa.Change, error) {
	d, err := s.document(ctx, p, id)
	var changes []sohoa.Change
	if err == nil {
		changes, err = s.history(ctx, d.ID)
	}
	if err == nil {
		err = s.record(ctx, p, sohoa.ActionHistory, d.ID, "")
	}
	if err != nil {
		return nil, err
	}
	return changes, nil
}

// history is History, unrecorded.
func (s *Service) history(ctx context.Context, id string) ([]sohoa.Change, error) {
	changes, err := s.writer.History(ctx, id)
	if err != nil {
		return nil, err
	}
	for i, c := range changes {
		if name, ok := strings.CutPrefix(c.Field, "metadata."); ok {
			for _, t := range sohoa.DocTypes {
				if f, ok := t.Field(name); ok && f.Personal {
					changes[i].Old, changes[i].New = maskAny(f.Kind, c.Old), maskAny(f.Kind, c.New)
				}
			}
		}
	}
	return changes, nil
}

// RecordPage is what the page of a record shows: the record, the words of
// one of its pages (once read), its history and approvals, and, to those
// who may read the audit log, who read it last.
type RecordPage struct {
	Doc       *sohoa.Document
	Page      int
	Words     *sohoa.PageText
	History   []sohoa.Change
	Approvals []sohoa.Approval
	Reads     []*sohoa.AuditEntry
}

// recentReads is how many of a record's last audit entries its page shows.
const recentReads = 20

// Record returns the page of record id at page n (the first when n is not
// one of its pages), recorded as one read: what Get, PageWords, History,
// Approvals and AuditLog return, in one audit entry.
func (s *Service) Record(ctx context.Context, p *sohoa.Principal, id string, n int) (*RecordPage, error) {
	d, err := s.document(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if err := s.withProgress(ctx, d); err != nil {
		return nil, err
	}
	rp := &RecordPage{Page: 1}
	if n >= 1 && n <= len(d.Pages) {
		rp.Page = n
	}
	seen := []string{}
	if d.Status == sohoa.StatusReady && len(d.Pages) > 0 {
		if rp.Words, err = s.writer.PageText(ctx, d.ID, rp.Page); err != nil {
			return nil, err
		}
		seen = append(seen, "nội dung trang "+strconv.Itoa(rp.Page))
	}
	if rp.History, err = s.history(ctx, d.ID); err != nil {
		return nil, err
	}
	if rp.Approvals, err = s.writer.Approvals(ctx, d.ID); err != nil {
		return nil, err
	}
	seen = append(seen, "lịch sử")
	if p.Role == sohoa.RoleOfficial || p.Role == sohoa.RoleAdmin {
		f := sohoa.AuditFilter{Document: d.ID, Limit: 1000}
		if p.Role == sohoa.RoleOfficial {
			f.UnitPath = p.UnitPath
		}
		if rp.Reads, err = s.cat.Audit(ctx, f); err != nil {
			return nil, err
		}
		if k := len(rp.Reads); k > recentReads {
			rp.Reads = rp.Reads[k-recentReads:]
		}
		seen = append(seen, "nhật ký truy cập")
	}
	if err := s.record(ctx, p, sohoa.ActionRead, d.ID, strings.Join(seen, ", ")); err != nil {
		return nil, err
	}
	rp.Doc = s.view(ctx, p, d, false)
	return rp, nil
}

func maskAny(k sohoa.FieldKind, v any) any {
	if s, ok := v.(string); ok && s != "" {
		return sohoa.MaskPersonal(k, s)
	}
	return v
}

var statusNames = map[sohoa.Status]string{
	sohoa.StatusQueued: "đang chờ", sohoa.StatusProcessing: "đang nhận dạng",
	sohoa.StatusFailed: "lỗi", sohoa.StatusReady: "sẵn sàng",
}

func ready(d *sohoa.Document) error {
	if d.Status == sohoa.StatusReady {
		return nil
	}
	return sohoa.Errorf(sohoa.ECONFLICT, "Văn bản chưa có nội dung nhận dạng (trạng thái: %s).", statusNames[d.Status])
}

// Text returns a read record's whole text, pages separated by form feeds.
func (s *Service) Text(ctx context.Context, p *sohoa.Principal, id string) (*Blob, error) {
	d, err := s.document(ctx, p, id)
	if err == nil {
		err = ready(d)
	}
	if err == nil {
		err = s.record(ctx, p, sohoa.ActionText, d.ID, "")
	}
	if err != nil {
		return nil, err
	}
	return &Blob{ContentType: "text/plain; charset=utf-8", open: func(ctx context.Context) (io.ReadCloser, error) {
		return s.writer.OpenText(ctx, d.ID)
	}}, nil
}

// page returns page n (as typed) of a record within p's reach.
func (s *Service) page(ctx context.Context, p *sohoa.Principal, id, n string) (*sohoa.Document, *sohoa.Page, error) {
	d, err := s.document(ctx, p, id)
	if err != nil {
		return nil, nil, err
	}
	k, err := strconv.Atoi(n)
	if err != nil || k < 1 || k > len(d.Pages) {
		return nil, nil, sohoa.Errorf(sohoa.ENOTFOUND, "Văn bản không có trang %s (có %d trang).", n, len(d.Pages))
	}
	return d, &d.Pages[k-1], nil
}

// PageImage returns the original image of page n of a record: the bytes
// uploaded, tagged with their digest.
func (s *Service) PageImage(ctx context.Context, p *sohoa.Principal, id, n string) (*Blob, error) {
	d, pg, err := s.page(ctx, p, id, n)
	if err == nil {
		err = s.record(ctx, p, sohoa.ActionPageImage, d.ID, "trang "+strconv.Itoa(pg.Number))
	}
	if err != nil {
		return nil, err
	}
	sha := pg.SHA256
	return &Blob{ContentType: pg.ContentType, ETag: sha, open: func(ctx context.Context) (io.ReadCloser, error) {
		return s.writer.OpenOriginal(ctx, sha)
	}}, nil
}

// PageText returns what OCR read on page n of a read record.
func (s *Service) PageText(ctx context.Context, p *sohoa.Principal, id, n string) (string, error) {
	pt, err := s.PageWords(ctx, p, id, n)
	if err != nil {
		return "", err
	}
	return pt.Text, nil
}

// PageWords returns what OCR read on page n of a read record, word by word
// with their boxes, for the page viewer.
func (s *Service) PageWords(ctx context.Context, p *sohoa.Principal, id, n string) (*sohoa.PageText, error) {
	d, pg, err := s.page(ctx, p, id, n)
	if err == nil {
		err = ready(d)
	}
	if err == nil {
		err = s.record(ctx, p, sohoa.ActionPageText, d.ID, "trang "+strconv.Itoa(pg.Number))
	}
	if err != nil {
		return nil, err
	}
	return s.writer.PageText(ctx, d.ID, pg.Number)
}

// Overview is what waits for someone and how much was digitized within
// their reach.
type Overview struct {
	Since time.Time
	sohoa.Tally
	// Failed and Reading are uploads that failed and that are being read;
	// Waiting the records read and not approved (for those who approve).
	Failed, Reading, Waiting []*sohoa.Document
}

// Overview returns what waits for p, and what was digitized within its
// reach since since.
func (s *Service) Overview(ctx context.Context, p *sohoa.Principal, since time.Time) (*Overview, error) {
	t, err := s.cat.Tally(ctx, p.Reach(), since)
	if err != nil {
		return nil, err
	}
	o := &Overview{Since: since, Tally: *t}
	failed, queued, processing, ready := sohoa.StatusFailed, sohoa.StatusQueued, sohoa.StatusProcessing, sohoa.StatusReady
	lists := []struct {
		f    sohoa.DocumentFilter
		into *[]*sohoa.Document
	}{
		{sohoa.DocumentFilter{Status: &failed}, &o.Failed},
		{sohoa.DocumentFilter{Status: &processing}, &o.Reading},
		{sohoa.DocumentFilter{Status: &queued}, &o.Reading},
	}
	if p.Role == sohoa.RoleOfficial || p.Role == sohoa.RoleAdmin {
		lists = append(lists, struct {
			f    sohoa.DocumentFilter
			into *[]*sohoa.Document
		}{sohoa.DocumentFilter{Status: &ready, Unapproved: true}, &o.Waiting})
	}
	var ids []string
	for _, l := range lists {
		l.f.Reach, l.f.Limit = p.Reach(), 20
		page, err := s.cat.Documents(ctx, l.f)
		if err != nil {
			return nil, err
		}
		for _, d := range page.Documents {
			*l.into = append(*l.into, s.view(ctx, p, d, true))
			ids = append(ids, d.ID)
		}
	}
	if err := s.withProgress(ctx, o.Reading...); err != nil {
		return nil, err
	}
	return o, s.record(ctx, p, sohoa.ActionList, "", "overview "+strings.Join(ids, ","))
}

// cccdRE finds 12-digit numbers in snippets: masked like every CCCD in a list.
var cccdRE = regexp.MustCompile(`\b\d{12}\b`)

// birthRE finds a date of birth in snippets ("Ngày sinh: 12/04/2004", the
// word perhaps marked): its day and month are masked, its year kept, as
// in every list.
var birthRE = regexp.MustCompile(`(?i)(sinh(?:</?mark>|[^0-9<]){0,15})\d{1,2}\s*[/.-]\s*\d{1,2}\s*[/.-]\s*(\d{4})`)

// Search runs q within p's reach (q.Unit is a unit's ID here), its
// snippets' CCCD numbers masked.
func (s *Service) Search(ctx context.Context, p *sohoa.Principal, q sohoa.SearchQuery) (*sohoa.SearchResult, error) {
	if q.Type != "" {
		if _, ok := sohoa.DocTypes[q.Type]; !ok {
			return nil, sohoa.FieldError("type", "Loại hồ sơ %q không hợp lệ (%s).", q.Type, strings.Join(sohoa.TypeNames(), ", "))
		}
	}
	if q.Unit != "" {
		u, err := s.cat.Unit(ctx, q.Unit)
		if err != nil {
			return nil, errNoUnit(q.Unit)
		}
		q.Unit = u.Path
	}
	q.Reach = p.Reach()
	res, err := s.search.Search(ctx, q)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(res.Hits))
	for i := range res.Hits {
		h := &res.Hits[i]
		ids[i] = h.ID
		h.Snippet = birthRE.ReplaceAllString(cccdRE.ReplaceAllStringFunc(h.Snippet, sohoa.MaskCCCD), "${1}**/**/$2")
		if h.Type == sohoa.TypeSoGoc {
			if d, err := s.cat.Document(ctx, h.ID); err == nil {
				if e := entryFound(d, q.Text); e != nil {
					masked := e.Masked() // a hit is shown as in lists
					h.Entry, h.Page = &masked, e.Page
				}
			}
		}
	}
	if err := s.record(ctx, p, sohoa.ActionSearch, "", strings.Join(ids, ",")); err != nil {
		return nil, err
	}
	return res, nil
}

// entryFound is the row of register page d that the words text name: a
// person whose name holds every word (diacritics or not), or whose serial
// or register number is text.
func entryFound(d *sohoa.Document, text string) *sohoa.Entry {
	words := strings.Fields(sohoa.NameKey(text))
	id := idKey(text)
	for i := range d.Entries {
		e := &d.Entries[i]
		if len(id) >= 6 && (idKey(e.Value("so_hieu")) == id || idKey(e.Value("so_vao_so")) == id) {
			return e
		}
		name := " " + sohoa.NameKey(e.Value("ho_ten")) + " "
		all := len(words) > 0
		for _, w := range words {
			all = all && strings.Contains(name, " "+w+" ")
		}
		if all {
			return e
		}
	}
	return nil
}

// idKey is a serial or register number as typed, its letters and digits
// only: "B 0101201" and "b0101201" are one.
func idKey(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

package web

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"sohoa"
	"sohoa/internal/form"
	"sohoa/internal/send"
	"sohoa/records"
)

func (s *Server) home(w http.ResponseWriter, r *http.Request, p *sohoa.Principal) {
	now := time.Now().In(sohoa.Vietnam)
	month := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, sohoa.Vietnam)
	o, err := s.Records.Overview(r.Context(), p, month)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "home", &view{Title: "Trang chủ", Principal: p, Data: o, Nav: "home"})
}

// searchView is the search page: the query as typed, the answer, and what
// refines it.
type searchView struct {
	Q, Type, Unit, From, To string
	Year, Approved          string
	DigitizedFrom           string
	DigitizedTo             string
	Result                  *sohoa.SearchResult
	Types                   []*sohoa.DocType
	Units                   []*sohoa.Unit
	Offset, Limit           int
	// Prev and Next are the queries of the pages around this one.
	Prev, Next string
	// Refine is the query with a facet value set, by facet and value.
	Refine map[string]map[string]string
	// Saved are the asker's saved searches; Link is this search's, to save.
	Saved []sohoa.SavedSearch
	Link  string
}

const pageSize = 20

// searchParams are the parameters of a search: one of them set asks for one.
var searchParams = []string{"q", "type", "unit", "from", "to", "year", "digitized_from", "digitized_to", "approved"}

func (s *Server) search(w http.ResponseWriter, r *http.Request, p *sohoa.Principal) {
	s.showSearch(w, r, p, r.URL.Query(), http.StatusOK, "", nil)
}

// showSearch renders the search q asks for; problem and fields are those
// of a refused save of it.
func (s *Server) showSearch(w http.ResponseWriter, r *http.Request, p *sohoa.Principal, q url.Values, status int, problem string, fields map[string]string) {
	v := &searchView{Q: q.Get("q"), Type: q.Get("type"), Unit: q.Get("unit"), From: q.Get("from"), To: q.Get("to"),
		Year: q.Get("year"), Approved: q.Get("approved"), DigitizedFrom: q.Get("digitized_from"), DigitizedTo: q.Get("digitized_to"),
		Limit: pageSize, Types: docTypes(), Refine: map[string]map[string]string{}}
	v.Offset, _ = strconv.Atoi(q.Get("tu"))
	v.Offset = max(0, min(v.Offset, 10000))
	v.Units, _ = s.Directory.Units(r.Context())
	saved, err := s.Directory.SavedSearches(r.Context(), p)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v.Saved = saved
	view := &view{Title: "Tìm kiếm", Principal: p, Data: v, Nav: "search", Problem: problem, Fields: fields}
	if q.Get("thong-bao") == "da-luu" {
		view.Notice = "Đã lưu tìm kiếm."
	}
	asked := false
	for _, k := range searchParams {
		asked = asked || q.Get(k) != ""
	}
	if asked {
		approved, err := sohoa.ParseApproved("approved", v.Approved)
		var res *sohoa.SearchResult
		if err == nil {
			res, err = s.Records.Search(r.Context(), p, sohoa.SearchQuery{Text: v.Q, Type: v.Type, Unit: v.Unit, From: v.From, To: v.To,
				Year: v.Year, DigitizedFrom: v.DigitizedFrom, DigitizedTo: v.DigitizedTo, Approved: approved, Limit: pageSize, Offset: v.Offset})
		}
		if err != nil && sohoa.ErrorCode(err) != sohoa.EINVALID && !sohoa.IsNotFound(err) {
			s.fail(w, r, err)
			return
		}
		if err != nil && view.Fields == nil {
			view.Problem, view.Fields = forPeople(err, searchLabels)
		} else if err != nil {
			view.Problem = sohoa.ErrorMessage(err)
		}
		v.Result = res
		v.pages(q)
		v.Link = linkTo("/tim-kiem", q, nil) // SaveSearch keeps what makes the search
	}
	s.render(w, r, status, "search", view)
}

// saveSearch keeps the search or list the page shows under a name.
func (s *Server) saveSearch(w http.ResponseWriter, r *http.Request, p *sohoa.Principal) {
	link := r.PostFormValue("link")
	saved, err := s.Directory.SaveSearch(r.Context(), p, r.PostFormValue("name"), link)
	if err == nil {
		http.Redirect(w, r, saved.Link+"&thong-bao=da-luu", http.StatusSeeOther) // a saved link always has a query
		return
	}
	if sohoa.ErrorCode(err) != sohoa.EINVALID {
		s.fail(w, r, err)
		return
	}
	u, perr := url.Parse(link)
	if perr != nil {
		u = &url.URL{Path: "/tim-kiem"}
	}
	if u.Path == "/ho-so" {
		s.showList(w, r, p, u.Query(), http.StatusBadRequest, nil, "Chưa lưu: "+sohoa.ErrorMessage(err))
		return
	}
	s.showSearch(w, r, p, u.Query(), http.StatusBadRequest, "Chưa lưu: "+sohoa.ErrorMessage(err), fieldProblems(err))
}

func (s *Server) deleteSavedSearch(w http.ResponseWriter, r *http.Request, p *sohoa.Principal) {
	if err := s.Directory.DeleteSavedSearch(r.Context(), p, mux.Vars(r)["id"]); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/tim-kiem", http.StatusSeeOther)
}

// pages makes the links to the pages around this one and to the facets.
func (v *searchView) pages(q url.Values) {
	with := func(k, val string) string {
		set := map[string]string{k: val}
		if k != "tu" {
			set["tu"] = "" // a refined search starts at its first page
		}
		return linkTo("/tim-kiem", q, set)
	}
	if v.Offset > 0 {
		v.Prev = with("tu", strconv.Itoa(max(0, v.Offset-v.Limit)))
	}
	if v.Result != nil && uint64(v.Offset+v.Limit) < v.Result.Total {
		v.Next = with("tu", strconv.Itoa(v.Offset+v.Limit))
	}
	if v.Result == nil {
		return
	}
	for name, facets := range v.Result.Facets {
		v.Refine[name] = map[string]string{}
		for _, f := range facets {
			v.Refine[name][f.Value] = with(name, f.Value)
		}
	}
}

func docTypes() []*sohoa.DocType {
	var out []*sohoa.DocType
	for _, n := range sohoa.TypeNames() {
		out = append(out, sohoa.DocTypes[n])
	}
	return out
}

// listView is the list of records: the filters as sent, a page of the
// records, the links that sort and page it, and what a bulk edit did.
type listView struct {
	Status, Type, Unit, Year, From, To, Sort string
	Unapproved                               bool
	List                                     *sohoa.DocumentList
	Types                                    []*sohoa.DocType
	Units                                    []*sohoa.Unit
	// Query is the filters as a query string, to come back to them.
	Query string
	// SortBy is the link that sorts by each order; Next the following page.
	SortBy map[string]string
	Next   string
	// CanEdit is whether p may edit any record of the list, Editable each.
	CanEdit  bool
	Editable map[string]bool
	Edited   *editedView
}

// editedView is the outcome of a bulk edit.
type editedView struct {
	Changed int
	Refused []editRefused
}

type editRefused struct{ ID, Title, Why string }

// listParams are the list's query parameters, in Vietnamese.
var listParams = []string{"trang-thai", "loai", "don-vi", "nam", "tu-ngay", "den-ngay", "chua-duyet", "sap-xep"}

func (s *Server) list(w http.ResponseWriter, r *http.Request, p *sohoa.Principal) {
	s.showList(w, r, p, r.URL.Query(), http.StatusOK, nil, "")
}

// showList renders the list that q filters, with a bulk edit's outcome.
func (s *Server) showList(w http.ResponseWriter, r *http.Request, p *sohoa.Principal, q url.Values, status int, edited *editedView, problem string) {
	v := &listView{Status: q.Get("trang-thai"), Type: q.Get("loai"), Unit: q.Get("don-vi"), Year: q.Get("nam"),
		From: q.Get("tu-ngay"), To: q.Get("den-ngay"), Sort: q.Get("sap-xep"), Unapproved: q.Get("chua-duyet") == "1",
		Types: docTypes(), SortBy: map[string]string{}, Editable: map[string]bool{}, Edited: edited}
	kept := url.Values{}
	for _, k := range listParams {
		if val := q.Get(k); val != "" {
			kept.Set(k, val)
		}
	}
	v.Query = kept.Encode()
	v.Units, _ = s.Directory.Units(r.Context())
	lq := records.ListQuery{Status: v.Status, Unapproved: v.Unapproved, Type: v.Type, Unit: v.Unit, Year: v.Year,
		From: v.From, To: v.To, Sort: v.Sort, Limit: 50, Cursor: q.Get("sau")}
	list, err := s.Records.List(r.Context(), p, lq)
	view := &view{Title: "Hồ sơ", Principal: p, Nav: "list", Data: v, Problem: problem}
	if q.Get("thong-bao") == "da-luu" {
		view.Notice = "Đã lưu danh sách với các bộ lọc này; mở lại ở trang Tìm kiếm."
	}
	if sohoa.ErrorCode(err) == sohoa.EINVALID {
		view.Problem, view.Fields = forPeople(err, listLabels)
		err = nil
		list = &sohoa.DocumentList{}
		status = http.StatusBadRequest
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v.List = list
	link := func(set map[string]string) string { return linkTo("/ho-so", kept, set) }
	for _, o := range []string{"", "oldest", "title", "date"} {
		v.SortBy[o] = link(map[string]string{"sap-xep": o})
	}
	if list.Next != "" {
		v.Next = link(map[string]string{"sau": list.Next})
	}
	for _, d := range list.Documents {
		if p.CanEdit(d.UnitPath) {
			v.Editable[d.ID], v.CanEdit = true, true
		}
	}
	if edited != nil && !v.CanEdit {
		v.CanEdit = p.Role == sohoa.RoleClerk || p.Role == sohoa.RoleAdmin
	}
	s.render(w, r, status, "list", view)
}

// linkTo is path with q's parameters, those of set put in instead (one
// set to "" taken out).
func linkTo(path string, q url.Values, set map[string]string) string {
	c := url.Values{}
	for k, vv := range q {
		c[k] = vv
	}
	for k, val := range set {
		if val == "" {
			c.Del(k)
		} else {
			c.Set(k, val)
		}
	}
	return path + "?" + c.Encode()
}

// fieldProblems are the fields an error names, by field: each of its
// Fields, or its one Field.
func fieldProblems(err error) map[string]string {
	e, ok := err.(*sohoa.Error)
	if !ok {
		return nil
	}
	out := map[string]string{}
	for _, f := range e.Fields {
		out[f.Field] = f.Message
	}
	if len(e.Fields) == 0 && e.Field != "" {
		out[e.Field] = e.Message
	}
	return out
}

// forPeople is what a refused search or list tells a person: the label
// of each field instead of the name of the parameter an error gives
// ("Số hóa từ ngày: …", not "Tham số digitized_from: …"), at the top and
// beside each field.
func forPeople(err error, labels map[string]string) (string, map[string]string) {
	say := func(msg string) string {
		for name, label := range labels {
			msg = strings.ReplaceAll(msg, "Tham số "+name, label)
		}
		return msg
	}
	fields := fieldProblems(err)
	for k, msg := range fields {
		fields[k] = say(msg)
	}
	return say(sohoa.ErrorMessage(err)), fields
}

// searchLabels and listLabels are the labels of the fields of the search
// and list pages, by the name errors give them.
var (
	searchLabels = map[string]string{"year": "Năm", "from": "Ngày của hồ sơ, từ", "to": "Ngày của hồ sơ, đến",
		"digitized_from": "Số hóa từ ngày", "digitized_to": "Số hóa đến ngày", "approved": "Phê duyệt"}
	listLabels = map[string]string{"year": "Năm", "from": "Số hóa từ ngày", "to": "Số hóa đến ngày", "sort": "Sắp xếp", "cursor": "Trang"}
)

// bulkFields is how many field rows the bulk edit form has.
const bulkFields = 3

// updateMany takes the bulk edit form: the records ticked, the type and
// the fields they share, and shows the list again with what became of
// each.
func (s *Server) updateMany(w http.ResponseWriter, r *http.Request, p *sohoa.Principal) {
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, sohoa.Errorf(sohoa.EINVALID, "Biểu mẫu không đọc được."))
		return
	}
	back, _ := url.ParseQuery(r.PostFormValue("back"))
	patch := &sohoa.RecordPatch{Metadata: map[string]any{}, Reason: r.PostFormValue("reason")}
	if typ := r.PostFormValue("type"); typ != "" {
		patch.Type = &typ
	}
	for i := 1; i <= bulkFields; i++ {
		name, val := r.PostFormValue("field-"+strconv.Itoa(i)), strings.TrimSpace(r.PostFormValue("value-"+strconv.Itoa(i)))
		if name != "" && val != "" {
			patch.Metadata[name] = val
		}
	}
	edits, err := s.Records.UpdateMany(r.Context(), p, r.PostForm["id"], patch)
	if code := sohoa.ErrorCode(err); err != nil && code != sohoa.EINVALID {
		s.fail(w, r, err)
		return
	}
	out := &editedView{}
	if err != nil {
		out.Refused = append(out.Refused, editRefused{Why: sohoa.ErrorMessage(err)})
	}
	for _, e := range edits {
		if e.Err == nil {
			out.Changed++
			continue
		}
		ref := editRefused{Title: e.Title, Why: sohoa.ErrorMessage(e.Err)}
		if e.Title != "" {
			ref.ID = e.ID // out of reach, not even its ID
		}
		out.Refused = append(out.Refused, ref)
	}
	status := http.StatusOK
	if len(out.Refused) > 0 {
		status = http.StatusBadRequest
	}
	s.showList(w, r, p, back, status, out, "")
}

// recordView is a record's page: the record, the page shown with its
// words, the form of its type, what became of it.
type recordView struct {
	*records.RecordPage
	Type     *sohoa.DocType
	TypeName string
	// Row is the register row a search found, to show.
	Row int
	// Prefill is the record's fields and, where it has none, what was read
	// off the pages (Proposed, by field; TypeProposed when the type is).
	Prefill      sohoa.Metadata
	Proposed     map[string]sohoa.Proposal
	Proposals    bool
	TypeProposed bool
	Marks        []string // the words to mark on the image (a search's)
	Active       *sohoa.Approval
	CanEdit      bool
	CanApprove   bool
	// Form is what was sent when it was refused, to show it again.
	Form map[string]string
	Q    string
	// Existing is the record this one would duplicate, when p may read it.
	Existing string
}

var notices = map[string]string{
	"luu-dong":  "Đã xác nhận dòng của sổ.",
	"luu":       "Đã lưu thay đổi.",
	"phe-duyet": "Đã phê duyệt: bản sao điện tử đã được ký số.",
	"thu-hoi":   "Đã thu hồi bản sao đã phê duyệt.",
}

func (s *Server) record(w http.ResponseWriter, r *http.Request, p *sohoa.Principal) {
	s.showRecord(w, r, p, http.StatusOK, "", nil, nil)
}

// showRecord renders the record of the request; problem, fields and sent
// are a refused form's.
func (s *Server) showRecord(w http.ResponseWriter, r *http.Request, p *sohoa.Principal, status int, problem string, fields map[string]string, sent map[string]string) {
	ctx := r.Context()
	id := mux.Vars(r)["id"]
	n, _ := strconv.Atoi(r.URL.Query().Get("trang"))
	rp, err := s.Records.Record(ctx, p, id, n)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := rp.Doc
	v := &recordView{RecordPage: rp, Type: sohoa.DocTypes[d.Type], TypeName: d.Type, Form: sent, Q: r.URL.Query().Get("q"), Existing: sent["existing"],
		Prefill: sohoa.Metadata{}, Proposed: map[string]sohoa.Proposal{}}
	// What was read off the pages fills what the record lacks, for the
	// clerk to confirm by saving; a proposed type brings its fields.
	if d.Type == "" && d.ProposedType != nil {
		v.TypeName, _ = d.ProposedType.Value.(string)
		v.Type = sohoa.DocTypes[v.TypeName]
		v.TypeProposed = v.Type != nil
	}
	for k, val := range d.Metadata {
		v.Prefill[k] = val
	}
	for k, pr := range d.Proposed {
		if _, ok := d.Metadata[k]; !ok {
			v.Prefill[k], v.Proposed[k] = pr.Value, pr
			v.Proposals = true
		}
	}
	if v.Q != "" {
		v.Marks = strings.Fields(v.Q)
	}
	v.Row, _ = strconv.Atoi(r.URL.Query().Get("dong"))
	v.Active = sohoa.ActiveApproval(v.Approvals)
	v.CanEdit = p.CanEdit(d.UnitPath)
	v.CanApprove = (p.Role == sohoa.RoleOfficial || p.Role == sohoa.RoleAdmin) && d.Status == sohoa.StatusReady && v.Active == nil
	view := &view{Title: d.Title, Principal: p, Data: v, Problem: problem, Fields: fields, Nav: "list"}
	if status == http.StatusOK {
		view.Notice = notices[r.URL.Query().Get("thong-bao")]
	}
	s.render(w, r, status, "record", view)
}

// update saves the record form: the title, the type and every field of
// the type (an empty one removed).
func (s *Server) update(w http.ResponseWriter, r *http.Request, p *sohoa.Principal) {
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, sohoa.Errorf(sohoa.EINVALID, "Biểu mẫu không đọc được."))
		return
	}
	title, typ := r.PostFormValue("title"), r.PostFormValue("type")
	patch := &sohoa.RecordPatch{Title: &title, Metadata: map[string]any{}, Reason: r.PostFormValue("reason"),
		ConfirmDuplicate: r.PostFormValue("confirm_duplicate") == "1"}
	if typ != "" {
		patch.Type = &typ
	}
	sent := map[string]string{"title": title, "type": typ, "reason": patch.Reason}
	if t, ok := sohoa.DocTypes[typ]; ok {
		for _, f := range t.Fields {
			val := strings.TrimSpace(r.PostFormValue(f.Name))
			sent[f.Name] = val
			if val == "" {
				patch.Metadata[f.Name] = nil
			} else {
				patch.Metadata[f.Name] = val
			}
		}
	}
	_, err := s.Records.Update(r.Context(), p, mux.Vars(r)["id"], patch)
	if err == nil {
		http.Redirect(w, r, "/ho-so/"+mux.Vars(r)["id"]+"?thong-bao=luu", http.StatusSeeOther)
		return
	}
	if e, ok := err.(*sohoa.Error); ok && (e.Code == sohoa.EINVALID || e.Code == sohoa.ECONFLICT) {
		if e.Existing != "" {
			sent["existing"] = e.Existing
		}
		s.showRecord(w, r, p, statuses[e.Code], "Chưa lưu: "+sohoa.ErrorMessage(err), fieldProblems(err), sent)
		return
	}
	s.fail(w, r, err)
}

func (s *Server) pageImage(w http.ResponseWriter, r *http.Request, p *sohoa.Principal) {
	v := mux.Vars(r)
	b, err := s.Records.PageImage(r.Context(), p, v["id"], v["n"])
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.writeBlob(w, r, b, "private, max-age=31536000, immutable")
}

// writeBlob answers with b's bytes (304 when the browser has them).
func (s *Server) writeBlob(w http.ResponseWriter, r *http.Request, b *records.Blob, cache string) {
	if err := send.Blob(w, r, b, cache); err != nil {
		s.fail(w, r, err)
	}
}

func (s *Server) approve(w http.ResponseWriter, r *http.Request, p *sohoa.Principal) {
	id := mux.Vars(r)["id"]
	if _, err := s.Records.Approve(r.Context(), p, id); err != nil {
		s.actionFailed(w, r, p, err)
		return
	}
	http.Redirect(w, r, "/ho-so/"+id+"?thong-bao=phe-duyet", http.StatusSeeOther)
}

func (s *Server) revoke(w http.ResponseWriter, r *http.Request, p *sohoa.Principal) {
	id := mux.Vars(r)["id"]
	if _, err := s.Records.Revoke(r.Context(), p, id, r.PostFormValue("reason")); err != nil {
		s.actionFailed(w, r, p, err)
		return
	}
	http.Redirect(w, r, "/ho-so/"+id+"?thong-bao=thu-hoi", http.StatusSeeOther)
}

// actionFailed shows the record again with why an action was refused.
func (s *Server) actionFailed(w http.ResponseWriter, r *http.Request, p *sohoa.Principal, err error) {
	switch sohoa.ErrorCode(err) {
	case sohoa.EINVALID:
		s.showRecord(w, r, p, http.StatusBadRequest, sohoa.ErrorMessage(err), nil, nil)
	case sohoa.ECONFLICT:
		s.showRecord(w, r, p, http.StatusConflict, sohoa.ErrorMessage(err), nil, nil)
	default:
		s.fail(w, r, err)
	}
}

func (s *Server) signedPDF(w http.ResponseWriter, r *http.Request, p *sohoa.Principal) {
	b, err := s.Records.SignedPDF(r.Context(), p, mux.Vars(r)["id"])
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.writeBlob(w, r, b, "private, no-cache")
}

func (s *Server) receipt(w http.ResponseWriter, r *http.Request, p *sohoa.Principal) {
	jws, err := s.Records.Receipt(r.Context(), p, mux.Vars(r)["id"])
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/jose; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+mux.Vars(r)["id"]+`.jws"`)
	io.WriteString(w, jws)
}

// uploadView is the upload page, with the documents just uploaded.
type uploadView struct {
	Types []*sohoa.DocType
	Docs  []*sohoa.Document
}

func (s *Server) uploadPage(w http.ResponseWriter, r *http.Request, p *sohoa.Principal) {
	v := &uploadView{Types: docTypes()}
	docs, err := s.docs(r, p, strings.Split(r.URL.Query().Get("moi"), ","))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v.Docs = docs
	s.render(w, r, http.StatusOK, "upload", &view{Title: "Tải lên", Principal: p, Data: v, Nav: "upload"})
}

// docs returns the documents ids, as p sees them.
func (s *Server) docs(r *http.Request, p *sohoa.Principal, ids []string) ([]*sohoa.Document, error) {
	var clean []string
	for _, id := range ids {
		if id = strings.TrimSpace(id); id != "" {
			clean = append(clean, id)
		}
	}
	if len(clean) == 0 {
		return nil, nil
	}
	return s.Records.Documents(r.Context(), p, clean)
}

// upload takes the upload form. The page's script sends one request a
// file (or all files as one document) and wants the rows of the documents
// made; without the script, the answer is the upload page with them.
func (s *Server) upload(w http.ResponseWriter, r *http.Request, p *sohoa.Principal) {
	f, err := form.Multipart(w, r, s.MaxUpload)
	var up *records.Uploaded
	if err == nil {
		up, err = s.Records.Upload(r.Context(), p, &typedFields{UploadForm: f})
	}
	if r.Header.Get("HX-Request") == "true" || r.Header.Get("X-Requested-With") == "sohoa" {
		if err != nil {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			status, ok := statuses[sohoa.ErrorCode(err)]
			if !ok {
				status = http.StatusInternalServerError
				s.Log.Error("internal error", "path", r.URL.Path, "err", err)
			}
			w.WriteHeader(status)
			io.WriteString(w, sohoa.ErrorMessage(err))
			return
		}
		s.render(w, r, http.StatusOK, "rows", &view{Principal: p, Data: up.Documents})
		return
	}
	if err != nil {
		status, ok := statuses[sohoa.ErrorCode(err)]
		if !ok {
			s.fail(w, r, err)
			return
		}
		s.render(w, r, status, "upload", &view{Title: "Tải lên", Principal: p, Problem: sohoa.ErrorMessage(err), Data: &uploadView{Types: docTypes()}, Nav: "upload"})
		return
	}
	ids := make([]string, len(up.Documents))
	for i, d := range up.Documents {
		ids[i] = d.ID
	}
	http.Redirect(w, r, "/tai-len?moi="+strings.Join(ids, ","), http.StatusSeeOther)
}

// uploadStatus is the rows of the documents asked for, for the live list.
func (s *Server) uploadStatus(w http.ResponseWriter, r *http.Request, p *sohoa.Principal) {
	docs, err := s.docs(r, p, r.URL.Query()["id"])
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "rows", &view{Principal: p, Data: docs})
}

// typedFields is the upload form of the page, which holds the fields of
// every type, each named "m.<type>.<field>": it passes on those of the
// type chosen (the type comes first in the form) by their own names.
type typedFields struct {
	sohoa.UploadForm
	typ string
}

func (t *typedFields) Next() (*sohoa.FormPart, error) {
	for {
		part, err := t.UploadForm.Next()
		if err != nil {
			return nil, err
		}
		switch {
		case part.Field == "type" && part.Filename == "":
			b, err := io.ReadAll(io.LimitReader(part.Body, 1<<10))
			if err != nil {
				return nil, err
			}
			t.typ = strings.TrimSpace(string(b))
			part.Body = strings.NewReader(string(b))
		case strings.HasPrefix(part.Field, "m."):
			typ, name, _ := strings.Cut(part.Field[2:], ".")
			if typ != t.typ || t.typ == "" {
				continue
			}
			part.Field = name
		}
		return part, nil
	}
}

// entryView is the form of a row of a register page.
type entryView struct {
	Doc     *sohoa.Document
	Entry   *sohoa.Entry
	Columns []entryColumn
	// Values are what the form shows: as read, or as sent when refused.
	Values map[string]string
	// Crop is the row on its page's image, to read it against.
	Crop struct{ X, Y, W, H, PageW, PageH, Page int }
}

// entry shows the form of a row of a register page, to a clerk of its unit.
func (s *Server) entry(w http.ResponseWriter, r *http.Request, p *sohoa.Principal) {
	s.showEntry(w, r, p, http.StatusOK, nil, nil, "")
}

func (s *Server) showEntry(w http.ResponseWriter, r *http.Request, p *sohoa.Principal, status int, sent map[string]string, fields map[string]string, problem string) {
	d, err := s.Records.Get(r.Context(), p, mux.Vars(r)["id"])
	if err != nil {
		s.fail(w, r, err)
		return
	}
	row, _ := strconv.Atoi(mux.Vars(r)["row"])
	if !p.CanEdit(d.UnitPath) || row < 1 || row > len(d.Entries) {
		s.fail(w, r, sohoa.Errorf(sohoa.ENOTFOUND, "Không có dòng %s để sửa.", mux.Vars(r)["row"]))
		return
	}
	v := &entryView{Doc: d, Entry: &d.Entries[row-1], Columns: entryCells, Values: sent}
	if e := v.Entry; e.Page >= 1 && e.Page <= len(d.Pages) {
		pad := e.Box.Height()
		pg := d.Pages[e.Page-1]
		v.Crop.X, v.Crop.Y, v.Crop.W, v.Crop.H = e.Box.X0-pad, e.Box.Y0-pad, e.Box.X1-e.Box.X0+2*pad, e.Box.Height()+2*pad
		v.Crop.PageW, v.Crop.PageH, v.Crop.Page = pg.Width, pg.Height, e.Page
	}
	if v.Values == nil {
		v.Values = map[string]string{}
		for _, c := range v.Columns {
			val := v.Entry.Value(c.Name)
			if c.Date {
				if t, err := time.Parse("2006-01-02", val); err == nil {
					val = t.Format("02/01/2006")
				}
			}
			v.Values[c.Name] = val
		}
	}
	s.render(w, r, status, "entry", &view{Title: fmt.Sprintf("Dòng %d · %s", row, d.Title), Principal: p, Data: v, Nav: "list", Fields: fields, Problem: problem})
}

// updateEntry saves the row's form: every value sent is confirmed.
func (s *Server) updateEntry(w http.ResponseWriter, r *http.Request, p *sohoa.Principal) {
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, sohoa.Errorf(sohoa.EINVALID, "Biểu mẫu không đọc được."))
		return
	}
	id := mux.Vars(r)["id"]
	row, _ := strconv.Atoi(mux.Vars(r)["row"])
	values, sent := map[string]any{}, map[string]string{}
	for _, c := range entryCells {
		if val := strings.TrimSpace(r.PostFormValue(c.Name)); val != "" {
			values[c.Name], sent[c.Name] = val, val
		}
	}
	_, err := s.Records.UpdateEntry(r.Context(), p, id, row, values)
	if err == nil {
		http.Redirect(w, r, fmt.Sprintf("/ho-so/%s?dong=%d&thong-bao=luu-dong#cac-dong", id, row), http.StatusSeeOther)
		return
	}
	if sohoa.ErrorCode(err) == sohoa.EINVALID {
		problem, fields := forPeople(err, nil)
		s.showEntry(w, r, p, http.StatusBadRequest, sent, fields, "Chưa lưu: "+problem)
		return
	}
	s.fail(w, r, err)
}

package web

import (
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"sohoa"
	"sohoa/internal/form"
	"sohoa/records"
)

func (s *Server) home(w http.ResponseWriter, r *http.Request, p *sohoa.Principal) {
	now := time.Now().In(vietnam)
	month := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, vietnam)
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
	Result                  *sohoa.SearchResult
	Types                   []*sohoa.DocType
	Units                   []*sohoa.Unit
	Offset, Limit           int
	// Prev and Next are the queries of the pages around this one.
	Prev, Next string
	// Refine is the query with a facet value set, by facet and value.
	Refine map[string]map[string]string
}

const pageSize = 20

func (s *Server) search(w http.ResponseWriter, r *http.Request, p *sohoa.Principal) {
	q := r.URL.Query()
	v := &searchView{Q: q.Get("q"), Type: q.Get("type"), Unit: q.Get("unit"), From: q.Get("from"), To: q.Get("to"), Limit: pageSize,
		Types: docTypes(), Refine: map[string]map[string]string{}}
	v.Offset, _ = strconv.Atoi(q.Get("tu"))
	v.Offset = max(0, min(v.Offset, 10000))
	v.Units, _ = s.Directory.Units(r.Context())
	view := &view{Title: "Tìm kiếm", Principal: p, Data: v, Nav: "search"}
	if v.Q != "" || v.Type != "" || v.Unit != "" || v.From != "" || v.To != "" {
		res, err := s.Records.Search(r.Context(), p, sohoa.SearchQuery{Text: v.Q, Type: v.Type, Unit: v.Unit, From: v.From, To: v.To,
			Limit: pageSize, Offset: v.Offset})
		if err != nil && sohoa.ErrorCode(err) != sohoa.EINVALID && !sohoa.IsNotFound(err) {
			s.fail(w, r, err)
			return
		}
		if err != nil {
			view.Problem = sohoa.ErrorMessage(err)
		}
		v.Result = res
		v.pages(q)
	}
	s.render(w, r, http.StatusOK, "search", view)
}

// pages makes the links to the pages around this one and to the facets.
func (v *searchView) pages(q url.Values) {
	with := func(k, val string) string {
		c := url.Values{}
		for kk, vv := range q {
			c[kk] = vv
		}
		c.Set(k, val)
		if k != "tu" {
			c.Del("tu")
		}
		return "/tim-kiem?" + c.Encode()
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
		param := name
		if name == "year" {
			continue // by its own date range
		}
		v.Refine[name] = map[string]string{}
		for _, f := range facets {
			v.Refine[name][f.Value] = with(param, f.Value)
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

func (s *Server) list(w http.ResponseWriter, r *http.Request, p *sohoa.Principal) {
	q := r.URL.Query()
	lq := records.ListQuery{Status: q.Get("trang-thai"), Unapproved: q.Get("chua-duyet") == "1", Limit: 50, Cursor: q.Get("sau")}
	list, err := s.Records.List(r.Context(), p, lq)
	view := &view{Title: "Hồ sơ", Principal: p, Nav: "list"}
	if sohoa.ErrorCode(err) == sohoa.EINVALID {
		view.Problem, err = sohoa.ErrorMessage(err), nil
		list = &sohoa.DocumentList{}
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	next := ""
	if list.Next != "" {
		c := url.Values{}
		for k, v := range q {
			c[k] = v
		}
		c.Set("sau", list.Next)
		next = "/ho-so?" + c.Encode()
	}
	view.Data = map[string]any{"List": list, "Status": lq.Status, "Unapproved": lq.Unapproved, "Next": next}
	s.render(w, r, http.StatusOK, "list", view)
}

// recordView is a record's page: the record, the page shown with its
// words, the form of its type, what became of it.
type recordView struct {
	Doc       *sohoa.Document
	Type      *sohoa.DocType
	Page      int
	Words     *sohoa.PageText
	Marks     []string // the words to mark on the image (a search's)
	History   []sohoa.Change
	Approvals []sohoa.Approval
	Active    *sohoa.Approval
	// Reads is who read the record and why, for those who may see it.
	Reads      []*sohoa.AuditEntry
	CanEdit    bool
	CanApprove bool
	// Form is what was sent when it was refused, to show it again.
	Form map[string]string
	Q    string
}

var notices = map[string]string{
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
	d, err := s.Records.Get(ctx, p, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := &recordView{Doc: d, Type: sohoa.DocTypes[d.Type], Page: 1, Form: sent, Q: r.URL.Query().Get("q")}
	if n, err := strconv.Atoi(r.URL.Query().Get("trang")); err == nil && n >= 1 && n <= len(d.Pages) {
		v.Page = n
	}
	if d.Status == sohoa.StatusReady && len(d.Pages) > 0 {
		if v.Words, err = s.Records.PageWords(ctx, p, d.ID, strconv.Itoa(v.Page)); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	if v.Q != "" {
		v.Marks = strings.Fields(v.Q)
	}
	if v.History, err = s.Records.History(ctx, p, d.ID); err != nil {
		s.fail(w, r, err)
		return
	}
	if v.Approvals, err = s.Records.Approvals(ctx, p, d.ID); err != nil {
		s.fail(w, r, err)
		return
	}
	v.Active = sohoa.ActiveApproval(v.Approvals)
	if p.Role == sohoa.RoleOfficial || p.Role == sohoa.RoleAdmin {
		if v.Reads, err = s.Records.AuditLog(ctx, p, sohoa.AuditFilter{Document: d.ID, Limit: 1000}); err != nil {
			s.fail(w, r, err)
			return
		}
		if n := len(v.Reads); n > 20 {
			v.Reads = v.Reads[n-20:]
		}
	}
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
	var fields map[string]string
	if e, ok := err.(*sohoa.Error); ok && (e.Code == sohoa.EINVALID || e.Code == sohoa.ECONFLICT) {
		fields = map[string]string{}
		for _, f := range e.Fields {
			fields[f.Field] = f.Message
		}
		if len(e.Fields) == 0 && e.Field != "" {
			fields[e.Field] = e.Message
		}
		status := http.StatusBadRequest
		if e.Code == sohoa.ECONFLICT {
			status = http.StatusConflict
		}
		s.showRecord(w, r, p, status, "Chưa lưu: "+sohoa.ErrorMessage(err), fields, sent)
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
	if b.ETag != "" {
		etag := `"` + b.ETag + `"`
		w.Header().Set("ETag", etag)
		if strings.Contains(r.Header.Get("If-None-Match"), etag) {
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	rc, err := b.Open(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer rc.Close()
	w.Header().Set("Content-Type", b.ContentType)
	if cache != "" {
		w.Header().Set("Cache-Control", cache)
	}
	if b.Filename != "" {
		w.Header().Set("Content-Disposition", `attachment; filename="`+b.Filename+`"`)
	}
	io.Copy(w, rc)
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
		up, err = s.Records.Upload(r.Context(), p, f)
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

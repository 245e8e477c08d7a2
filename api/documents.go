package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/gorilla/mux"

	"sohoa"
	"sohoa/catalog"
	"sohoa/ingest"
	"sohoa/store"
)

func (s *Server) tooLarge() error {
	return sohoa.Errorf(sohoa.ETOOLARGE, "Yêu cầu vượt quá dung lượng cho phép (%d MiB).", s.MaxUpload>>20)
}

// errNoUnit answers for a unit outside the caller's reach as for one that
// does not exist.
func errNoUnit(id string) error {
	return &sohoa.Error{Code: sohoa.ENOTFOUND, Field: "unit_id", Message: fmt.Sprintf("Không tìm thấy đơn vị %q.", id)}
}

// uploadDocument streams a multipart upload part by part to disk: nothing is
// held whole in memory, and a request over the limit stops being read there.
// Besides "file" and "title", the form may carry "type", "unit_id",
// "confirm_duplicate" and the type's metadata fields by name (a list field
// repeated), or all of them as JSON in "metadata".
func (s *Server) uploadDocument(w http.ResponseWriter, r *http.Request) {
	if r.ContentLength > s.MaxUpload {
		w.Header().Set("Connection", "close")
		s.error(w, r, s.tooLarge())
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, s.MaxUpload)
	mr, err := r.MultipartReader()
	if err != nil {
		s.error(w, r, sohoa.Errorf(sohoa.EINVALID, "Yêu cầu phải là multipart/form-data với các trường \"file\" (mỗi trang một tệp, theo thứ tự) và \"title\"."))
		return
	}
	p := principal(r.Context())
	up := &ingest.Upload{Metadata: map[string]any{}, By: p.UserID, UnitID: p.UnitID, UnitPath: p.UnitPath}
	zipMode := "pages"
	defer func() {
		for _, f := range up.Files {
			f.Remove()
		}
	}()
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			s.error(w, r, s.readError(err))
			return
		}
		name := part.FormName()
		if name == "file" {
			if len(up.Files) >= s.MaxFiles {
				s.error(w, r, sohoa.Errorf(sohoa.ETOOLARGE, "Một lần tải lên tối đa %d tệp.", s.MaxFiles))
				return
			}
			f, err := s.Ingest.Spool(part, part.FileName())
			if err != nil {
				s.error(w, r, s.readError(err))
				return
			}
			up.Files = append(up.Files, f)
			continue
		}
		b, err := io.ReadAll(io.LimitReader(part, 64<<10))
		if err != nil {
			s.error(w, r, s.readError(err))
			return
		}
		v := string(b)
		switch name {
		case "title":
			up.Title = v
		case "type":
			up.Type = strings.TrimSpace(v)
		case "confirm_duplicate":
			up.ConfirmDuplicate = v == "true" || v == "1"
		case "zip":
			// A ZIP of scans: "pages" (one document, its files the pages in
			// name order) or "documents" (one document per file).
			if zipMode = strings.TrimSpace(v); zipMode != "pages" && zipMode != "documents" {
				s.error(w, r, sohoa.FieldError("zip", "Trường zip phải là \"pages\" hoặc \"documents\"."))
				return
			}
		case "ocr":
			// "force": read born-digital PDF pages with OCR, not their text layer.
			up.ForceOCR = v == "force"
		case "unit_id":
			u, err := s.Catalog.Unit(r.Context(), strings.TrimSpace(v))
			if err != nil || !p.CanEdit(u.Path) {
				s.error(w, r, errNoUnit(v))
				return
			}
			up.UnitID, up.UnitPath = u.ID, u.Path
		case "metadata":
			if err := json.Unmarshal(b, &up.Metadata); err != nil {
				s.error(w, r, sohoa.FieldError("metadata", "Trường metadata phải là một đối tượng JSON."))
				return
			}
		default:
			// A repeated field is a list (nơi nhận).
			switch prev := up.Metadata[name].(type) {
			case nil:
				up.Metadata[name] = v
			case string:
				up.Metadata[name] = []any{prev, v}
			case []any:
				up.Metadata[name] = append(prev, v)
			}
		}
	}
	var files []*ingest.File
	zipped := false
	for _, f := range up.Files {
		if !f.IsZip() {
			files = append(files, f)
			continue
		}
		zipped = true
		inner, err := s.Ingest.ExpandZip(f)
		if err != nil {
			s.error(w, r, err)
			return
		}
		files = append(files, inner...)
	}
	up.Files = files // the deferred clean-up removes them all
	if zipped && zipMode == "documents" {
		var docs []*sohoa.Document
		for _, f := range files {
			one := *up
			one.Files, one.Title = []*ingest.File{f}, ""
			d, err := s.Ingest.Accept(r.Context(), &one)
			if err == nil {
				err = s.audit(r, sohoa.ActionCreate, d.ID, fmt.Sprintf("%d trang", len(d.Pages)))
			}
			if err != nil {
				// The documents accepted so far stay accepted: say so.
				var e *sohoa.Error
				if errors.As(err, &e) && len(docs) > 0 {
					err = &sohoa.Error{Code: e.Code, Field: e.Field, Existing: e.Existing, Err: e.Err,
						Message: e.Message + fmt.Sprintf(" (%d văn bản trước tệp %q đã được nhận.)", len(docs), f.Name)}
				}
				s.error(w, r, err)
				return
			}
			docs = append(docs, d)
		}
		w.Header().Set("Location", "/api/v1/documents/"+docs[0].ID)
		writeJSON(w, http.StatusAccepted, map[string]any{"documents": docs})
		return
	}
	d, err := s.Ingest.Accept(r.Context(), up)
	if err == nil {
		err = s.audit(r, sohoa.ActionCreate, d.ID, fmt.Sprintf("%d trang", len(d.Pages)))
	}
	if err != nil {
		s.error(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/documents/"+d.ID)
	writeJSON(w, http.StatusAccepted, d)
}

// readError tells a request body over the limit from a broken one.
func (s *Server) readError(err error) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return s.tooLarge()
	}
	if sohoa.ErrorCode(err) != sohoa.EINTERNAL {
		return err
	}
	return &sohoa.Error{Code: sohoa.EINVALID, Message: "Không đọc được nội dung tải lên (multipart bị lỗi hoặc bị ngắt).", Err: err}
}

// listFilter reads the common listing parameters within the caller's reach.
func (s *Server) listFilter(r *http.Request) (catalog.Filter, error) {
	f := catalog.ReachFilter(principal(r.Context()))
	limit, err := intParam(r, "limit", 50, 1, 500)
	if err != nil {
		return f, err
	}
	f.Limit, f.Cursor = limit, r.URL.Query().Get("cursor")
	if v := r.URL.Query().Get("status"); v != "" {
		st := sohoa.Status(v)
		if !st.Valid() {
			return f, sohoa.FieldError("status", "Trạng thái %q không hợp lệ (queued, processing, ready, failed).", v)
		}
		f.Status = &st
	}
	return f, nil
}

// writeList answers with a page of documents, personal data masked.
func (s *Server) writeList(w http.ResponseWriter, r *http.Request, page *catalog.Page, action, detail string) {
	ids := make([]string, len(page.Documents))
	docs := make([]*sohoa.Document, len(page.Documents))
	for i, d := range page.Documents {
		ids[i], docs[i] = d.ID, d.Masked()
	}
	if err := s.audit(r, action, "", strings.TrimSpace(detail+" "+strings.Join(ids, ","))); err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"documents": docs, "next_cursor": page.Next})
}

func (s *Server) listDocuments(w http.ResponseWriter, r *http.Request) {
	f, err := s.listFilter(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	page, err := s.Catalog.Documents(r.Context(), f)
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.writeList(w, r, page, sohoa.ActionList, "")
}

// personDocuments lists the records naming a person, by CCCD.
func (s *Server) personDocuments(w http.ResponseWriter, r *http.Request) {
	cccd := mux.Vars(r)["cccd"]
	if err := sohoa.CheckCCCD(cccd); err != nil {
		s.error(w, r, sohoa.FieldError("cccd", "Số định danh không hợp lệ: %v.", err))
		return
	}
	f, err := s.listFilter(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	f.SubjectID = cccd
	page, err := s.Catalog.Documents(r.Context(), f)
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.writeList(w, r, page, sohoa.ActionPeople, "person "+sohoa.MaskCCCD(cccd)+":")
}

// document loads the document of the request if the caller may read it;
// one outside its reach is not found, as one that does not exist.
func (s *Server) document(r *http.Request) (*sohoa.Document, error) {
	id := mux.Vars(r)["id"]
	notFound := sohoa.Errorf(sohoa.ENOTFOUND, "Không tìm thấy văn bản.")
	if !sohoa.ValidID(id) {
		return nil, notFound
	}
	d, err := s.Catalog.Document(r.Context(), id)
	if err != nil {
		return nil, err
	}
	if !principal(r.Context()).CanRead(d.UnitPath) {
		return nil, notFound
	}
	return d, nil
}

func (s *Server) getDocument(w http.ResponseWriter, r *http.Request) {
	d, err := s.document(r)
	if err == nil {
		err = s.audit(r, sohoa.ActionRead, d.ID, "")
	}
	if err != nil {
		s.error(w, r, err)
		return
	}
	if !principal(r.Context()).SeesPersonalData() {
		d = d.Masked()
	}
	writeJSON(w, http.StatusOK, d)
}

func (s *Server) patchDocument(w http.ResponseWriter, r *http.Request) {
	d, err := s.document(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	p := principal(r.Context())
	if !p.CanEdit(d.UnitPath) {
		s.error(w, r, sohoa.Errorf(sohoa.EFORBIDDEN, "Bạn chỉ được sửa hồ sơ của đơn vị mình."))
		return
	}
	var req struct {
		Title            *string        `json:"title"`
		Type             *string        `json:"type"`
		Metadata         map[string]any `json:"metadata"`
		ConfirmDuplicate bool           `json:"confirm_duplicate"`
		Reason           string         `json:"reason"`
	}
	if err := decodeJSON(r, &req); err != nil {
		s.error(w, r, err)
		return
	}
	patch := &ingest.Patch{Title: req.Title, Type: req.Type, Metadata: req.Metadata, ConfirmDuplicate: req.ConfirmDuplicate,
		Reason: req.Reason, UserID: p.UserID, By: p.Username}
	d, err = s.Ingest.Update(r.Context(), d.ID, patch)
	if err == nil {
		err = s.audit(r, sohoa.ActionUpdate, d.ID, "")
	}
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, d)
}

// decodeJSON reads a JSON body into v; unknown fields and wrong types are
// errors naming the field.
func decodeJSON(r *http.Request, v any) error {
	dec := json.NewDecoder(io.LimitReader(r.Body, 1<<20))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	var typeErr *json.UnmarshalTypeError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &typeErr):
		return sohoa.FieldError(typeErr.Field, "Trường %s có kiểu dữ liệu không đúng (cần %s).", typeErr.Field, typeErr.Type)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return sohoa.FieldError(field, "Trường %q không được hỗ trợ.", field)
	}
	return sohoa.Errorf(sohoa.EINVALID, "Nội dung không phải JSON hợp lệ.")
}

func (s *Server) deleteDocument(w http.ResponseWriter, r *http.Request) {
	d, err := s.document(r)
	if err == nil {
		err = s.Ingest.Delete(r.Context(), d.ID, principal(r.Context()).Username)
	}
	if err == nil {
		err = s.audit(r, sohoa.ActionDelete, d.ID, "")
	}
	if err != nil {
		s.error(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// documentHistory lists the changes to a record; personal values masked
// (the store's revisions keep them whole).
func (s *Server) documentHistory(w http.ResponseWriter, r *http.Request) {
	d, err := s.document(r)
	var changes []sohoa.Change
	if err == nil {
		changes, err = s.Ingest.History(r.Context(), d.ID)
	}
	if err == nil {
		err = s.audit(r, sohoa.ActionHistory, d.ID, "")
	}
	if err != nil {
		s.error(w, r, err)
		return
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
	writeJSON(w, http.StatusOK, map[string]any{"changes": changes})
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

func (s *Server) documentText(w http.ResponseWriter, r *http.Request) {
	d, err := s.document(r)
	if err == nil {
		err = ready(d)
	}
	if err == nil {
		err = s.audit(r, sohoa.ActionText, d.ID, "")
	}
	if err != nil {
		s.error(w, r, err)
		return
	}
	rc, err := s.Ingest.Open(r.Context(), store.TextKey(d.ID))
	if err != nil {
		s.error(w, r, err)
		return
	}
	defer rc.Close()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	io.Copy(w, rc)
}

func (s *Server) page(r *http.Request) (*sohoa.Document, *sohoa.Page, error) {
	d, err := s.document(r)
	if err != nil {
		return nil, nil, err
	}
	n, err := strconv.Atoi(mux.Vars(r)["n"])
	if err != nil || n < 1 || n > len(d.Pages) {
		return nil, nil, sohoa.Errorf(sohoa.ENOTFOUND, "Văn bản không có trang %s (có %d trang).", mux.Vars(r)["n"], len(d.Pages))
	}
	return d, &d.Pages[n-1], nil
}

func (s *Server) pageImage(w http.ResponseWriter, r *http.Request) {
	d, p, err := s.page(r)
	if err == nil {
		err = s.audit(r, sohoa.ActionPageImage, d.ID, "trang "+strconv.Itoa(p.Number))
	}
	if err != nil {
		s.error(w, r, err)
		return
	}
	etag := `"` + p.SHA256 + `"`
	w.Header().Set("ETag", etag)
	w.Header().Set("Cache-Control", "private, max-age=31536000, immutable")
	if strings.Contains(r.Header.Get("If-None-Match"), etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	rc, err := s.Ingest.Open(r.Context(), store.OriginalKey(p.SHA256))
	if err != nil {
		s.error(w, r, err)
		return
	}
	defer rc.Close()
	w.Header().Set("Content-Type", p.ContentType)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	io.Copy(w, rc)
}

func (s *Server) pageText(w http.ResponseWriter, r *http.Request) {
	d, p, err := s.page(r)
	if err == nil {
		err = ready(d)
	}
	if err == nil {
		err = s.audit(r, sohoa.ActionPageText, d.ID, "trang "+strconv.Itoa(p.Number))
	}
	if err != nil {
		s.error(w, r, err)
		return
	}
	pt, err := s.Ingest.PageText(r.Context(), d.ID, p.Number)
	if err != nil {
		s.error(w, r, fmt.Errorf("page text: %w", err))
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	io.WriteString(w, pt.Text)
}

package api

import (
	"io"
	"net/http"
	"strconv"

	"github.com/gorilla/mux"

	"sohoa"
	"sohoa/internal/form"
	"sohoa/internal/send"
	"sohoa/records"
)

// uploadDocument hands the multipart body, as it streams in, to the upload
// service: "file" parts (pages in order), "title", "type", "unit_id",
// "confirm_duplicate", "zip", "ocr" and the type's fields.
func (s *Server) uploadDocument(w http.ResponseWriter, r *http.Request) {
	f, err := form.Multipart(w, r, s.MaxUpload)
	var up *records.Uploaded
	if err == nil {
		up, err = s.Records.Upload(r.Context(), principal(r), f)
	}
	if err != nil {
		s.error(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/documents/"+up.Documents[0].ID)
	if up.Many {
		writeJSON(w, http.StatusAccepted, map[string]any{"documents": up.Documents})
		return
	}
	writeJSON(w, http.StatusAccepted, up.Documents[0])
}

// listQuery reads the common listing parameters.
func listQuery(r *http.Request) (records.ListQuery, error) {
	limit, err := intParam(r, "limit", 50, 1, 500)
	v := r.URL.Query()
	return records.ListQuery{Status: v.Get("status"), Type: v.Get("type"), Unit: v.Get("unit_id"), Year: v.Get("year"), SHA256: v.Get("sha256"),
		From: v.Get("from"), To: v.Get("to"), Unapproved: v.Get("unapproved") == "true" || v.Get("unapproved") == "1",
		Sort: v.Get("sort"), Limit: limit, Cursor: v.Get("cursor")}, err
}

func (s *Server) listDocuments(w http.ResponseWriter, r *http.Request) {
	q, err := listQuery(r)
	var list *sohoa.DocumentList
	if err == nil {
		list, err = s.Records.List(r.Context(), principal(r), q)
	}
	s.reply(w, r, list, err)
}

// personDocuments lists the records naming a person, by CCCD.
func (s *Server) personDocuments(w http.ResponseWriter, r *http.Request) {
	q, err := listQuery(r)
	var list *sohoa.DocumentList
	if err == nil {
		list, err = s.Records.Person(r.Context(), principal(r), mux.Vars(r)["cccd"], q)
	}
	s.reply(w, r, list, err)
}

// reply answers with v, or with err.
func (s *Server) reply(w http.ResponseWriter, r *http.Request, v any, err error) {
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (s *Server) getDocument(w http.ResponseWriter, r *http.Request) {
	d, err := s.Records.Get(r.Context(), principal(r), mux.Vars(r)["id"])
	s.reply(w, r, d, err)
}

func (s *Server) patchDocument(w http.ResponseWriter, r *http.Request) {
	var patch sohoa.RecordPatch
	err := decodeJSON(r, &patch)
	var d *sohoa.Document
	if err == nil {
		d, err = s.Records.Update(r.Context(), principal(r), mux.Vars(r)["id"], &patch)
	}
	s.reply(w, r, d, err)
}

// acceptProposed takes the values read off the pages into the record:
// {"fields": [...]} names them; with none named, every sure one.
func (s *Server) acceptProposed(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Fields []string `json:"fields"`
	}
	var err error
	if r.ContentLength != 0 {
		err = decodeJSON(r, &body)
	}
	var d *sohoa.Document
	if err == nil {
		d, err = s.Records.Accept(r.Context(), principal(r), mux.Vars(r)["id"], body.Fields)
	}
	s.reply(w, r, d, err)
}

// patchEntry confirms, corrects or completes a row of a register page:
// {"fields": {"so_dinh_danh": "…", "so_vao_so": null}} (null confirms).
func (s *Server) patchEntry(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Fields map[string]any `json:"fields"`
	}
	row, err := strconv.Atoi(mux.Vars(r)["row"])
	if err != nil {
		err = sohoa.Errorf(sohoa.ENOTFOUND, "Không có dòng %q.", mux.Vars(r)["row"])
	}
	if err == nil {
		err = decodeJSON(r, &body)
	}
	var d *sohoa.Document
	if err == nil {
		d, err = s.Records.UpdateEntry(r.Context(), principal(r), mux.Vars(r)["id"], row, body.Fields)
	}
	s.reply(w, r, d, err)
}

func (s *Server) deleteDocument(w http.ResponseWriter, r *http.Request) {
	if err := s.Records.Delete(r.Context(), principal(r), mux.Vars(r)["id"]); err != nil {
		s.error(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) documentHistory(w http.ResponseWriter, r *http.Request) {
	changes, err := s.Records.History(r.Context(), principal(r), mux.Vars(r)["id"])
	s.reply(w, r, map[string]any{"changes": changes}, err)
}

func (s *Server) documentText(w http.ResponseWriter, r *http.Request) {
	b, err := s.Records.Text(r.Context(), principal(r), mux.Vars(r)["id"])
	s.writeBlob(w, r, b, "", err)
}

// writeBlob answers with b's bytes, or with err.
func (s *Server) writeBlob(w http.ResponseWriter, r *http.Request, b *records.Blob, cache string, err error) {
	if err == nil {
		err = send.Blob(w, r, b, cache)
	}
	if err != nil {
		s.error(w, r, err)
	}
}

func (s *Server) pageImage(w http.ResponseWriter, r *http.Request) {
	v := mux.Vars(r)
	b, err := s.Records.PageImage(r.Context(), principal(r), v["id"], v["n"])
	// An original never changes under its digest.
	s.writeBlob(w, r, b, "private, max-age=31536000, immutable", err)
}

func (s *Server) pageText(w http.ResponseWriter, r *http.Request) {
	v := mux.Vars(r)
	text, err := s.Records.PageText(r.Context(), principal(r), v["id"], v["n"])
	if err != nil {
		s.error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	io.WriteString(w, text)
}

package api

import (
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

// uploadDocument streams a multipart upload part by part to disk: nothing is
// held whole in memory, and a request over the limit stops being read there.
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
	var files []*ingest.File
	defer func() {
		for _, f := range files {
			f.Remove()
		}
	}()
	title := ""
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			s.error(w, r, s.readError(err))
			return
		}
		switch part.FormName() {
		case "file":
			if len(files) >= s.MaxFiles {
				s.error(w, r, sohoa.Errorf(sohoa.ETOOLARGE, "Một lần tải lên tối đa %d tệp.", s.MaxFiles))
				return
			}
			f, err := s.Ingest.Spool(part, part.FileName())
			if err != nil {
				s.error(w, r, s.readError(err))
				return
			}
			files = append(files, f)
		case "title":
			b, err := io.ReadAll(io.LimitReader(part, 4<<10))
			if err != nil {
				s.error(w, r, s.readError(err))
				return
			}
			title = string(b)
		default:
			// Unknown fields are read past, not kept.
			if _, err := io.Copy(io.Discard, part); err != nil {
				s.error(w, r, s.readError(err))
				return
			}
		}
	}
	d, err := s.Ingest.Accept(r.Context(), title, files)
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

func (s *Server) listDocuments(w http.ResponseWriter, r *http.Request) {
	limit, err := intParam(r, "limit", 50, 1, 500)
	if err != nil {
		s.error(w, r, err)
		return
	}
	f := catalog.Filter{Limit: limit, Cursor: r.URL.Query().Get("cursor")}
	if v := r.URL.Query().Get("status"); v != "" {
		st := sohoa.Status(v)
		if !st.Valid() {
			s.error(w, r, sohoa.Errorf(sohoa.EINVALID, "Trạng thái %q không hợp lệ (queued, processing, ready, failed).", v))
			return
		}
		f.Status = &st
	}
	page, err := s.Catalog.Documents(r.Context(), f)
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"documents": page.Documents, "next_cursor": page.Next})
}

func (s *Server) document(r *http.Request) (*sohoa.Document, error) {
	id := mux.Vars(r)["id"]
	if !sohoa.ValidID(id) {
		return nil, sohoa.Errorf(sohoa.ENOTFOUND, "Không tìm thấy văn bản.")
	}
	return s.Catalog.Document(r.Context(), id)
}

func (s *Server) getDocument(w http.ResponseWriter, r *http.Request) {
	d, err := s.document(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, d)
}

func (s *Server) deleteDocument(w http.ResponseWriter, r *http.Request) {
	d, err := s.document(r)
	if err == nil {
		err = s.Ingest.Delete(r.Context(), d.ID, principal(r.Context()).Name)
	}
	if err != nil {
		s.error(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
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
	_, p, err := s.page(r)
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

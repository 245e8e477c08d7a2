package api

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"

	"sohoa"
	"sohoa/catalog"
)

// createToken makes an API token for a role; the token is shown once.
func (s *Server) createToken(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Name string `json:"name"`
		Role string `json:"role"`
	}
	dec := json.NewDecoder(io.LimitReader(r.Body, 64<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		s.error(w, r, sohoa.Errorf(sohoa.EINVALID, "Nội dung phải là JSON {\"name\": ..., \"role\": ...}."))
		return
	}
	req.Name = strings.TrimSpace(req.Name)
	if req.Name == "" {
		s.error(w, r, sohoa.Errorf(sohoa.EINVALID, "Thiếu tên (name) của người dùng mã truy cập."))
		return
	}
	token := catalog.NewToken()
	if err := s.Catalog.AddToken(r.Context(), token, req.Name, req.Role); err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]string{"name": req.Name, "role": req.Role, "token": token})
}

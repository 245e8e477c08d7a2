package api

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"sohoa"
	"sohoa/catalog"
)

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Username string `json:"username"`
		Password string `json:"password"`
	}
	if err := decodeJSON(r, &req); err != nil {
		s.error(w, r, err)
		return
	}
	select {
	case s.loginSlots <- struct{}{}:
		defer func() { <-s.loginSlots }()
	case <-r.Context().Done():
		return
	}
	u, err := s.Catalog.Login(r.Context(), req.Username, req.Password)
	if err != nil {
		time.Sleep(200 * time.Millisecond) // a guesser's every try costs
		s.error(w, r, err)
		return
	}
	token, t, err := s.Directory.AddToken(r.Context(), u.ID, "đăng nhập", catalog.TokenSession, "", s.SessionTTL)
	if err != nil {
		s.error(w, r, err)
		return
	}
	p, err := s.Catalog.Authenticate(r.Context(), token)
	if err == nil {
		err = s.audit(r.WithContext(context.WithValue(r.Context(), principalKey{}, p)), sohoa.ActionLogin, "", "")
	}
	if err != nil {
		s.error(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: token, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode,
		Secure: r.TLS != nil, Expires: *t.ExpiresAt})
	writeJSON(w, http.StatusOK, map[string]any{"token": token, "expires_at": t.ExpiresAt, "user": u})
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if err := s.Catalog.RevokeValue(r.Context(), bearer(r)); err != nil {
		s.error(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1})
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) me(w http.ResponseWriter, r *http.Request) {
	u, err := s.Catalog.User(r.Context(), principal(r.Context()).UserID)
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, u)
}

func (s *Server) listUnits(w http.ResponseWriter, r *http.Request) {
	units, err := s.Catalog.Units(r.Context())
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"units": units})
}

func (s *Server) createUnit(w http.ResponseWriter, r *http.Request) {
	var u sohoa.Unit
	var req struct {
		ID       string `json:"id"`
		Name     string `json:"name"`
		Kind     string `json:"kind"`
		ParentID string `json:"parent_id"`
	}
	if err := decodeJSON(r, &req); err != nil {
		s.error(w, r, err)
		return
	}
	u = sohoa.Unit{ID: req.ID, Name: req.Name, Kind: req.Kind, ParentID: req.ParentID}
	err := s.Directory.AddUnit(r.Context(), &u)
	if err == nil {
		err = s.audit(r, sohoa.ActionUnitAdd, "", u.ID)
	}
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, u)
}

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request) {
	users, err := s.Catalog.Users(r.Context())
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"users": users})
}

func (s *Server) createUser(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Username string             `json:"username"`
		FullName string             `json:"full_name"`
		UnitID   string             `json:"unit_id"`
		Role     string             `json:"role"`
		Password string             `json:"password"`
		Scope    *sohoa.ClientScope `json:"scope"`
	}
	if err := decodeJSON(r, &req); err != nil {
		s.error(w, r, err)
		return
	}
	if req.Password == "" && req.Role != sohoa.RoleSystem {
		s.error(w, r, sohoa.FieldError("password", "Thiếu mật khẩu (password)."))
		return
	}
	u := &sohoa.User{Username: req.Username, FullName: req.FullName, UnitID: req.UnitID, Role: req.Role, Scope: req.Scope}
	err := s.Directory.AddUser(r.Context(), u, req.Password)
	if err == nil {
		err = s.audit(r, sohoa.ActionUserAdd, "", u.Username)
	}
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, u)
}

func (s *Server) patchUser(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Disabled *bool `json:"disabled"`
	}
	if err := decodeJSON(r, &req); err != nil {
		s.error(w, r, err)
		return
	}
	if req.Disabled == nil {
		s.error(w, r, sohoa.FieldError("disabled", "Chỉ có thể thay đổi trường disabled."))
		return
	}
	id := mux.Vars(r)["id"]
	if id == principal(r.Context()).UserID && *req.Disabled {
		s.error(w, r, sohoa.FieldError("disabled", "Không thể tự khóa tài khoản của mình."))
		return
	}
	u, err := s.Directory.SetUserDisabled(r.Context(), id, *req.Disabled)
	if err == nil {
		err = s.audit(r, sohoa.ActionUserEdit, "", u.Username)
	}
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, u)
}

// listTokens lists the caller's API tokens (an admin's ?user_id= anyone's).
func (s *Server) listTokens(w http.ResponseWriter, r *http.Request) {
	p := principal(r.Context())
	user := p.UserID
	if p.Role == sohoa.RoleAdmin {
		user = r.URL.Query().Get("user_id")
	}
	tokens, err := s.Catalog.Tokens(r.Context(), user)
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"tokens": tokens})
}

// createToken makes an API token for the caller, or for user_id when an
// admin asks. The token is shown once.
func (s *Server) createToken(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Name   string `json:"name"`
		UserID string `json:"user_id"`
	}
	if err := decodeJSON(r, &req); err != nil {
		s.error(w, r, err)
		return
	}
	p := principal(r.Context())
	if strings.TrimSpace(req.Name) == "" {
		s.error(w, r, sohoa.FieldError("name", "Thiếu tên gợi nhớ của mã truy cập (name)."))
		return
	}
	user := p.UserID
	if req.UserID != "" && req.UserID != p.UserID {
		if p.Role != sohoa.RoleAdmin {
			s.error(w, r, sohoa.Errorf(sohoa.EFORBIDDEN, "Chỉ quản trị viên được cấp mã truy cập cho người khác."))
			return
		}
		if _, err := s.Catalog.User(r.Context(), req.UserID); err != nil {
			s.error(w, r, err)
			return
		}
		user = req.UserID
	}
	token, t, err := s.Directory.AddToken(r.Context(), user, req.Name, catalog.TokenAPI, "", 0)
	if err == nil {
		err = s.audit(r, sohoa.ActionTokenAdd, "", t.ID)
	}
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"token": token, "id": t.ID, "user_id": t.UserID, "name": t.Name, "created_at": t.CreatedAt})
}

func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request) {
	p := principal(r.Context())
	t, err := s.Catalog.Token(r.Context(), mux.Vars(r)["id"])
	if err == nil && t.UserID != p.UserID && p.Role != sohoa.RoleAdmin {
		err = sohoa.Errorf(sohoa.ENOTFOUND, "Không tìm thấy mã truy cập.")
	}
	if err == nil {
		_, err = s.Directory.RevokeToken(r.Context(), t.ID)
	}
	if err == nil {
		err = s.audit(r, sohoa.ActionTokenDrop, "", t.ID)
	}
	if err != nil {
		s.error(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// listAudit shows the audit log: an admin all of it, an official the
// entries about records within its reach.
func (s *Server) listAudit(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	f := catalog.AuditFilter{Document: v.Get("document"), UserID: v.Get("user"), Limit: 1000}
	limit, err := intParam(r, "limit", 200, 1, 1000)
	if err != nil {
		s.error(w, r, err)
		return
	}
	after, err := intParam(r, "after", 0, 0, 1<<62)
	if err != nil {
		s.error(w, r, err)
		return
	}
	f.Limit, f.AfterSeq = limit, int64(after)
	if f.From, f.To, err = dateRange(r); err != nil {
		s.error(w, r, err)
		return
	}
	p := principal(r.Context())
	if p.Role == sohoa.RoleOfficial {
		f.UnitPath = p.UnitPath
	}
	entries, err := s.Catalog.Audit(r.Context(), f)
	if err == nil {
		err = s.audit(r, sohoa.ActionAuditRead, f.Document, "")
	}
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"entries": entries})
}

// dateRange reads ?from= and ?to= (dates, to inclusive) as [from, to).
func dateRange(r *http.Request) (from, to time.Time, err error) {
	for name, t := range map[string]*time.Time{"from": &from, "to": &to} {
		if raw := r.URL.Query().Get(name); raw != "" {
			d, err := sohoa.ParseDate(raw)
			if err != nil {
				return from, to, sohoa.FieldError(name, "Tham số %s: %v.", name, err)
			}
			*t, _ = time.Parse("2006-01-02", d)
			if name == "to" {
				*t = t.Add(24 * time.Hour) // the whole day
			}
		}
	}
	return from, to, nil
}

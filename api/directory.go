package api

import (
	"net/http"

	"github.com/gorilla/mux"

	"sohoa"
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
	session, err := s.Directory.Login(r.Context(), req.Username, req.Password, clientAddr(r))
	if err != nil {
		s.error(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: session.Token, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode,
		Secure: r.TLS != nil, Expires: session.ExpiresAt})
	writeJSON(w, http.StatusOK, map[string]any{"token": session.Token, "expires_at": session.ExpiresAt, "user": session.User})
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if err := s.Directory.Logout(r.Context(), bearer(r)); err != nil {
		s.error(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1})
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) me(w http.ResponseWriter, r *http.Request) {
	u, err := s.Directory.User(r.Context(), principal(r).UserID)
	s.reply(w, r, u, err)
}

func (s *Server) listUnits(w http.ResponseWriter, r *http.Request) {
	units, err := s.Directory.Units(r.Context())
	s.reply(w, r, map[string]any{"units": units}, err)
}

func (s *Server) createUnit(w http.ResponseWriter, r *http.Request) {
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
	u := &sohoa.Unit{ID: req.ID, Name: req.Name, Kind: req.Kind, ParentID: req.ParentID}
	if err := s.Directory.AddUnit(r.Context(), principal(r), u); err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, u)
}

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request) {
	users, err := s.Directory.Users(r.Context(), principal(r))
	s.reply(w, r, map[string]any{"users": users}, err)
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
	u := &sohoa.User{Username: req.Username, FullName: req.FullName, UnitID: req.UnitID, Role: req.Role, Scope: req.Scope}
	if err := s.Directory.AddUser(r.Context(), principal(r), u, req.Password); err != nil {
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
	u, err := s.Directory.SetUserDisabled(r.Context(), principal(r), mux.Vars(r)["id"], *req.Disabled)
	s.reply(w, r, u, err)
}

// listTokens lists the caller's API tokens (an admin's ?user_id= anyone's).
func (s *Server) listTokens(w http.ResponseWriter, r *http.Request) {
	tokens, err := s.Directory.Tokens(r.Context(), principal(r), r.URL.Query().Get("user_id"))
	s.reply(w, r, map[string]any{"tokens": tokens}, err)
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
	token, t, err := s.Directory.AddToken(r.Context(), principal(r), req.UserID, req.Name)
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"token": token, "id": t.ID, "user_id": t.UserID, "name": t.Name, "created_at": t.CreatedAt})
}

func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request) {
	if err := s.Directory.RevokeToken(r.Context(), principal(r), mux.Vars(r)["id"]); err != nil {
		s.error(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// listAudit shows the audit log: an admin all of it, an official the
// entries about records within its reach.
func (s *Server) listAudit(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	f := sohoa.AuditFilter{Document: v.Get("document"), UserID: v.Get("user")}
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
	if f.From, f.To, err = sohoa.ParseDayRange(v.Get("from"), v.Get("to")); err != nil {
		s.error(w, r, err)
		return
	}
	entries, err := s.Records.AuditLog(r.Context(), principal(r), f)
	s.reply(w, r, map[string]any{"entries": entries}, err)
}

package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gorilla/mux"

	"sohoa"
)

// adminView is the admin's page: the unit tree and the users, and the
// forms that add to them (with what was sent, when it was refused).
type adminView struct {
	Units []*sohoa.Unit
	Users []*sohoa.User
	Types []*sohoa.DocType
	Form  map[string]string
	// Depth is how deep each unit is in the tree, for the indent.
	Depth map[string]int
}

func (s *Server) admin(w http.ResponseWriter, r *http.Request, p *sohoa.Principal) {
	s.showAdmin(w, r, p, http.StatusOK, "", nil, nil)
}

var adminNotices = map[string]string{
	"don-vi": "Đã thêm đơn vị.", "nguoi-dung": "Đã thêm người dùng.", "khoa": "Đã khóa tài khoản; các phiên đăng nhập của họ đã kết thúc.",
	"mo": "Đã mở khóa tài khoản.", "mat-khau": "Đã đặt mật khẩu mới; các phiên đăng nhập của họ đã kết thúc.", "vai-tro": "Đã đổi vai trò.",
}

func (s *Server) showAdmin(w http.ResponseWriter, r *http.Request, p *sohoa.Principal, status int, problem string, fields, sent map[string]string) {
	users, err := s.Directory.Users(r.Context(), p)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	units, err := s.Directory.Units(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := &adminView{Units: units, Users: users, Types: docTypes(), Form: sent, Depth: map[string]int{}}
	for _, u := range units {
		v.Depth[u.ID] = strings.Count(u.Path, "/") - 2
	}
	view := &view{Title: "Quản trị", Principal: p, Data: v, Problem: problem, Fields: fields, Nav: "admin"}
	if status == http.StatusOK {
		view.Notice = adminNotices[r.URL.Query().Get("thong-bao")]
	}
	s.render(w, r, status, "admin", view)
}

// refused shows a form of an admin page again with what is wrong with it.
func (s *Server) refused(w http.ResponseWriter, r *http.Request, p *sohoa.Principal, err error, show func(status int, problem string, fields map[string]string)) {
	e, ok := err.(*sohoa.Error)
	if !ok || (e.Code != sohoa.EINVALID && e.Code != sohoa.ECONFLICT && e.Code != sohoa.ENOTFOUND) {
		s.fail(w, r, err)
		return
	}
	show(statuses[e.Code], "Chưa lưu: "+e.Message, fieldProblems(err))
}

func (s *Server) addUnit(w http.ResponseWriter, r *http.Request, p *sohoa.Principal) {
	u := &sohoa.Unit{ID: strings.TrimSpace(r.PostFormValue("id")), Name: r.PostFormValue("name"), Kind: r.PostFormValue("kind"),
		ParentID: r.PostFormValue("parent_id")}
	if err := s.Directory.AddUnit(r.Context(), p, u); err != nil {
		sent := map[string]string{"form": "unit", "id": u.ID, "name": u.Name, "kind": u.Kind, "parent_id": u.ParentID}
		s.refused(w, r, p, err, func(status int, problem string, fields map[string]string) {
			s.showAdmin(w, r, p, status, problem, prefixed("unit.", fields), sent)
		})
		return
	}
	http.Redirect(w, r, "/quan-tri?thong-bao=don-vi", http.StatusSeeOther)
}

// prefixed names a form's fields apart from another form's on the page.
func prefixed(prefix string, fields map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range fields {
		out[prefix+k] = v
	}
	return out
}

func (s *Server) addUser(w http.ResponseWriter, r *http.Request, p *sohoa.Principal) {
	r.ParseForm()
	u := &sohoa.User{Username: r.PostFormValue("username"), FullName: r.PostFormValue("full_name"), UnitID: r.PostFormValue("unit_id"),
		Role: r.PostFormValue("role")}
	if u.Role == sohoa.RoleSystem {
		rate, _ := strconv.Atoi(r.PostFormValue("rate_per_minute"))
		u.Scope = &sohoa.ClientScope{Types: r.PostForm["types"], Units: r.PostForm["units"], RatePerMinute: rate}
	}
	if err := s.Directory.AddUser(r.Context(), p, u, r.PostFormValue("password")); err != nil {
		sent := map[string]string{"form": "user", "username": u.Username, "full_name": u.FullName, "unit_id": u.UnitID, "role": u.Role}
		s.refused(w, r, p, err, func(status int, problem string, fields map[string]string) {
			s.showAdmin(w, r, p, status, problem, prefixed("user.", fields), sent)
		})
		return
	}
	if u.Role == sohoa.RoleSystem {
		http.Redirect(w, r, "/quan-tri/ma-truy-cap?nguoi-dung="+u.ID, http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/quan-tri?thong-bao=nguoi-dung", http.StatusSeeOther)
}

// changeUser disables or enables a user, gives a new password or a role.
func (s *Server) changeUser(w http.ResponseWriter, r *http.Request, p *sohoa.Principal) {
	id := mux.Vars(r)["id"]
	var err error
	notice := r.PostFormValue("action")
	switch notice {
	case "khoa", "mo":
		_, err = s.Directory.SetUserDisabled(r.Context(), p, id, notice == "khoa")
	case "mat-khau":
		_, err = s.Directory.ResetPassword(r.Context(), p, id, r.PostFormValue("password"))
	case "vai-tro":
		_, err = s.Directory.SetRole(r.Context(), p, id, r.PostFormValue("role"))
	default:
		err = sohoa.Errorf(sohoa.EINVALID, "Thao tác không rõ.")
	}
	if err != nil {
		s.refused(w, r, p, err, func(status int, problem string, fields map[string]string) {
			s.showAdmin(w, r, p, status, problem, prefixed(id+".", fields), nil)
		})
		return
	}
	http.Redirect(w, r, "/quan-tri?thong-bao="+notice, http.StatusSeeOther)
}

// tokensView is the API tokens: everyone's to an admin, one's own to
// others, and a new one's value, shown once.
type tokensView struct {
	Tokens   []*sohoa.Token
	Users    map[string]*sohoa.User
	Everyone []*sohoa.User
	New      string
	For      string
}

func (s *Server) tokens(w http.ResponseWriter, r *http.Request, p *sohoa.Principal) {
	s.showTokens(w, r, p, "", "")
}

func (s *Server) showTokens(w http.ResponseWriter, r *http.Request, p *sohoa.Principal, value, problem string) {
	ts, err := s.Directory.Tokens(r.Context(), p, "")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := &tokensView{Tokens: ts, Users: map[string]*sohoa.User{}, New: value, For: r.URL.Query().Get("nguoi-dung")}
	if p.Role == sohoa.RoleAdmin {
		if v.Everyone, err = s.Directory.Users(r.Context(), p); err != nil {
			s.fail(w, r, err)
			return
		}
		for _, u := range v.Everyone {
			v.Users[u.ID] = u
		}
	}
	status := http.StatusOK
	if problem != "" {
		status = http.StatusBadRequest
	}
	s.render(w, r, status, "tokens", &view{Title: "Mã truy cập", Principal: p, Data: v, Problem: problem, Nav: "tokens"})
}

func (s *Server) addToken(w http.ResponseWriter, r *http.Request, p *sohoa.Principal) {
	value, _, err := s.Directory.AddToken(r.Context(), p, r.PostFormValue("user_id"), r.PostFormValue("name"))
	if err != nil {
		if code := sohoa.ErrorCode(err); code == sohoa.EINVALID || code == sohoa.ENOTFOUND || code == sohoa.EFORBIDDEN {
			s.showTokens(w, r, p, "", sohoa.ErrorMessage(err))
			return
		}
		s.fail(w, r, err)
		return
	}
	// Shown once, in this answer only: the page is not kept (no-store).
	s.showTokens(w, r, p, value, "")
}

func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request, p *sohoa.Principal) {
	if err := s.Directory.RevokeToken(r.Context(), p, mux.Vars(r)["id"]); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/quan-tri/ma-truy-cap", http.StatusSeeOther)
}

// auditView is the audit log with its filters.
type auditView struct {
	Entries                  []*sohoa.AuditEntry
	Document, User, From, To string
	Users                    map[string]string
	Next                     string
}

func (s *Server) auditLog(w http.ResponseWriter, r *http.Request, p *sohoa.Principal) {
	q := r.URL.Query()
	v := &auditView{Document: q.Get("ho-so"), User: q.Get("nguoi-dung"), From: q.Get("tu"), To: q.Get("den")}
	f := sohoa.AuditFilter{Document: v.Document, UserID: v.User, Limit: 200}
	f.AfterSeq, _ = strconv.ParseInt(q.Get("sau"), 10, 64)
	view := &view{Title: "Nhật ký truy cập", Principal: p, Data: v, Nav: "audit"}
	var err error
	if f.From, f.To, err = sohoa.ParseDayRange(v.From, v.To); err != nil {
		view.Problem = sohoa.ErrorMessage(err)
	} else if v.Entries, err = s.Records.AuditLog(r.Context(), p, f); err != nil {
		s.fail(w, r, err)
		return
	}
	if n := len(v.Entries); n == f.Limit {
		c := q
		c.Set("sau", strconv.FormatInt(v.Entries[n-1].Seq, 10))
		v.Next = "/quan-tri/nhat-ky?" + c.Encode()
	}
	s.render(w, r, http.StatusOK, "audit", view)
}

package web

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"sohoa"
	"sohoa/directory"
	"sohoa/records"
	"sohoa/report"
)

// Records is the use cases on records the page calls (package records).
type Records interface {
	Upload(ctx context.Context, p *sohoa.Principal, form sohoa.UploadForm) (*records.Uploaded, error)
	List(ctx context.Context, p *sohoa.Principal, q records.ListQuery) (*sohoa.DocumentList, error)
	Record(ctx context.Context, p *sohoa.Principal, id string, n int) (*records.RecordPage, error)
	Get(ctx context.Context, p *sohoa.Principal, id string) (*sohoa.Document, error)
	Documents(ctx context.Context, p *sohoa.Principal, ids []string) ([]*sohoa.Document, error)
	Update(ctx context.Context, p *sohoa.Principal, id string, patch *sohoa.RecordPatch) (*sohoa.Document, error)
	PageImage(ctx context.Context, p *sohoa.Principal, id, n string) (*records.Blob, error)
	Search(ctx context.Context, p *sohoa.Principal, q sohoa.SearchQuery) (*sohoa.SearchResult, error)
	Approve(ctx context.Context, p *sohoa.Principal, id string) (*sohoa.Approval, error)
	Revoke(ctx context.Context, p *sohoa.Principal, id, reason string) (*sohoa.Approval, error)
	SignedPDF(ctx context.Context, p *sohoa.Principal, id string) (*records.Blob, error)
	Receipt(ctx context.Context, p *sohoa.Principal, id string) (string, error)
	UpdateEntry(ctx context.Context, p *sohoa.Principal, id string, row int, values map[string]any) (*sohoa.Document, error)
	UpdateMany(ctx context.Context, p *sohoa.Principal, ids []string, patch *sohoa.RecordPatch) ([]records.Edited, error)
	Overview(ctx context.Context, p *sohoa.Principal, since time.Time) (*records.Overview, error)
	AuditLog(ctx context.Context, p *sohoa.Principal, f sohoa.AuditFilter) ([]*sohoa.AuditEntry, error)
	MonthlyReport(ctx context.Context, p *sohoa.Principal, month, unitID string) (*report.Report, error)
	MonthlyReportPDF(ctx context.Context, p *sohoa.Principal, month, unitID string, h report.Heading) ([]byte, error)
}

// Directory is sessions and units (package directory).
type Directory interface {
	Authenticate(ctx context.Context, token string) (*sohoa.Principal, error)
	Login(ctx context.Context, username, password, address string) (*directory.Session, error)
	Logout(ctx context.Context, token string) error
	Units(ctx context.Context) ([]*sohoa.Unit, error)
	SavedSearches(ctx context.Context, p *sohoa.Principal) ([]sohoa.SavedSearch, error)
	SaveSearch(ctx context.Context, p *sohoa.Principal, name, link string) (*sohoa.SavedSearch, error)
	DeleteSavedSearch(ctx context.Context, p *sohoa.Principal, id string) error
	User(ctx context.Context, id string) (*sohoa.User, error)
	AddUnit(ctx context.Context, by *sohoa.Principal, u *sohoa.Unit) error
	Users(ctx context.Context, by *sohoa.Principal) ([]*sohoa.User, error)
	AddUser(ctx context.Context, by *sohoa.Principal, u *sohoa.User, password string) error
	SetUserDisabled(ctx context.Context, by *sohoa.Principal, id string, disabled bool) (*sohoa.User, error)
	ResetPassword(ctx context.Context, by *sohoa.Principal, id, password string) (*sohoa.User, error)
	SetRole(ctx context.Context, by *sohoa.Principal, id, role string) (*sohoa.User, error)
	Tokens(ctx context.Context, by *sohoa.Principal, userID string) ([]*sohoa.Token, error)
	AddToken(ctx context.Context, by *sohoa.Principal, userID, name string) (string, *sohoa.Token, error)
	RevokeToken(ctx context.Context, by *sohoa.Principal, id string) error
}

// Server serves the page.
type Server struct {
	Records   Records
	Directory Directory
	Log       *slog.Logger
	// MaxUpload bounds an upload request, in bytes.
	MaxUpload int64
	// Version is shown at the foot of every page.
	Version string

	pages  *pages
	assets *assets
}

// Handler returns the handler of every page.
func (s *Server) Handler() http.Handler {
	s.assets = mustLoadAssets()
	s.pages = mustParsePages(s.assets)
	r := mux.NewRouter()
	r.NotFoundHandler = s.withSession(false, func(w http.ResponseWriter, r *http.Request, _ *sohoa.Principal) {
		s.fail(w, r, sohoa.Errorf(sohoa.ENOTFOUND, "Không có trang này."))
	})
	for _, rt := range s.routes() {
		var h http.Handler
		switch {
		case rt.open != nil:
			h = rt.open
		default:
			h = s.withSession(true, rt.signedIn)
		}
		r.Handle(rt.path, h).Methods(rt.methods...)
	}
	return s.secure(r)
}

type route struct {
	methods []string
	path    string
	// open serves without a session; signedIn with one (else to the login).
	open     http.HandlerFunc
	signedIn func(http.ResponseWriter, *http.Request, *sohoa.Principal)
}

func (s *Server) routes() []route {
	get, post := []string{"GET", "HEAD"}, []string{"POST"}
	return []route{
		{methods: get, path: "/static/{name}", open: s.asset},
		{methods: get, path: "/dang-nhap", open: s.loginPage},
		{methods: post, path: "/dang-nhap", open: s.login},
		{methods: post, path: "/dang-xuat", signedIn: s.logout},
		{methods: get, path: "/", signedIn: s.home},
		{methods: get, path: "/tim-kiem", signedIn: s.search},
		{methods: get, path: "/ho-so", signedIn: s.list},
		{methods: post, path: "/tim-kiem-da-luu", signedIn: s.saveSearch},
		{methods: post, path: "/tim-kiem-da-luu/{id}/xoa", signedIn: s.deleteSavedSearch},
		{methods: post, path: "/ho-so/sua-nhieu", signedIn: s.updateMany},
		{methods: get, path: "/ho-so/{id}", signedIn: s.record},
		{methods: post, path: "/ho-so/{id}", signedIn: s.update},
		{methods: get, path: "/ho-so/{id}/trang/{n}/anh", signedIn: s.pageImage},
		{methods: get, path: "/ho-so/{id}/dong/{row}", signedIn: s.entry},
		{methods: post, path: "/ho-so/{id}/dong/{row}", signedIn: s.updateEntry},
		{methods: post, path: "/ho-so/{id}/phe-duyet", signedIn: s.approve},
		{methods: post, path: "/ho-so/{id}/thu-hoi", signedIn: s.revoke},
		{methods: get, path: "/ho-so/{id}/ban-sao.pdf", signedIn: s.signedPDF},
		{methods: get, path: "/ho-so/{id}/bien-nhan.jws", signedIn: s.receipt},
		{methods: get, path: "/tai-len", signedIn: s.uploadPage},
		{methods: post, path: "/tai-len", signedIn: s.upload},
		{methods: get, path: "/tai-len/trang-thai", signedIn: s.uploadStatus},
		{methods: get, path: "/quan-tri", signedIn: s.admin},
		{methods: post, path: "/quan-tri/don-vi", signedIn: s.addUnit},
		{methods: post, path: "/quan-tri/nguoi-dung", signedIn: s.addUser},
		{methods: post, path: "/quan-tri/nguoi-dung/{id}", signedIn: s.changeUser},
		{methods: get, path: "/quan-tri/ma-truy-cap", signedIn: s.tokens},
		{methods: post, path: "/quan-tri/ma-truy-cap", signedIn: s.addToken},
		{methods: post, path: "/quan-tri/ma-truy-cap/{id}/thu-hoi", signedIn: s.revokeToken},
		{methods: get, path: "/quan-tri/nhat-ky", signedIn: s.auditLog},
		{methods: get, path: "/bao-cao", signedIn: s.monthlyReport},
		{methods: get, path: "/bao-cao/tai-ve", signedIn: s.reportDownload},
		{methods: post, path: "/bao-cao/ky", signedIn: s.signReport},
	}
}

// contentSecurity allows nothing from elsewhere and nothing inline.
const contentSecurity = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; " +
	"form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"

// secure sets the headers every answer carries and recovers a panic.
func (s *Server) secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurity)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		defer func() {
			if v := recover(); v != nil {
				s.Log.Error("panic", "method", r.Method, "path", r.URL.Path, "panic", v)
				s.fail(w, r, errors.New("panic"))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// sessionCookie carries the login session (the API takes it too).
const sessionCookie = "sohoa_session"

// withSession finds the request's session. Without one, a page asks to
// sign in (must) or goes on without a principal; with one, a POST must
// carry its CSRF token.
func (s *Server) withSession(must bool, next func(http.ResponseWriter, *http.Request, *sohoa.Principal)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var p *sohoa.Principal
		var token string
		if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
			token = c.Value
			var err error
			if p, err = s.Directory.Authenticate(r.Context(), token); err != nil {
				p = nil
			}
		}
		if p == nil && must {
			if r.Method != "GET" && r.Method != "HEAD" {
				s.fail(w, r, sohoa.Errorf(sohoa.EUNAUTHORIZED, "Phiên đăng nhập đã hết; vui lòng đăng nhập lại."))
				return
			}
			http.Redirect(w, r, "/dang-nhap?tiep="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		if p != nil {
			p.Address = clientAddr(r)
			r = r.WithContext(context.WithValue(r.Context(), csrfKey{}, csrfToken(token)))
			if r.Method == "POST" && !s.checkCSRF(r, csrfToken(token)) {
				s.fail(w, r, sohoa.Errorf(sohoa.EFORBIDDEN, "Biểu mẫu đã hết hạn hoặc không đến từ trang này (thiếu mã chống giả mạo). Vui lòng tải lại trang rồi gửi lại."))
				return
			}
		}
		next(w, r, p)
	})
}

type csrfKey struct{}

// csrfToken is a session's CSRF token: only who holds the session cookie,
// which pages cannot read, can make it.
func csrfToken(session string) string {
	m := hmac.New(sha256.New, []byte(session))
	m.Write([]byte("sohoa csrf"))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// checkCSRF reports whether a POST carries want, in its form or header,
// and comes from this site when the browser says where it comes from.
func (s *Server) checkCSRF(r *http.Request, want string) bool {
	if origin := r.Header.Get("Origin"); origin != "" {
		u, err := url.Parse(origin)
		if err != nil || u.Host != r.Host {
			return false
		}
	}
	got := r.Header.Get("X-CSRF-Token")
	if got == "" {
		// Multipart bodies are read by the handler: the token comes first in
		// the query of the form's action, set by the page.
		got = r.URL.Query().Get("csrf")
	}
	if got == "" && strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		got = r.PostFormValue("csrf")
	}
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// loginCookie carries the login form's CSRF token (double-submitted).
const loginCookie = "sohoa_login"

func randomToken() string {
	b := make([]byte, 24)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func (s *Server) setCookie(w http.ResponseWriter, r *http.Request, name, value string, expires time.Time, sameSite http.SameSite) {
	c := &http.Cookie{Name: name, Value: value, Path: "/", HttpOnly: true, SameSite: sameSite, Secure: r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https"}
	if value == "" {
		c.MaxAge = -1
	} else if !expires.IsZero() {
		c.Expires = expires
	}
	http.SetCookie(w, c)
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	s.showLogin(w, r, "", http.StatusOK)
}

func (s *Server) showLogin(w http.ResponseWriter, r *http.Request, problem string, status int) {
	token := randomToken()
	s.setCookie(w, r, loginCookie, token, time.Time{}, http.SameSiteStrictMode)
	s.render(w, r, status, "login", &view{Title: "Đăng nhập", CSRF: token, Problem: problem,
		Data: map[string]string{"Next": safeNext(r.FormValue("tiep")), "Username": r.PostFormValue("username")}})
}

// safeNext keeps a place to go after signing in only when it is on this site.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	return next
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	c, err := r.Cookie(loginCookie)
	if err != nil || c.Value == "" || subtle.ConstantTimeCompare([]byte(c.Value), []byte(r.PostFormValue("csrf"))) != 1 {
		s.showLogin(w, r, "Biểu mẫu đăng nhập đã hết hạn; vui lòng nhập lại.", http.StatusForbidden)
		return
	}
	session, err := s.Directory.Login(r.Context(), r.PostFormValue("username"), r.PostFormValue("password"), clientAddr(r))
	if err != nil {
		status := http.StatusUnauthorized
		if sohoa.ErrorCode(err) == sohoa.ETOOMANY {
			status = http.StatusTooManyRequests
		} else if sohoa.ErrorCode(err) != sohoa.EUNAUTHORIZED {
			s.fail(w, r, err)
			return
		}
		s.showLogin(w, r, sohoa.ErrorMessage(err), status)
		return
	}
	s.setCookie(w, r, loginCookie, "", time.Time{}, http.SameSiteStrictMode)
	s.setCookie(w, r, sessionCookie, session.Token, session.ExpiresAt, http.SameSiteLaxMode)
	http.Redirect(w, r, safeNext(r.PostFormValue("tiep")), http.StatusSeeOther)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request, p *sohoa.Principal) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		s.Directory.Logout(r.Context(), c.Value)
	}
	s.setCookie(w, r, sessionCookie, "", time.Time{}, http.SameSiteLaxMode)
	http.Redirect(w, r, "/dang-nhap", http.StatusSeeOther)
}

// statuses is how an error shows as an HTTP status on a page.
var statuses = map[string]int{
	sohoa.EINVALID: http.StatusBadRequest, sohoa.ENOTFOUND: http.StatusNotFound, sohoa.ECONFLICT: http.StatusConflict,
	sohoa.EUNAUTHORIZED: http.StatusUnauthorized, sohoa.EFORBIDDEN: http.StatusForbidden, sohoa.EUNSUPPORTED: http.StatusUnsupportedMediaType,
	sohoa.ETOOLARGE: http.StatusRequestEntityTooLarge, sohoa.EUNAVAILABLE: http.StatusServiceUnavailable, sohoa.ETOOMANY: http.StatusTooManyRequests,
	sohoa.EBUSY: http.StatusServiceUnavailable,
}

// fail answers with an error page (an internal error shows only that it
// happened; the log has the cause).
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	code := sohoa.ErrorCode(err)
	status, ok := statuses[code]
	if !ok {
		status = http.StatusInternalServerError
		s.Log.Error("internal error", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	if code == sohoa.EUNAVAILABLE {
		w.Header().Set("Retry-After", "30")
	}
	p, _ := s.principalOf(r)
	s.render(w, r, status, "error", &view{Title: "Lỗi", Principal: p, Problem: sohoa.ErrorMessage(err), Data: status})
}

// principalOf finds the session of a request whose handler had none.
func (s *Server) principalOf(r *http.Request) (*sohoa.Principal, error) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil, err
	}
	return s.Directory.Authenticate(r.Context(), c.Value)
}

package api

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"sohoa"
	"sohoa/catalog"
	"sohoa/ingest"
	"sohoa/search"
)

//go:embed openapi.yaml
var openAPI []byte

// Catalog is what the API reads from the catalog.
type Catalog interface {
	Document(ctx context.Context, id string) (*sohoa.Document, error)
	Documents(ctx context.Context, f catalog.Filter) (*catalog.Page, error)
	Authenticate(ctx context.Context, token string) (*sohoa.Principal, error)
	Login(ctx context.Context, username, password string) (*sohoa.User, error)
	RevokeValue(ctx context.Context, value string) error
	Unit(ctx context.Context, id string) (*sohoa.Unit, error)
	Units(ctx context.Context) ([]*sohoa.Unit, error)
	User(ctx context.Context, id string) (*sohoa.User, error)
	Users(ctx context.Context) ([]*sohoa.User, error)
	Token(ctx context.Context, id string) (*catalog.Token, error)
	Tokens(ctx context.Context, userID string) ([]*catalog.Token, error)
	Audit(ctx context.Context, f catalog.AuditFilter) ([]*sohoa.AuditEntry, error)
	ApprovalByCode(ctx context.Context, code string) (*sohoa.Approval, error)
	Verified(ctx context.Context, f catalog.VerifiedFilter) ([]*catalog.Verified, error)
	AddReuse(ctx context.Context, e *catalog.ReuseEntry) error
	Reuse(ctx context.Context, from, to time.Time) ([]*catalog.ReuseEntry, error)
}

// Directory changes units, users and tokens.
type Directory interface {
	AddUnit(ctx context.Context, u *sohoa.Unit) error
	AddUser(ctx context.Context, u *sohoa.User, password string) error
	SetUserDisabled(ctx context.Context, id string, disabled bool) (*sohoa.User, error)
	AddToken(ctx context.Context, userID, name, kind, value string, ttl time.Duration) (string, *catalog.Token, error)
	RevokeToken(ctx context.Context, id string) (*catalog.Token, error)
}

// Auditor records who read or changed what.
type Auditor interface {
	Record(ctx context.Context, e *sohoa.AuditEntry) error
}

// Searcher answers search queries.
type Searcher interface {
	Search(ctx context.Context, q search.Query) (*search.Result, error)
}

// Ingest is the write path.
type Ingest interface {
	Spool(r io.Reader, name string) (*ingest.File, error)
	ExpandZip(f *ingest.File) ([]*ingest.File, error)
	Accept(ctx context.Context, up *ingest.Upload) (*sohoa.Document, error)
	Update(ctx context.Context, id string, p *ingest.Patch) (*sohoa.Document, error)
	History(ctx context.Context, id string) ([]sohoa.Change, error)
	Delete(ctx context.Context, id, by string) error
	Open(ctx context.Context, key string) (io.ReadCloser, error)
	PageText(ctx context.Context, id string, n int) (*sohoa.PageText, error)
	Approve(ctx context.Context, id string, by *sohoa.Principal, body, verifyBase string) (*sohoa.Approval, error)
	Revoke(ctx context.Context, id string, by *sohoa.Principal, reason string) (*sohoa.Approval, error)
	Approvals(ctx context.Context, id string) ([]sohoa.Approval, error)
}

// HealthCheck reports why uploads cannot be taken, or nil.
type HealthCheck func(ctx context.Context) error

// Server serves the API.
type Server struct {
	Catalog   Catalog
	Directory Directory
	Audit     Auditor
	Search    Searcher
	Ingest    Ingest
	Health    map[string]HealthCheck
	Log       *slog.Logger
	MaxUpload int64 // bytes in one upload request
	MaxFiles  int
	// SessionTTL is how long a login lasts.
	SessionTTL time.Duration
	// Certificates is the signing certificate chain, PEM, published at
	// /api/v1/keys for offline checks.
	Certificates []byte
	// PublicURL is where verification codes are checked (/verify/{code}).
	PublicURL string
	// VerifyPerMinute bounds the public verification page per client address.
	VerifyPerMinute int

	loginSlots chan struct{}
	limits     *limiter
}

// Handler returns the HTTP handler of every route.
func (s *Server) Handler() http.Handler {
	// Password hashing takes 64 MiB a try: a few at a time.
	s.loginSlots = make(chan struct{}, 4)
	s.limits = newLimiter()
	if s.VerifyPerMinute == 0 {
		s.VerifyPerMinute = 30
	}
	if s.SessionTTL == 0 {
		s.SessionTTL = 12 * time.Hour
	}
	notFound := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.error(w, r, sohoa.Errorf(sohoa.ENOTFOUND, "Không có địa chỉ này (%s).", r.URL.Path))
	})
	methodNotAllowed := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.error(w, r, &sohoa.Error{Code: codeMethodNotAllowed, Message: "Phương thức " + r.Method + " không được hỗ trợ ở địa chỉ này."})
	})
	r := mux.NewRouter()
	r.NotFoundHandler, r.MethodNotAllowedHandler = notFound, methodNotAllowed
	for _, rt := range s.routes() {
		h := http.Handler(rt.handler)
		if rt.roles != public {
			if rt.roles != anyone {
				h = s.require(rt.roles, h)
			}
			h = s.authenticate(h)
		}
		r.Handle(rt.path, h).Methods(rt.method)
	}
	return s.logRequests(r)
}

type principalKey struct{}

func principal(ctx context.Context) *sohoa.Principal {
	p, _ := ctx.Value(principalKey{}).(*sohoa.Principal)
	return p
}

// sessionCookie carries a login session for the web page.
const sessionCookie = "sohoa_session"

func bearer(r *http.Request) string {
	if token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		return strings.TrimSpace(token)
	}
	if c, err := r.Cookie(sessionCookie); err == nil {
		return c.Value
	}
	return ""
}

func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token := bearer(r)
		if token == "" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="sohoa"`)
			s.error(w, r, sohoa.Errorf(sohoa.EUNAUTHORIZED, "Cần đăng nhập hoặc mã truy cập (Authorization: Bearer <token>)."))
			return
		}
		p, err := s.Catalog.Authenticate(r.Context(), token)
		if err != nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="sohoa", error="invalid_token"`)
			s.error(w, r, err)
			return
		}
		if p.Scope != nil && !s.limits.allow("client:"+p.UserID, p.Scope.RatePerMinute) {
			w.Header().Set("Retry-After", "60")
			s.error(w, r, &sohoa.Error{Code: codeRateLimited, Message: "Vượt quá số yêu cầu cho phép mỗi phút; vui lòng thử lại sau."})
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), principalKey{}, p)))
	})
}

// require lets through the given roles ("clerk,official"); admin is always
// let through.
func (s *Server) require(roles string, next http.Handler) http.Handler {
	allowed := strings.Split(roles, ",")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := principal(r.Context())
		for _, role := range allowed {
			if p != nil && (p.Role == role || p.Role == sohoa.RoleAdmin) {
				next.ServeHTTP(w, r)
				return
			}
		}
		s.error(w, r, sohoa.Errorf(sohoa.EFORBIDDEN, "Tài khoản của bạn không có quyền thực hiện thao tác này."))
	})
}

// audit records an action of the request's principal. What cannot be
// recorded is not done: the caller answers with the error.
func (s *Server) audit(r *http.Request, action, document, detail string) error {
	p := principal(r.Context())
	e := &sohoa.AuditEntry{Action: action, Document: document, Detail: detail, Purpose: purpose(r), Client: clientAddr(r)}
	if p != nil {
		e.UserID, e.Username, e.UnitID = p.UserID, p.Username, p.UnitID
	}
	if err := s.Audit.Record(r.Context(), e); err != nil {
		return &sohoa.Error{Code: sohoa.EUNAVAILABLE, Message: "Không ghi được nhật ký truy cập; thao tác chưa được thực hiện.", Err: err}
	}
	return nil
}

// purpose is why the caller reads: the X-Purpose header or ?purpose=.
func purpose(r *http.Request) string {
	p := r.Header.Get("X-Purpose")
	if p == "" {
		p = r.URL.Query().Get("purpose")
	}
	if len(p) > 500 {
		p = p[:500]
	}
	return strings.ToValidUTF8(p, "")
}

func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

const (
	codeMethodNotAllowed = "method_not_allowed"
	codeRateLimited      = "rate_limited"
)

// statuses maps error codes to HTTP statuses, in one place.
var statuses = map[string]int{
	sohoa.EINVALID:       http.StatusBadRequest,
	sohoa.ENOTFOUND:      http.StatusNotFound,
	sohoa.ECONFLICT:      http.StatusConflict,
	sohoa.EUNAUTHORIZED:  http.StatusUnauthorized,
	sohoa.EFORBIDDEN:     http.StatusForbidden,
	sohoa.EUNSUPPORTED:   http.StatusUnsupportedMediaType,
	sohoa.ETOOLARGE:      http.StatusRequestEntityTooLarge,
	sohoa.EUNAVAILABLE:   http.StatusServiceUnavailable,
	sohoa.EINTERNAL:      http.StatusInternalServerError,
	codeMethodNotAllowed: http.StatusMethodNotAllowed,
	codeRateLimited:      http.StatusTooManyRequests,
}

func (s *Server) error(w http.ResponseWriter, r *http.Request, err error) {
	code := sohoa.ErrorCode(err)
	status, ok := statuses[code]
	if !ok {
		status = http.StatusInternalServerError
	}
	if code == sohoa.EINTERNAL {
		s.Log.Error("internal error", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	body := map[string]string{"code": code, "message": sohoa.ErrorMessage(err)}
	var e *sohoa.Error
	if errors.As(err, &e) {
		if e.Field != "" {
			body["field"] = e.Field
		}
		if e.Existing != "" {
			body["existing_id"] = e.Existing
		}
	}
	writeJSON(w, status, map[string]any{"error": body})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(s int) {
	r.status = s
	r.ResponseWriter.WriteHeader(s)
}

func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		defer func() {
			if v := recover(); v != nil {
				s.Log.Error("panic", "method", r.Method, "path", r.URL.Path, "panic", v)
				s.error(rec, r, errors.New("panic"))
			}
			s.Log.Debug("request", "method", r.Method, "path", r.URL.Path, "status", rec.status, "ms", time.Since(start).Milliseconds())
		}()
		next.ServeHTTP(rec, r)
	})
}

// intParam reads an integer query parameter within [lo, hi], def if absent.
func intParam(r *http.Request, name string, def, lo, hi int) (int, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, sohoa.Errorf(sohoa.EINVALID, "Tham số %s phải là số nguyên từ %d đến %d.", name, lo, hi)
	}
	return n, nil
}

func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()
	reasons := map[string]string{}
	for name, check := range s.Health {
		if err := check(ctx); err != nil {
			reasons[name] = err.Error()
		}
	}
	if len(reasons) > 0 {
		s.Log.Warn("unhealthy", "reasons", reasons)
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{"status": "unavailable", "reasons": reasons})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "ok"})
}

func (s *Server) openAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/yaml; charset=utf-8")
	w.Write(openAPI)
}

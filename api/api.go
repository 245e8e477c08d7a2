package api

import (
	"context"
	"crypto/x509"
	_ "embed"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"sohoa"
	"sohoa/directory"
	"sohoa/records"
	"sohoa/report"
)

//go:embed openapi.yaml
var openAPI []byte

// Records is the use cases on records (package records).
type Records interface {
	Upload(ctx context.Context, p *sohoa.Principal, form sohoa.UploadForm) (*records.Uploaded, error)
	List(ctx context.Context, p *sohoa.Principal, q records.ListQuery) (*sohoa.DocumentList, error)
	Person(ctx context.Context, p *sohoa.Principal, cccd string, q records.ListQuery) (*sohoa.DocumentList, error)
	Get(ctx context.Context, p *sohoa.Principal, id string) (*sohoa.Document, error)
	Update(ctx context.Context, p *sohoa.Principal, id string, patch *sohoa.RecordPatch) (*sohoa.Document, error)
	Accept(ctx context.Context, p *sohoa.Principal, id string, fields []string) (*sohoa.Document, error)
	UpdateEntry(ctx context.Context, p *sohoa.Principal, id string, row int, values map[string]any) (*sohoa.Document, error)
	Delete(ctx context.Context, p *sohoa.Principal, id string) error
	History(ctx context.Context, p *sohoa.Principal, id string) ([]sohoa.Change, error)
	Text(ctx context.Context, p *sohoa.Principal, id string) (*records.Blob, error)
	PageImage(ctx context.Context, p *sohoa.Principal, id, n string) (*records.Blob, error)
	PageText(ctx context.Context, p *sohoa.Principal, id, n string) (string, error)
	Search(ctx context.Context, p *sohoa.Principal, q sohoa.SearchQuery) (*sohoa.SearchResult, error)
	Approve(ctx context.Context, p *sohoa.Principal, id string) (*sohoa.Approval, error)
	Revoke(ctx context.Context, p *sohoa.Principal, id, reason string) (*sohoa.Approval, error)
	Approvals(ctx context.Context, p *sohoa.Principal, id string) ([]sohoa.Approval, error)
	SignedPDF(ctx context.Context, p *sohoa.Principal, id string) (*records.Blob, error)
	Receipt(ctx context.Context, p *sohoa.Principal, id string) (string, error)
	Verify(ctx context.Context, code string) (*records.Verification, error)
	VerifiedLookup(ctx context.Context, p *sohoa.Principal, q records.VerifiedQuery) ([]*sohoa.Verified, error)
	VerifiedPDF(ctx context.Context, p *sohoa.Principal, id string, use records.Use) (*records.Blob, error)
	VerifiedReceipt(ctx context.Context, p *sohoa.Principal, id string) (string, error)
	Reuse(ctx context.Context, p *sohoa.Principal, from, to time.Time) (*records.ReuseSummary, error)
	MonthlyReport(ctx context.Context, p *sohoa.Principal, month, unitID string) (*report.Report, error)
	MonthlyReportPDF(ctx context.Context, p *sohoa.Principal, month, unitID string, h report.Heading) ([]byte, error)
	AuditLog(ctx context.Context, p *sohoa.Principal, f sohoa.AuditFilter) ([]*sohoa.AuditEntry, error)
}

// Directory is units, users, tokens and sessions (package directory).
type Directory interface {
	Authenticate(ctx context.Context, token string) (*sohoa.Principal, error)
	Login(ctx context.Context, username, password, address string) (*directory.Session, error)
	Logout(ctx context.Context, token string) error
	Unit(ctx context.Context, id string) (*sohoa.Unit, error)
	Units(ctx context.Context) ([]*sohoa.Unit, error)
	AddUnit(ctx context.Context, by *sohoa.Principal, u *sohoa.Unit) error
	User(ctx context.Context, id string) (*sohoa.User, error)
	Users(ctx context.Context, by *sohoa.Principal) ([]*sohoa.User, error)
	AddUser(ctx context.Context, by *sohoa.Principal, u *sohoa.User, password string) error
	SetUserDisabled(ctx context.Context, by *sohoa.Principal, id string, disabled bool) (*sohoa.User, error)
	Tokens(ctx context.Context, by *sohoa.Principal, userID string) ([]*sohoa.Token, error)
	AddToken(ctx context.Context, by *sohoa.Principal, userID, name string) (string, *sohoa.Token, error)
	RevokeToken(ctx context.Context, by *sohoa.Principal, id string) error
}

// HealthCheck reports why uploads cannot be taken, or nil.
type HealthCheck func(ctx context.Context) error

// Server serves the API.
type Server struct {
	Records   Records
	Directory Directory
	Health    map[string]HealthCheck
	Log       *slog.Logger
	// Version is the running sohoa's, shown by /healthz.
	Version   string
	MaxUpload int64 // bytes in one upload request
	// Certificates is the signing certificate chain, published at
	// /api/v1/keys for offline checks, with its PEM.
	Certificates   []*x509.Certificate
	CertificatePEM []byte
	// VerifyPerMinute bounds the public verification page per client address.
	VerifyPerMinute int

	limits *limiter
}

// Handler returns the HTTP handler of every route.
func (s *Server) Handler() http.Handler {
	s.limits = newLimiter()
	if s.VerifyPerMinute == 0 {
		s.VerifyPerMinute = 30
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

// principal is who the request speaks for, with why and from where.
func principal(r *http.Request) *sohoa.Principal {
	p, _ := r.Context().Value(principalKey{}).(*sohoa.Principal)
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
		p, err := s.Directory.Authenticate(r.Context(), token)
		if err != nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="sohoa", error="invalid_token"`)
			s.error(w, r, err)
			return
		}
		if p.Scope != nil && !s.limits.allow("client:"+p.UserID, p.Scope.RatePerMinute) {
			w.Header().Set("Retry-After", "60")
			s.error(w, r, &sohoa.Error{Code: sohoa.ETOOMANY, Message: "Vượt quá số yêu cầu cho phép mỗi phút; vui lòng thử lại sau."})
			return
		}
		p.Purpose, p.Address = purpose(r), clientAddr(r)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), principalKey{}, p)))
	})
}

// require lets through the given roles ("clerk,official"); admin is always
// let through.
func (s *Server) require(roles string, next http.Handler) http.Handler {
	allowed := strings.Split(roles, ",")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := principal(r)
		for _, role := range allowed {
			if p != nil && (p.Role == role || p.Role == sohoa.RoleAdmin) {
				next.ServeHTTP(w, r)
				return
			}
		}
		s.error(w, r, sohoa.Errorf(sohoa.EFORBIDDEN, "Tài khoản của bạn không có quyền thực hiện thao tác này."))
	})
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
	sohoa.ETOOMANY:       http.StatusTooManyRequests,
	sohoa.EBUSY:          http.StatusServiceUnavailable,
}

// retryAfter is when a client should try again after a 503.
const retryAfter = "30"

func (s *Server) error(w http.ResponseWriter, r *http.Request, err error) {
	// A client that went away (an import stopped, a closed laptop) is not
	// the service failing: nothing was taken, and no one reads the answer.
	if r.Context().Err() != nil && errors.Is(err, context.Canceled) {
		s.Log.Info("request abandoned by the client", "method", r.Method, "path", r.URL.Path)
		return
	}
	code := sohoa.ErrorCode(err)
	status, ok := statuses[code]
	if !ok {
		status = http.StatusInternalServerError
	}
	switch code {
	case sohoa.EINTERNAL:
		s.Log.Error("internal error", "method", r.Method, "path", r.URL.Path, "err", err)
	case sohoa.EUNAVAILABLE:
		s.Log.Warn("unavailable", "method", r.Method, "path", r.URL.Path, "err", err)
		w.Header().Set("Retry-After", retryAfter)
	}
	var e *sohoa.Error
	if errors.As(err, &e) && e.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(e.RetryAfter.Seconds()+0.5)))
	}
	body := map[string]any{"code": code, "message": sohoa.ErrorMessage(err)}
	if e != nil {
		if e.Field != "" {
			body["field"] = e.Field
		}
		if len(e.Fields) > 0 {
			body["fields"] = e.Fields
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
		return 0, sohoa.FieldError(name, "Tham số %s phải là số nguyên từ %d đến %d.", name, lo, hi)
	}
	return n, nil
}

// decodeJSON reads a JSON body into v, a pointer to a struct: fields it
// does not have and values of the wrong type are errors naming the field.
func decodeJSON(r *http.Request, v any) error {
	var raw map[string]json.RawMessage
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&raw); err != nil {
		return sohoa.Errorf(sohoa.EINVALID, "Nội dung không phải một đối tượng JSON hợp lệ.")
	}
	known := jsonFields(reflect.TypeOf(v).Elem())
	var errs sohoa.Problems
	for name := range raw {
		if !known[name] {
			errs.Add(name, "Trường %q không được hỗ trợ.", name)
		}
	}
	if err := errs.Err(); err != nil {
		return err
	}
	b, _ := json.Marshal(raw)
	var typeErr *json.UnmarshalTypeError
	if err := json.Unmarshal(b, v); errors.As(err, &typeErr) {
		return sohoa.FieldError(typeErr.Field, "Trường %s có kiểu dữ liệu không đúng (cần %s).", typeErr.Field, typeErr.Type)
	} else if err != nil {
		return sohoa.Errorf(sohoa.EINVALID, "Nội dung không phải JSON hợp lệ.")
	}
	return nil
}

// jsonFields lists the JSON names of a struct's fields.
func jsonFields(t reflect.Type) map[string]bool {
	out := map[string]bool{}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = true
	}
	return out
}

func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()
	reasons := map[string]string{}
	for name, check := range s.Health {
		if err := check(ctx); err != nil {
			// The public is told what is wrong, the log where.
			s.Log.Warn("unhealthy", "check", name, "err", err)
			reasons[name] = sohoa.ErrorMessage(err)
		}
	}
	if len(reasons) > 0 {
		w.Header().Set("Retry-After", retryAfter)
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{"status": "unavailable", "reasons": reasons, "version": s.Version})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "ok", "version": s.Version})
}

func (s *Server) openAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/yaml; charset=utf-8")
	w.Write(openAPI)
}

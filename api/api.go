package api

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
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
	Authenticate(ctx context.Context, token string) (*catalog.Principal, error)
	AddToken(ctx context.Context, token, name, role string) error
	Ping(ctx context.Context) error
}

// Searcher answers search queries.
type Searcher interface {
	Search(ctx context.Context, q search.Query) (*search.Result, error)
}

// Ingest is the write path.
type Ingest interface {
	Spool(r io.Reader, name string) (*ingest.File, error)
	Accept(ctx context.Context, title string, files []*ingest.File) (*sohoa.Document, error)
	Delete(ctx context.Context, id, by string) error
	Open(ctx context.Context, key string) (io.ReadCloser, error)
	PageText(ctx context.Context, id string, n int) (*sohoa.PageText, error)
}

// HealthCheck reports why uploads cannot be taken, or nil.
type HealthCheck func(ctx context.Context) error

// Server serves the API.
type Server struct {
	Catalog   Catalog
	Search    Searcher
	Ingest    Ingest
	Health    map[string]HealthCheck
	Log       *slog.Logger
	MaxUpload int64 // bytes in one upload request
	MaxFiles  int
}

// Handler returns the HTTP handler of every route.
func (s *Server) Handler() http.Handler {
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
		if rt.role != "" {
			h = s.require(rt.role, h)
		}
		if strings.HasPrefix(rt.path, "/api/v1/") {
			h = s.authenticate(h)
		}
		r.Handle(rt.path, h).Methods(rt.method)
	}
	return s.logRequests(r)
}

type principalKey struct{}

func principal(ctx context.Context) *catalog.Principal {
	p, _ := ctx.Value(principalKey{}).(*catalog.Principal)
	return p
}

func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || strings.TrimSpace(token) == "" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="sohoa"`)
			s.error(w, r, sohoa.Errorf(sohoa.EUNAUTHORIZED, "Cần mã truy cập (Authorization: Bearer <token>)."))
			return
		}
		p, err := s.Catalog.Authenticate(r.Context(), strings.TrimSpace(token))
		if err != nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="sohoa", error="invalid_token"`)
			s.error(w, r, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), principalKey{}, p)))
	})
}

// require lets through the given roles ("clerk,admin"); admin is always let
// through.
func (s *Server) require(roles string, next http.Handler) http.Handler {
	allowed := strings.Split(roles, ",")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := principal(r.Context())
		for _, role := range allowed {
			if p != nil && (p.Role == role || p.Role == catalog.RoleAdmin) {
				next.ServeHTTP(w, r)
				return
			}
		}
		s.error(w, r, sohoa.Errorf(sohoa.EFORBIDDEN, "Tài khoản của bạn không có quyền thực hiện thao tác này."))
	})
}

const codeMethodNotAllowed = "method_not_allowed"

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
	writeJSON(w, status, map[string]any{"error": map[string]string{"code": code, "message": sohoa.ErrorMessage(err)}})
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

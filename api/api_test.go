package api

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"sohoa"
	"sohoa/directory"
	"sohoa/records"
)

// fakeDirectory knows one token per role; the real directory is tested in
// package directory and end to end in cmd/sohoa.
type fakeDirectory struct{ Directory }

func (fakeDirectory) Authenticate(_ context.Context, token string) (*sohoa.Principal, error) {
	role, ok := strings.CutSuffix(token, "-token")
	if !ok || !sohoa.ValidRole(role) {
		return nil, sohoa.Errorf(sohoa.EUNAUTHORIZED, "Mã truy cập không hợp lệ.")
	}
	p := &sohoa.Principal{UserID: "U-" + role, Username: role, Role: role, UnitID: "SGD", UnitPath: "/SGD/"}
	if role == sohoa.RoleSystem {
		p.Scope = &sohoa.ClientScope{Types: []string{sohoa.TypeVanBang}, Units: []string{"SGD"}, RatePerMinute: 3}
	}
	return p, nil
}

func (fakeDirectory) Login(_ context.Context, username, password, address string) (*directory.Session, error) {
	if username == "locked" {
		return nil, &sohoa.Error{Code: sohoa.ETOOMANY, RetryAfter: 15 * time.Minute, Message: "Tài khoản này đã đăng nhập sai quá nhiều lần nên tạm bị khóa đến 15:15."}
	}
	return &directory.Session{Token: "clerk-token", ExpiresAt: time.Now().Add(time.Hour), User: &sohoa.User{Username: username}}, nil
}

// fakeRecords answers what each test sets, and remembers what it was asked.
type fakeRecords struct {
	Records
	upload   func(form sohoa.UploadForm) (*records.Uploaded, error)
	blob     *records.Blob
	use      records.Use
	asked    *sohoa.Principal
	approved *sohoa.Approval
	getErr   error
}

func (f *fakeRecords) Upload(_ context.Context, p *sohoa.Principal, form sohoa.UploadForm) (*records.Uploaded, error) {
	f.asked = p
	return f.upload(form)
}

func (f *fakeRecords) Get(_ context.Context, p *sohoa.Principal, id string) (*sohoa.Document, error) {
	f.asked = p
	if f.getErr != nil {
		return nil, f.getErr
	}
	return nil, sohoa.Errorf(sohoa.ENOTFOUND, "Không tìm thấy văn bản.")
}

func (f *fakeRecords) Delete(_ context.Context, p *sohoa.Principal, id string) error {
	return sohoa.Errorf(sohoa.ENOTFOUND, "Không tìm thấy văn bản.")
}

func (f *fakeRecords) Search(_ context.Context, p *sohoa.Principal, q sohoa.SearchQuery) (*sohoa.SearchResult, error) {
	return &sohoa.SearchResult{}, nil
}

func (f *fakeRecords) Approve(_ context.Context, p *sohoa.Principal, id string) (*sohoa.Approval, error) {
	f.asked = p
	return f.approved, nil
}

func (f *fakeRecords) VerifiedPDF(_ context.Context, p *sohoa.Principal, id string, use records.Use) (*records.Blob, error) {
	f.asked, f.use = p, use
	return f.blob, nil
}

func (f *fakeRecords) Update(_ context.Context, p *sohoa.Principal, id string, patch *sohoa.RecordPatch) (*sohoa.Document, error) {
	var errs sohoa.Problems
	errs.Add("metadata.ngay_sinh", "Ngày sinh không tồn tại.")
	errs.Add("metadata.so_dinh_danh", "Số định danh phải có 12 chữ số.")
	return nil, errs.Err()
}

func newServer(t *testing.T, recs *fakeRecords) http.Handler {
	t.Helper()
	srv := &Server{Records: recs, Directory: fakeDirectory{}, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), MaxUpload: 1 << 20,
		Version: "test-1", Certificates: []*x509.Certificate{}}
	return srv.Handler()
}

type reply struct {
	*httptest.ResponseRecorder
	Error struct {
		Code, Message, Field string
		Fields               []sohoa.FieldProblem
		Existing             string `json:"existing_id"`
	}
}

func do(t *testing.T, h http.Handler, method, path, token string, body io.Reader, header ...string) *reply {
	t.Helper()
	req := httptest.NewRequest(method, path, body)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	r := &reply{ResponseRecorder: rec}
	var body2 struct{ Error *json.RawMessage }
	if json.Unmarshal(rec.Body.Bytes(), &body2) == nil && body2.Error != nil {
		json.Unmarshal(*body2.Error, &r.Error)
	}
	return r
}

func TestEveryErrorCodeHasAStatus(t *testing.T) {
	for _, code := range []string{sohoa.EINVALID, sohoa.ENOTFOUND, sohoa.ECONFLICT, sohoa.EUNAUTHORIZED,
		sohoa.EFORBIDDEN, sohoa.EUNSUPPORTED, sohoa.ETOOLARGE, sohoa.EUNAVAILABLE, sohoa.EINTERNAL} {
		if statuses[code] == 0 {
			t.Errorf("code %q has no HTTP status", code)
		}
	}
}

func TestAuthAndErrors(t *testing.T) {
	h := newServer(t, &fakeRecords{})
	tests := []struct {
		name, method, path, token string
		status                    int
		code                      string
	}{
		{"no token", "GET", "/api/v1/documents/01M8CABJP4V5SGET1J097Q7D2Q", "", 401, sohoa.EUNAUTHORIZED},
		{"bad token", "GET", "/api/v1/documents/01M8CABJP4V5SGET1J097Q7D2Q", "nope", 401, sohoa.EUNAUTHORIZED},
		{"unknown document", "GET", "/api/v1/documents/01M8CABJP4V5SGET1J097Q7D2Q", "clerk-token", 404, sohoa.ENOTFOUND},
		{"clerk deletes", "DELETE", "/api/v1/documents/01M8CABJP4V5SGET1J097Q7D2Q", "clerk-token", 403, sohoa.EFORBIDDEN},
		{"admin deletes a missing one", "DELETE", "/api/v1/documents/01M8CABJP4V5SGET1J097Q7D2Q", "admin-token", 404, sohoa.ENOTFOUND},
		{"clerk lists users", "GET", "/api/v1/users", "clerk-token", 403, sohoa.EFORBIDDEN},
		{"clerk reads the audit log", "GET", "/api/v1/audit", "clerk-token", 403, sohoa.EFORBIDDEN},
		{"system reads a record", "GET", "/api/v1/documents/01M8CABJP4V5SGET1J097Q7D2Q", "system-token", 403, sohoa.EFORBIDDEN},
		{"clerk approves", "POST", "/api/v1/documents/01M8CABJP4V5SGET1J097Q7D2Q/approve", "clerk-token", 403, sohoa.EFORBIDDEN},
		{"wrong method", "PUT", "/api/v1/search", "clerk-token", 405, codeMethodNotAllowed},
		{"no such route", "GET", "/api/v1/nothing", "clerk-token", 404, sohoa.ENOTFOUND},
		{"bad limit", "GET", "/api/v1/search?q=a&limit=0", "clerk-token", 400, sohoa.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := do(t, h, tt.method, tt.path, tt.token, nil)
			if r.Code != tt.status || r.Error.Code != tt.code || r.Error.Message == "" {
				t.Fatalf("%d %s, want %d %s with a message", r.Code, r.Body, tt.status, tt.code)
			}
			if r.Code == http.StatusUnauthorized && r.Header().Get("WWW-Authenticate") == "" {
				t.Error("401 without WWW-Authenticate")
			}
		})
	}
}

// TestThePrincipalCarriesPurposeAndAddress: what the services audit comes
// from the request.
func TestThePrincipalCarriesPurposeAndAddress(t *testing.T) {
	recs := &fakeRecords{}
	h := newServer(t, recs)
	do(t, h, "GET", "/api/v1/documents/01M8CABJP4V5SGET1J097Q7D2Q", "official-token", nil, "X-Purpose", "Cấp bản sao văn bằng")
	if p := recs.asked; p == nil || p.Role != sohoa.RoleOfficial || p.Purpose != "Cấp bản sao văn bằng" || p.Address != "192.0.2.1" {
		t.Fatalf("the service was asked by %+v", p)
	}
}

func TestUploadHandsTheFormOver(t *testing.T) {
	var got []string
	recs := &fakeRecords{upload: func(form sohoa.UploadForm) (*records.Uploaded, error) {
		for {
			p, err := form.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				return nil, err
			}
			b, err := io.ReadAll(p.Body)
			if err != nil {
				return nil, err
			}
			got = append(got, p.Field+"="+p.Filename+":"+string(b))
		}
		return &records.Uploaded{Documents: []*sohoa.Document{{ID: "01M8CABJP4V5SGET1J097Q7D2Q", Status: sohoa.StatusQueued}}}, nil
	}}
	h := newServer(t, recs)
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	w.WriteField("title", "Bằng tốt nghiệp")
	fw, _ := w.CreateFormFile("file", "trang1.png")
	fw.Write([]byte("PNG bytes"))
	w.WriteField("noi_nhan", "Như trên")
	w.Close()
	r := do(t, h, "POST", "/api/v1/documents", "clerk-token", &body, "Content-Type", w.FormDataContentType())
	if r.Code != http.StatusAccepted || r.Header().Get("Location") != "/api/v1/documents/01M8CABJP4V5SGET1J097Q7D2Q" {
		t.Fatalf("upload: %d %s %v", r.Code, r.Body, r.Header())
	}
	if want := "title=:Bằng tốt nghiệp file=trang1.png:PNG bytes noi_nhan=:Như trên"; strings.Join(got, " ") != want {
		t.Fatalf("the service read %q, want %q", got, want)
	}

	// A body over the limit, while it streams: 413, said in Vietnamese.
	recs.upload = func(form sohoa.UploadForm) (*records.Uploaded, error) {
		p, _ := form.Next()
		_, err := io.Copy(io.Discard, p.Body)
		return nil, err
	}
	body.Reset()
	w = multipart.NewWriter(&body)
	fw, _ = w.CreateFormFile("file", "lon.tif")
	fw.Write(bytes.Repeat([]byte("x"), 2<<20))
	w.Close()
	req := httptest.NewRequest("POST", "/api/v1/documents", io.MultiReader(&body)) // no length: read to find out
	req.Header.Set("Authorization", "Bearer clerk-token")
	req.Header.Set("Content-Type", w.FormDataContentType())
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusRequestEntityTooLarge || !strings.Contains(rec.Body.String(), "MiB") {
		t.Fatalf("a 2 MiB body over a 1 MiB limit: %d %s", rec.Code, rec.Body)
	}
	if r := do(t, h, "POST", "/api/v1/documents", "clerk-token", strings.NewReader("{}"), "Content-Type", "application/json"); r.Code != 400 {
		t.Fatalf("an upload that is not multipart: %d", r.Code)
	}
}

func TestErrorsSayEveryFieldAndWhenToComeBack(t *testing.T) {
	recs := &fakeRecords{}
	h := newServer(t, recs)
	r := do(t, h, "PATCH", "/api/v1/documents/01M8CABJP4V5SGET1J097Q7D2Q", "clerk-token", strings.NewReader(`{"metadata":{"ngay_sinh":"30/02/2004"}}`))
	if r.Code != 400 || len(r.Error.Fields) != 2 || r.Error.Fields[1].Field != "metadata.so_dinh_danh" || r.Error.Field != "metadata.ngay_sinh" {
		t.Fatalf("two fields at fault: %d %s", r.Code, r.Body)
	}
	r = do(t, h, "PATCH", "/api/v1/documents/01M8CABJP4V5SGET1J097Q7D2Q", "clerk-token", strings.NewReader(`{"titel":"x","metadta":{}}`))
	if r.Code != 400 || len(r.Error.Fields) != 2 {
		t.Fatalf("two unknown fields: %d %s", r.Code, r.Body)
	}
	r = do(t, h, "PATCH", "/api/v1/documents/01M8CABJP4V5SGET1J097Q7D2Q", "clerk-token", strings.NewReader(`{"title":12}`))
	if r.Code != 400 || r.Error.Field != "title" {
		t.Fatalf("a number for a title: %d %s", r.Code, r.Body)
	}
	recs.getErr = &sohoa.Error{Code: sohoa.EUNAVAILABLE, Message: "Kho lưu trữ tạm thời không truy cập được.", Err: errors.New("dial tcp 10.1.2.3:9000: connection refused")}
	r = do(t, h, "GET", "/api/v1/documents/01M8CABJP4V5SGET1J097Q7D2Q", "clerk-token", nil)
	if r.Code != 503 || r.Header().Get("Retry-After") == "" || strings.Contains(r.Body.String(), "10.1.2.3") {
		t.Fatalf("the store away: %d %v %s", r.Code, r.Header(), r.Body)
	}
	recs.getErr = errors.New("sql: database is closed at /var/lib/sohoa/catalog.db")
	r = do(t, h, "GET", "/api/v1/documents/01M8CABJP4V5SGET1J097Q7D2Q", "clerk-token", nil)
	if r.Code != 500 || strings.Contains(r.Body.String(), "catalog.db") {
		t.Fatalf("an internal error shows its cause: %d %s", r.Code, r.Body)
	}
}

func TestVerifiedFetchStatesItsUse(t *testing.T) {
	recs := &fakeRecords{blob: records.NewBlob("application/pdf", "ab12", "X-v1.pdf", func(context.Context) (io.ReadCloser, error) {
		return io.NopCloser(strings.NewReader("%PDF-1.7 signed")), nil
	})}
	h := newServer(t, recs)
	r := do(t, h, "GET", "/api/v1/verified/01M8CABJP4V5SGET1J097Q7D2Q/signed.pdf?case_id=HS-1&procedure=cap-ban-sao", "system-token", nil,
		"X-Purpose", "Xác minh văn bằng")
	if r.Code != 200 || r.Body.String() != "%PDF-1.7 signed" || r.Header().Get("ETag") != `"ab12"` ||
		!strings.Contains(r.Header().Get("Content-Disposition"), "X-v1.pdf") || r.Header().Get("Content-Type") != "application/pdf" {
		t.Fatalf("signed copy: %d %v %q", r.Code, r.Header(), r.Body)
	}
	if recs.use != (records.Use{Purpose: "Xác minh văn bằng", CaseID: "HS-1", Procedure: "cap-ban-sao"}) {
		t.Fatalf("the fetch was stated as %+v", recs.use)
	}
	r = do(t, h, "GET", "/api/v1/verified/01M8CABJP4V5SGET1J097Q7D2Q/signed.pdf?case_id=HS-1", "system-token", nil, "If-None-Match", `"ab12"`)
	if r.Code != http.StatusNotModified || r.Body.Len() != 0 {
		t.Fatalf("a copy the client holds: %d", r.Code)
	}
	// Its scope allows 3 requests a minute: the fourth waits.
	if r := do(t, h, "GET", "/api/v1/verified/01M8CABJP4V5SGET1J097Q7D2Q/signed.pdf?case_id=HS-1", "system-token", nil); r.Code != 200 {
		t.Fatalf("third request: %d", r.Code)
	}
	if r := do(t, h, "GET", "/api/v1/verified/01M8CABJP4V5SGET1J097Q7D2Q/signed.pdf?case_id=HS-1", "system-token", nil); r.Code != 429 || r.Header().Get("Retry-After") == "" {
		t.Fatalf("fourth request in a minute: %d", r.Code)
	}
}

func TestApproveAnswersCreated(t *testing.T) {
	recs := &fakeRecords{approved: &sohoa.Approval{DocumentID: "01M8CABJP4V5SGET1J097Q7D2Q", Version: 1, Code: "7KQ2-M4XD-9PRB", Status: sohoa.ApprovalActive}}
	h := newServer(t, recs)
	r := do(t, h, "POST", "/api/v1/documents/01M8CABJP4V5SGET1J097Q7D2Q/approve", "official-token", nil)
	var a sohoa.Approval
	json.Unmarshal(r.Body.Bytes(), &a)
	if r.Code != http.StatusCreated || a.Code != "7KQ2-M4XD-9PRB" || recs.asked.Role != sohoa.RoleOfficial {
		t.Fatalf("approve: %d %s", r.Code, r.Body)
	}
}

func TestALockedOutLoginSaysWhenToComeBack(t *testing.T) {
	h := newServer(t, &fakeRecords{})
	r := do(t, h, "POST", "/api/v1/login", "", strings.NewReader(`{"username":"locked","password":"x"}`))
	if r.Code != http.StatusTooManyRequests || r.Header().Get("Retry-After") != "900" || !strings.Contains(r.Error.Message, "tạm bị khóa") {
		t.Fatalf("a locked-out login: %d %v %s", r.Code, r.Header(), r.Body)
	}
}

func TestHealthAndSpec(t *testing.T) {
	srv := &Server{Records: &fakeRecords{}, Directory: fakeDirectory{}, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Version: "1.2.3",
		Health: map[string]HealthCheck{"store": func(context.Context) error {
			return &sohoa.Error{Code: sohoa.EUNAVAILABLE, Message: "Kho lưu trữ tạm thời không truy cập được.", Err: errors.New("Get http://minio.internal:9000/sohoa: refused")}
		}}}
	h := srv.Handler()
	r := do(t, h, "GET", "/healthz", "", nil)
	if r.Code != 503 || !strings.Contains(r.Body.String(), "Kho lưu trữ") || strings.Contains(r.Body.String(), "minio.internal") ||
		!strings.Contains(r.Body.String(), `"version":"1.2.3"`) {
		t.Fatalf("healthz with the store away: %d %s", r.Code, r.Body)
	}
	if r := do(t, h, "GET", "/api/v1/openapi.yaml", "", nil); r.Code != 200 || !strings.HasPrefix(r.Body.String(), "openapi: ") {
		t.Fatalf("the spec without a token: %d", r.Code)
	}
}

package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"sohoa"
	"sohoa/directory"
	"sohoa/records"
)

// Fakes of the services; the page in a browser against the real ones is
// cmd/sohoa's TestWebPage.
type fakeDirectory struct{ Directory }

func (fakeDirectory) Authenticate(_ context.Context, token string) (*sohoa.Principal, error) {
	if token != "phien-cua-van-thu" {
		return nil, sohoa.Errorf(sohoa.EUNAUTHORIZED, "Phiên đăng nhập không hợp lệ.")
	}
	return &sohoa.Principal{UserID: "U1", Username: "vt.tha", Role: sohoa.RoleClerk, UnitID: "THA", UnitPath: "/SGD/THA/"}, nil
}

func (fakeDirectory) Login(_ context.Context, username, password, address string) (*directory.Session, error) {
	if password != "đúng" {
		return nil, sohoa.Errorf(sohoa.EUNAUTHORIZED, "Tên đăng nhập hoặc mật khẩu không đúng.")
	}
	return &directory.Session{Token: "phien-cua-van-thu", ExpiresAt: time.Now().Add(time.Hour), User: &sohoa.User{Username: username}}, nil
}

type fakeRecords struct {
	Records
	updated *sohoa.RecordPatch
}

func (f *fakeRecords) Update(_ context.Context, p *sohoa.Principal, id string, patch *sohoa.RecordPatch) (*sohoa.Document, error) {
	f.updated = patch
	return &sohoa.Document{ID: id}, nil
}

func (f *fakeRecords) Overview(context.Context, *sohoa.Principal, time.Time) (*records.Overview, error) {
	return &records.Overview{Tally: sohoa.Tally{Documents: 41736, Pages: 1234567}}, nil
}

func newServer() (*Server, *fakeRecords) {
	recs := &fakeRecords{}
	return &Server{Records: recs, Directory: fakeDirectory{}, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), MaxUpload: 1 << 20}, recs
}

func get(h http.Handler, path string, cookies ...*http.Cookie) *httptest.ResponseRecorder {
	req := httptest.NewRequest("GET", path, nil)
	for _, c := range cookies {
		req.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

var session = &http.Cookie{Name: sessionCookie, Value: "phien-cua-van-thu"}

func TestHeadersOnEveryAnswer(t *testing.T) {
	s, _ := newServer()
	h := s.Handler()
	for _, path := range []string{"/dang-nhap", "/", "/khong-co", "/static/app.css"} {
		rec := get(h, path, session)
		csp := rec.Header().Get("Content-Security-Policy")
		if !strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "script-src 'self'") ||
			rec.Header().Get("X-Content-Type-Options") != "nosniff" || rec.Header().Get("Referrer-Policy") == "" {
			t.Errorf("%s: headers %v", path, rec.Header())
		}
	}
}

func TestSignInFirst(t *testing.T) {
	s, _ := newServer()
	h := s.Handler()
	rec := get(h, "/ho-so/01M8CABJP4V5SGET1J097Q7D2Q?trang=2")
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/dang-nhap?tiep=%2Fho-so%2F01M8CABJP4V5SGET1J097Q7D2Q%3Ftrang%3D2" {
		t.Fatalf("a page without a session: %d %s", rec.Code, rec.Header().Get("Location"))
	}
	// The login form: its token in a cookie and the form; without both, refused.
	rec = get(h, "/dang-nhap")
	var token string
	for _, c := range rec.Result().Cookies() {
		if c.Name == loginCookie {
			token = c.Value
			if !c.HttpOnly || c.SameSite != http.SameSiteStrictMode {
				t.Errorf("login cookie %+v", c)
			}
		}
	}
	if token == "" || !strings.Contains(rec.Body.String(), `value="`+token+`"`) {
		t.Fatal("the login form has no token")
	}
	post := func(form url.Values, cookie *http.Cookie) *httptest.ResponseRecorder {
		req := httptest.NewRequest("POST", "/dang-nhap", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if cookie != nil {
			req.AddCookie(cookie)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	form := url.Values{"username": {"vt.tha"}, "password": {"đúng"}, "csrf": {token}, "tiep": {"https://lua-dao.example/"}}
	if rec := post(form, nil); rec.Code != http.StatusForbidden {
		t.Errorf("a login without the token's cookie: %d", rec.Code)
	}
	form.Set("password", "sai")
	if rec := post(form, &http.Cookie{Name: loginCookie, Value: token}); rec.Code != http.StatusUnauthorized || !strings.Contains(rec.Body.String(), "không đúng") {
		t.Errorf("a wrong password: %d", rec.Code)
	}
	form.Set("password", "đúng")
	rec = post(form, &http.Cookie{Name: loginCookie, Value: token})
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/" {
		t.Fatalf("a login that asks to go elsewhere: %d %s, want / on this site", rec.Code, rec.Header().Get("Location"))
	}
	var c *http.Cookie
	for _, x := range rec.Result().Cookies() {
		if x.Name == sessionCookie {
			c = x
		}
	}
	if c == nil || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Value != "phien-cua-van-thu" {
		t.Fatalf("session cookie %+v", c)
	}
}

func TestFormsNeedTheirToken(t *testing.T) {
	s, recs := newServer()
	h := s.Handler()
	post := func(body url.Values, header ...string) int {
		req := httptest.NewRequest("POST", "/ho-so/01M8CABJP4V5SGET1J097Q7D2Q", strings.NewReader(body.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		req.AddCookie(session)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code
	}
	good := csrfToken("phien-cua-van-thu")
	if code := post(url.Values{"title": {"x"}}); code != http.StatusForbidden || recs.updated != nil {
		t.Fatalf("no token: %d", code)
	}
	if code := post(url.Values{"title": {"x"}, "csrf": {"sai"}}); code != http.StatusForbidden || recs.updated != nil {
		t.Fatalf("a wrong token: %d", code)
	}
	if code := post(url.Values{"title": {"x"}, "csrf": {good}}, "Origin", "https://lua-dao.example"); code != http.StatusForbidden || recs.updated != nil {
		t.Fatalf("the right token from another site: %d", code)
	}
	if code := post(url.Values{"title": {"Tên mới"}, "csrf": {good}}); code != http.StatusSeeOther || recs.updated == nil || *recs.updated.Title != "Tên mới" {
		t.Fatalf("with its token: %d %+v", code, recs.updated)
	}
}

func TestVietnameseNumbersAndAssets(t *testing.T) {
	s, _ := newServer()
	h := s.Handler()
	rec := get(h, "/", session)
	if !strings.Contains(rec.Body.String(), "<strong>41.736</strong> văn bản, <strong>1.234.567</strong> trang") {
		t.Errorf("home: %s", rec.Body)
	}
	css := s.assets.url("app.css")
	req := httptest.NewRequest("GET", css, nil)
	req.Header.Set("Accept-Encoding", "gzip")
	r := httptest.NewRecorder()
	h.ServeHTTP(r, req)
	if r.Header().Get("Content-Encoding") != "gzip" || !strings.Contains(r.Header().Get("Cache-Control"), "immutable") || r.Body.Len() == 0 {
		t.Errorf("asset %s: %v", css, r.Header())
	}
	if !strings.Contains(rec.Body.String(), css) {
		t.Error("the page links its assets without their digest")
	}
}

func TestChangesAsTheFormShowsThem(t *testing.T) {
	for _, tt := range []struct {
		typ, field string
		v          any
		label, val string
	}{
		{sohoa.TypeVanBang, "metadata.ngay_sinh", "2004-04-12", "Ngày sinh", "12/04/2004"},
		{sohoa.TypeVanBang, "metadata.ngay_sinh", "2004-**-**", "Ngày sinh", "**/**/2004"}, // masked, as the search writes it
		{sohoa.TypeVanBang, "type", "van_ban", "Loại hồ sơ", "Văn bản hành chính"},
		{sohoa.TypeVanBang, "type", "", "Loại hồ sơ", ""},
		{sohoa.TypeVanBang, "metadata.noi_nhan", []any{"Như trên", "Lưu VT"}, "Nơi nhận", "Như trên; Lưu VT"}, // a field of the type it was
		{sohoa.TypeVanBang, "title", nil, "Tiêu đề", ""},
		{sohoa.TypeVanBang, "metadata.khong_co", "x", "metadata.khong_co", "x"},
	} {
		if l, v := changeField(tt.typ, tt.field), changeValue(tt.typ, tt.field, tt.v); l != tt.label || v != tt.val {
			t.Errorf("%s %v: %q %q, want %q %q", tt.field, tt.v, l, v, tt.label, tt.val)
		}
	}
}

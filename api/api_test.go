package api

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"sohoa"
)

// fakeCatalog knows one token per role; the real catalog is exercised in
// package catalog and end to end in cmd/sohoa.
type fakeCatalog struct{ Catalog }

func (fakeCatalog) Authenticate(_ context.Context, token string) (*sohoa.Principal, error) {
	switch token {
	case "clerk-token", "admin-token":
		return &sohoa.Principal{Username: token, Role: token[:len(token)-6], UnitPath: "/SGD/"}, nil
	}
	return nil, sohoa.Errorf(sohoa.EUNAUTHORIZED, "Mã truy cập không hợp lệ.")
}

func (fakeCatalog) Document(_ context.Context, id string) (*sohoa.Document, error) {
	return nil, sohoa.Errorf(sohoa.ENOTFOUND, "Không tìm thấy văn bản.")
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
	srv := &Server{Catalog: fakeCatalog{}, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), MaxUpload: 1 << 20}
	h := srv.Handler()
	tests := []struct {
		name, method, path, token string
		status                    int
		code                      string
	}{
		{"no token", "GET", "/api/v1/documents/01M8CABJP4V5SGET1J097Q7D2Q", "", 401, sohoa.EUNAUTHORIZED},
		{"bad token", "GET", "/api/v1/documents/01M8CABJP4V5SGET1J097Q7D2Q", "nope", 401, sohoa.EUNAUTHORIZED},
		{"spec needs a token too", "GET", "/api/v1/openapi.yaml", "", 401, sohoa.EUNAUTHORIZED},
		{"unknown document", "GET", "/api/v1/documents/01M8CABJP4V5SGET1J097Q7D2Q", "clerk-token", 404, sohoa.ENOTFOUND},
		{"not an id", "GET", "/api/v1/documents/not-an-id", "clerk-token", 404, sohoa.ENOTFOUND},
		{"clerk deletes", "DELETE", "/api/v1/documents/01M8CABJP4V5SGET1J097Q7D2Q", "clerk-token", 403, sohoa.EFORBIDDEN},
		{"admin deletes a missing one", "DELETE", "/api/v1/documents/01M8CABJP4V5SGET1J097Q7D2Q", "admin-token", 404, sohoa.ENOTFOUND},
		{"clerk lists users", "GET", "/api/v1/users", "clerk-token", 403, sohoa.EFORBIDDEN},
		{"clerk reads the audit log", "GET", "/api/v1/audit", "clerk-token", 403, sohoa.EFORBIDDEN},
		{"wrong method", "PUT", "/api/v1/search", "clerk-token", 405, codeMethodNotAllowed},
		{"no such route", "GET", "/api/v1/nothing", "clerk-token", 404, sohoa.ENOTFOUND},
		{"bad limit", "GET", "/api/v1/search?q=a&limit=0", "clerk-token", 400, sohoa.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, tt.path, nil)
			if tt.token != "" {
				req.Header.Set("Authorization", "Bearer "+tt.token)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			var body struct {
				Error struct{ Code, Message string }
			}
			json.Unmarshal(rec.Body.Bytes(), &body)
			if rec.Code != tt.status || body.Error.Code != tt.code || body.Error.Message == "" {
				t.Fatalf("%d %s, want %d %s with a message", rec.Code, rec.Body, tt.status, tt.code)
			}
			if rec.Code == http.StatusUnauthorized && rec.Header().Get("WWW-Authenticate") == "" {
				t.Error("401 without WWW-Authenticate")
			}
		})
	}
}

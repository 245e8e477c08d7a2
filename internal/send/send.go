// Package send writes what the services return to an HTTP answer, alike
// for every interface (the API, the web page).
package send

import (
	"io"
	"net/http"
	"strings"

	"sohoa/records"
)

// Blob answers with b's bytes, or 304 when the client holds them (its
// If-None-Match names b's ETag), with Cache-Control cache when it is set.
// An error is returned only when b cannot be opened, before anything is
// written: the error's answer is not cached as b would be.
func Blob(w http.ResponseWriter, r *http.Request, b *records.Blob, cache string) error {
	if b.ETag != "" {
		etag := `"` + b.ETag + `"`
		w.Header().Set("ETag", etag)
		if strings.Contains(r.Header.Get("If-None-Match"), etag) {
			w.WriteHeader(http.StatusNotModified)
			return nil
		}
	}
	rc, err := b.Open(r.Context())
	if err != nil {
		return err
	}
	defer rc.Close()
	w.Header().Set("Content-Type", b.ContentType)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if cache != "" {
		w.Header().Set("Cache-Control", cache)
	}
	if b.Filename != "" {
		w.Header().Set("Content-Disposition", `attachment; filename="`+b.Filename+`"`)
	}
	io.Copy(w, rc)
	return nil
}

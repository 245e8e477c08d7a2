// Package form reads an HTTP request's multipart body as a sohoa.UploadForm,
// for the interfaces that take uploads (the API, the web page).
package form

import (
	"errors"
	"mime/multipart"
	"net/http"

	"sohoa"
)

// Multipart returns r's multipart body, of at most max bytes, as an
// upload form, read part by part as it streams in: nothing is held whole
// in memory, and a body over the limit stops being read there and says so.
// It is EINVALID when the body is not multipart.
func Multipart(w http.ResponseWriter, r *http.Request, max int64) (sohoa.UploadForm, error) {
	if r.ContentLength > max {
		w.Header().Set("Connection", "close")
		return nil, TooLarge(max)
	}
	r.Body = http.MaxBytesReader(w, r.Body, max)
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, sohoa.Errorf(sohoa.EINVALID, "Yêu cầu phải là multipart/form-data với các trường \"file\" (mỗi trang một tệp, theo thứ tự) và \"title\".")
	}
	return &multipartForm{mr, max}, nil
}

type multipartForm struct {
	r   *multipart.Reader
	max int64
}

func (f *multipartForm) Next() (*sohoa.FormPart, error) {
	part, err := f.r.NextPart()
	if err != nil {
		return nil, f.translate(err)
	}
	return &sohoa.FormPart{Field: part.FormName(), Filename: part.FileName(), Body: &partReader{part, f}}, nil
}

type partReader struct {
	p *multipart.Part
	f *multipartForm
}

func (r *partReader) Read(b []byte) (int, error) {
	n, err := r.p.Read(b)
	return n, r.f.translate(err)
}

// translate tells a body over the limit from a broken one.
func (f *multipartForm) translate(err error) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return TooLarge(f.max)
	}
	return err
}

// TooLarge is the error of a request over max bytes.
func TooLarge(max int64) error {
	return sohoa.Errorf(sohoa.ETOOLARGE, "Yêu cầu vượt quá dung lượng cho phép (%d MiB).", max>>20)
}

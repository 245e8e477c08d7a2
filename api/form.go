package api

import (
	"errors"
	"mime/multipart"
	"net/http"

	"sohoa"
)

// multipartForm is a request's multipart body as an upload form, read part
// by part as it streams in: nothing is held whole in memory, and a body
// over the limit stops being read there and says so.
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
		return tooLarge(f.max)
	}
	return err
}

func tooLarge(max int64) error {
	return sohoa.Errorf(sohoa.ETOOLARGE, "Yêu cầu vượt quá dung lượng cho phép (%d MiB).", max>>20)
}

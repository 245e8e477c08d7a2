package records

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"sohoa"
	"sohoa/ingest"
)

// Uploaded is what an upload made: one document, or with a ZIP sent as
// documents (zip=documents) one per file.
type Uploaded struct {
	Documents []*sohoa.Document
	// Many is set when the upload asked for one document per file.
	Many bool
}

// upload is an upload form as read.
type upload struct {
	ingest.Upload
	zip string // "pages" or "documents"
	// each makes one document of every file, ZIP or not.
	each bool
	// spooled is every file on disk for this upload, ZIPs and what came
	// out of them included; Files are the scans among them.
	spooled []*ingest.File
}

// Upload reads an upload form and accepts what it holds: the files (pages
// in order, PDFs, ZIPs of them), its title, type, unit (p's own by
// default; one p may upload into), the type's fields by name (a list field
// repeated) or as JSON in "metadata", confirm_duplicate, ocr=force, and
// zip=pages (a ZIP is one document, its files the pages in name order) or
// zip=documents (one document per file, each titled after the form's
// title and its file); each=true makes one document of every file, ZIP'd
// or not. Each document is accepted once it is durable. When
// one of several fails, those before it stay accepted: the error says how
// many, and they are returned with it.
func (s *Service) Upload(ctx context.Context, p *sohoa.Principal, form sohoa.UploadForm) (*Uploaded, error) {
	if p.Role != sohoa.RoleClerk && p.Role != sohoa.RoleAdmin {
		return nil, errForbidden()
	}
	if err := s.queueRoom(ctx); err != nil {
		return nil, err
	}
	up := &upload{Upload: ingest.Upload{Metadata: map[string]any{}, By: p, UnitID: p.UnitID, UnitPath: p.UnitPath}, zip: "pages"}
	defer func() {
		for _, f := range up.spooled {
			f.Remove()
		}
	}()
	if err := s.readForm(ctx, p, form, up); err != nil {
		return nil, err
	}
	zipped, err := s.expandZips(up)
	if err != nil {
		return nil, err
	}
	if !up.each && (!zipped || up.zip != "documents") {
		d, err := s.accept(ctx, p, &up.Upload)
		if err != nil {
			return nil, err
		}
		return &Uploaded{Documents: []*sohoa.Document{d}}, nil
	}
	return s.acceptEach(ctx, p, up)
}

// queueRoom refuses an upload, before its files are read, while more
// documents wait for OCR than the service is set to take: work it cannot
// finish today is better left with the sender, who sends it again.
func (s *Service) queueRoom(ctx context.Context) error {
	if s.cfg.MaxQueue <= 0 {
		return nil
	}
	n, err := s.cat.QueuedJobs(ctx)
	if err != nil {
		return err
	}
	if n < s.cfg.MaxQueue {
		return nil
	}
	// A few seconds a document over the bound: the sender comes back
	// about when there is room.
	wait := min(5*time.Second*time.Duration(n-s.cfg.MaxQueue+1), 5*time.Minute)
	return &sohoa.Error{Code: sohoa.EBUSY, RetryAfter: wait,
		Message: fmt.Sprintf("Máy chủ đang bận: %d hồ sơ đang chờ nhận dạng chữ. Tệp chưa được nhận; vui lòng gửi lại sau ít phút.", n)}
}

// readForm reads every part of the form into up, spooling the files.
func (s *Service) readForm(ctx context.Context, p *sohoa.Principal, form sohoa.UploadForm, up *upload) error {
	for {
		part, err := form.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return readError(err)
		}
		if part.Field == "file" {
			if len(up.spooled) >= s.cfg.MaxFiles {
				return sohoa.Errorf(sohoa.ETOOLARGE, "Một lần tải lên tối đa %d tệp.", s.cfg.MaxFiles)
			}
			f, err := s.writer.Spool(part.Body, part.Filename)
			if err != nil {
				return readError(err)
			}
			up.spooled = append(up.spooled, f)
			continue
		}
		b, err := io.ReadAll(io.LimitReader(part.Body, 64<<10))
		if err != nil {
			return readError(err)
		}
		if err := s.setField(ctx, p, up, part.Field, b); err != nil {
			return err
		}
	}
}

// setField sets one field of the form.
func (s *Service) setField(ctx context.Context, p *sohoa.Principal, up *upload, name string, b []byte) error {
	v := string(b)
	switch name {
	case "title":
		up.Title = v
	case "type":
		up.Type = strings.TrimSpace(v)
	case "confirm_duplicate":
		up.ConfirmDuplicate = v == "true" || v == "1"
	case "each":
		up.each = v == "true" || v == "1"
	case "zip":
		if up.zip = strings.TrimSpace(v); up.zip != "pages" && up.zip != "documents" {
			return sohoa.FieldError("zip", "Trường zip phải là \"pages\" hoặc \"documents\".")
		}
	case "ocr":
		// "force": read born-digital PDF pages with OCR, not their text layer.
		up.ForceOCR = v == "force"
	case "unit_id":
		path, err := s.unitPath(ctx, p, v, true)
		if err != nil {
			return err
		}
		up.UnitID, up.UnitPath = strings.TrimSpace(v), path
	case "metadata":
		if err := json.Unmarshal(b, &up.Metadata); err != nil {
			return sohoa.FieldError("metadata", "Trường metadata phải là một đối tượng JSON.")
		}
	default:
		if strings.TrimSpace(v) == "" {
			return nil // a field left blank is not set
		}
		// A repeated field is a list (nơi nhận).
		switch prev := up.Metadata[name].(type) {
		case nil:
			up.Metadata[name] = v
		case string:
			up.Metadata[name] = []any{prev, v}
		case []any:
			up.Metadata[name] = append(prev, v)
		}
	}
	return nil
}

// readError tells a broken form from what its parts say is wrong.
func readError(err error) error {
	if sohoa.ErrorCode(err) != sohoa.EINTERNAL {
		return err
	}
	return &sohoa.Error{Code: sohoa.EINVALID, Message: "Không đọc được nội dung tải lên (multipart bị lỗi hoặc bị ngắt).", Err: err}
}

// expandZips makes up's Files the scans it holds: its files, each ZIP
// among them replaced by the scans in it.
func (s *Service) expandZips(up *upload) (zipped bool, err error) {
	for _, f := range up.spooled {
		if !f.IsZip() {
			up.Files = append(up.Files, f)
			continue
		}
		zipped = true
		inner, err := s.writer.ExpandZip(f)
		if err != nil {
			return zipped, err
		}
		up.spooled = append(up.spooled, inner...)
		up.Files = append(up.Files, inner...)
	}
	return zipped, nil
}

// accept makes one document of up and audits it.
func (s *Service) accept(ctx context.Context, p *sohoa.Principal, up *ingest.Upload) (*sohoa.Document, error) {
	d, err := s.writer.Accept(ctx, up)
	if err != nil {
		return nil, err
	}
	return d, s.record(ctx, p, sohoa.ActionCreate, d.ID, fmt.Sprintf("%d trang", len(d.Pages)))
}

// acceptEach makes one document of each file, titled after the form's
// title and the file.
func (s *Service) acceptEach(ctx context.Context, p *sohoa.Principal, up *upload) (*Uploaded, error) {
	out := &Uploaded{Many: true}
	for _, f := range up.Files {
		one := up.Upload
		one.Files = []*ingest.File{f}
		if t := strings.TrimSpace(up.Title); t != "" {
			one.Title = t + " – " + strings.TrimSuffix(f.Name, fileExt(f.Name))
		}
		d, err := s.accept(ctx, p, &one)
		if err != nil {
			// The documents accepted so far stay accepted: say so.
			var e *sohoa.Error
			if errors.As(err, &e) && len(out.Documents) > 0 {
				c := *e
				c.Message += fmt.Sprintf(" (%d văn bản trước tệp %q đã được nhận.)", len(out.Documents), f.Name)
				err = &c
			}
			return out, err
		}
		out.Documents = append(out.Documents, d)
	}
	return out, nil
}

func fileExt(name string) string {
	if i := strings.LastIndexByte(name, '.'); i > 0 {
		return name[i:]
	}
	return ""
}

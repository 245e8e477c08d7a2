package ingest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"strings"

	"sohoa"
	"sohoa/ingest/scan"
	"sohoa/store"
	"sohoa/vntext"
)

// MaxTitleLength bounds a title, in characters.
const MaxTitleLength = 500

// Upload is what a clerk sends with the files of one document.
type Upload struct {
	Title string
	// Type and the raw Metadata (from a form or JSON) are checked by Accept.
	Type     string
	Metadata map[string]any
	UnitID   string
	UnitPath string
	// By is who uploads: its user ID is kept, its reach decides what a
	// duplicate's conflict tells.
	By *sohoa.Principal
	// ConfirmDuplicate stores the document even though another record has
	// the same identifiers; without it, that is a conflict.
	ConfirmDuplicate bool
	// ForceOCR reads born-digital PDF pages with OCR instead of keeping
	// their text layer.
	ForceOCR bool
	Files    []*File
}

// NormalizeTitle returns a title as it is kept, or EINVALID.
func NormalizeTitle(title string) (string, error) {
	title = strings.Join(strings.Fields(vntext.Normalize(title)), " ")
	if n := len([]rune(title)); n > MaxTitleLength {
		return "", sohoa.FieldError("title", "Tiêu đề dài %d ký tự, tối đa %d.", n, MaxTitleLength)
	}
	return title, nil
}

// checkRecord validates type and metadata and looks for a duplicate. It
// returns the normalized metadata and the ID of the duplicate kept beside.
// A duplicate outside by's reach is named to it only as existing elsewhere.
func (s *Service) checkRecord(ctx context.Context, by *sohoa.Principal, id, typ string, raw map[string]any, confirm bool) (sohoa.Metadata, string, error) {
	if typ == "" {
		if len(raw) > 0 {
			return nil, "", sohoa.FieldError("type", "Cần chọn loại hồ sơ (type) trước khi nhập thông tin.")
		}
		return sohoa.Metadata{}, "", nil
	}
	meta, err := sohoa.ValidateMetadata(typ, raw)
	if err != nil {
		return nil, "", err
	}
	dup, dupPath, err := s.cat.DuplicateOf(ctx, sohoa.DuplicateKey(typ, meta), id)
	if err != nil || dup == "" {
		return meta, "", err
	}
	if confirm {
		return meta, dup, nil
	}
	what := "số, ký hiệu và cơ quan ban hành"
	if typ == sohoa.TypeVanBang {
		what = "số vào sổ và năm"
	}
	// The message is a person's; a program has the field to confirm with
	// (confirm_duplicate) and, within its reach, the record (Existing).
	const again = "Nếu đúng là lưu thêm bản này, hãy xác nhận lưu dù trùng."
	if !by.CanRead(dupPath) {
		return nil, "", &sohoa.Error{Code: sohoa.ECONFLICT, Field: "confirm_duplicate",
			Message: fmt.Sprintf("Đã có hồ sơ trùng %s ở một đơn vị khác. %s", what, again)}
	}
	return nil, "", &sohoa.Error{Code: sohoa.ECONFLICT, Existing: dup, Field: "confirm_duplicate",
		Message: fmt.Sprintf("Đã có hồ sơ trùng %s. %s", what, again)}
}

// Accept makes the files one document: their originals and its manifest
// durable in the store, then its OCR job queued. It returns once all of that
// is done.
func (s *Service) Accept(ctx context.Context, up *Upload) (*sohoa.Document, error) {
	title, err := NormalizeTitle(up.Title)
	if err != nil {
		return nil, err
	}
	files := up.Files
	if len(files) == 0 {
		return nil, sohoa.FieldError("file", "Chưa có tệp nào được tải lên (trường \"file\").")
	}
	pages := 0
	for _, f := range files {
		pages += len(f.Frames)
	}
	if pages > s.cfg.MaxPages {
		return nil, sohoa.Errorf(sohoa.ETOOLARGE, "Văn bản có %d trang, vượt giới hạn %d trang.", pages, s.cfg.MaxPages)
	}
	meta, dup, err := s.checkRecord(ctx, up.By, "", up.Type, up.Metadata, up.ConfirmDuplicate)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	m := &sohoa.Manifest{Version: sohoa.ManifestVersion, ID: sohoa.NewID(now), Title: title, CreatedAt: now,
		Type: up.Type, Metadata: meta, UnitID: up.UnitID, UnitPath: up.UnitPath, CreatedBy: up.By.UserID, DuplicateOf: dup}
	if m.Title == "" {
		m.Title = strings.TrimSuffix(files[0].Name, fileExt(files[0].Name))
	}
	for _, f := range files {
		if err := s.acceptFile(ctx, m, f, !up.ForceOCR); err != nil {
			return nil, err
		}
	}
	m.SetStatus(sohoa.StatusQueued, now, "")
	if err := s.createManifest(ctx, m); err != nil {
		return nil, fmt.Errorf("accept %s: %w", m.ID, err)
	}
	d := m.Document()
	if err := s.cat.PutDocument(ctx, d, true); err != nil {
		return nil, fmt.Errorf("accept %s: %w", m.ID, err)
	}
	s.log.Info("document accepted", "document", m.ID, "pages", len(m.Pages), "files", len(files), "unit", m.UnitID)
	s.notify()
	return d, nil
}

// acceptFile stores one file as an original and adds its pages to m.
func (s *Service) acceptFile(ctx context.Context, m *sohoa.Manifest, f *File, keepText bool) error {
	if err := s.putFile(ctx, f); err != nil {
		return err
	}
	m.Originals = append(m.Originals, sohoa.Original{SHA256: f.SHA256, Size: f.Size, ContentType: f.ContentType, Filename: f.Name})
	if f.PDF != nil {
		return s.acceptPDF(ctx, m, f, keepText)
	}
	for i, fr := range f.Frames {
		p := sohoa.Page{Number: len(m.Pages) + 1, SHA256: f.SHA256, ContentType: f.ContentType,
			Width: fr.Width, Height: fr.Height, DPI: fr.DPI, Source: f.SHA256, Frame: i, Unreadable: f.unreadable}
		p.Warnings = dpiWarnings(fr)
		if len(f.Frames) > 1 {
			sha, err := s.putTIFFPage(ctx, f, i)
			if err != nil {
				return err
			}
			p.SHA256 = sha
		}
		m.Pages = append(m.Pages, p)
	}
	return nil
}

// acceptPDF takes the pages out of a PDF upload: each scan as it is (or
// the page rendered), kept as its own original; a born-digital page's text
// layer is kept as its reading, so that it is not OCR'd.
func (s *Service) acceptPDF(ctx context.Context, m *sohoa.Manifest, f *File, keepText bool) error {
	err := scan.ExtractPDF(ctx, f.path, f.PDF, keepText, func(n int, p *scan.PDFPage) error {
		sha, err := s.putPage(ctx, p.Image)
		if err != nil {
			return fmt.Errorf("store page %d of %s: %w", n, f.Name, err)
		}
		page := sohoa.Page{Number: len(m.Pages) + 1, SHA256: sha, ContentType: p.ContentType, Width: p.Width, Height: p.Height,
			DPI: p.DPI, Source: f.SHA256, Frame: n - 1}
		page.Warnings = dpiWarnings(scan.Frame{Width: p.Width, Height: p.Height, DPI: p.DPI})
		if p.Words != nil {
			pt := &sohoa.PageText{Document: m.ID, Page: page.Number, Text: vntext.Normalize(p.Text), Confidence: 100,
				Words: p.Words, Engine: "PDF text layer"}
			for i := range pt.Words {
				pt.Words[i].Text = vntext.Normalize(pt.Words[i].Text)
			}
			if err := store.PutJSON(ctx, s.store, store.PageOCRKey(m.ID, page.Number), pt); err != nil {
				return err
			}
		}
		m.Pages = append(m.Pages, page)
		return nil
	})
	if reason := scan.CorruptReason(err); reason != "" {
		return sohoa.Errorf(sohoa.EINVALID, "Không tách được các trang của tệp PDF %q: %s.", f.Name, reason)
	}
	return err
}

func fileExt(name string) string {
	if i := strings.LastIndexByte(name, '.'); i > 0 {
		return name[i:]
	}
	return ""
}

// putOriginal stores size bytes from open under their digest sha unless
// the store holds them already: originals are content-addressed.
func (s *Service) putOriginal(ctx context.Context, sha string, size int64, open func() (io.ReadCloser, error)) error {
	key := store.OriginalKey(sha)
	if info, err := s.store.Stat(ctx, key); err == nil && info.Size == size {
		return nil
	}
	r, err := open()
	if err != nil {
		return err
	}
	defer r.Close()
	if err := store.PutVerified(ctx, s.store, key, r, size, sha); err != nil {
		return fmt.Errorf("store original %s: %w", sha, err)
	}
	return nil
}

// putFile stores a spooled file as an original.
func (s *Service) putFile(ctx context.Context, f *File) error {
	return s.putOriginal(ctx, f.SHA256, f.Size, func() (io.ReadCloser, error) { return os.Open(f.path) })
}

// putPage stores a page cut out of an upload (a TIFF's frame, a PDF's
// scan) as an original of its own, so that it can be shown and read
// alone, and returns its digest.
func (s *Service) putPage(ctx context.Context, page []byte) (string, error) {
	sum := sha256.Sum256(page)
	sha := hex.EncodeToString(sum[:])
	return sha, s.putOriginal(ctx, sha, int64(len(page)), func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(page)), nil
	})
}

// putTIFFPage cuts page i out of a multi-page TIFF and stores it.
func (s *Service) putTIFFPage(ctx context.Context, f *File, i int) (string, error) {
	fh, err := os.Open(f.path)
	if err != nil {
		return "", err
	}
	defer fh.Close()
	page, err := scan.SplitTIFF(fh, f.Size, i)
	if err != nil {
		return "", sohoa.Errorf(sohoa.EINVALID, "Không tách được trang %d của tệp TIFF %q: %v.", i+1, f.Name, err)
	}
	sha, err := s.putPage(ctx, page)
	if err != nil {
		return "", fmt.Errorf("store page %d of %s: %w", i+1, f.Name, err)
	}
	return sha, nil
}

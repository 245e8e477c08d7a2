package ingest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"log/slog"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"sohoa"
	"sohoa/catalog"
	"sohoa/ingest/scan"
	"sohoa/store"
	"sohoa/vntext"
)

// Catalog is what ingest needs of the catalog.
type Catalog interface {
	PutDocument(ctx context.Context, d *sohoa.Document, enqueue bool) error
	DuplicateOf(ctx context.Context, key, except string) (string, error)
	ApprovalCatalog
	DeleteDocument(ctx context.Context, id string) error
	ClaimJob(ctx context.Context, now time.Time) (catalog.Job, bool, error)
	FinishJob(ctx context.Context, id string) error
	RetryJob(ctx context.Context, id string, at time.Time, reason string) error
	RequeueRunning(ctx context.Context) (int, error)
}

// Indexer is what ingest needs of the search index.
type Indexer interface {
	Put(ctx context.Context, d *sohoa.IndexDocument) error
	PutBatch(ctx context.Context, docs []*sohoa.IndexDocument) error
	Delete(ctx context.Context, id string) error
}

// Recognizer reads one page image. Each is used by one goroutine at a time.
type Recognizer interface {
	Recognize(img []byte) (*sohoa.PageText, error)
	Close() error
}

// Config tunes the service.
type Config struct {
	// TempDir holds uploads while they are checked.
	TempDir string
	// MaxPixels is the largest page area accepted, in pixels.
	MaxPixels int64
	// MaxPages is the most pages one document may have.
	MaxPages int
	// Workers is how many pages are recognised at once, one Recognizer each.
	Workers int
	// NewRecognizer makes the Recognizers; they are made one after another.
	NewRecognizer func() (Recognizer, error)
	// MaxAttempts bounds how often a job failing for a passing reason (the
	// store unreachable, say) is retried before its document fails.
	MaxAttempts int
	// RetryBase is the first retry's delay; it doubles each time.
	RetryBase time.Duration
	// Certifier signs approved copies; without one, nothing is approved.
	Certifier Certifier
}

// Defaults for Config's zero fields.
const (
	DefaultMaxPixels   = 150_000_000 // an A3 page at 600 dpi is 70 Mpx
	DefaultMaxPages    = 2000
	DefaultMaxAttempts = 5
)

// Service is the write path.
type Service struct {
	store store.Store
	cat   Catalog
	idx   Indexer
	log   *slog.Logger
	cfg   Config
	now   func() time.Time
	wake  chan struct{}
	locks [64]sync.Mutex // manifest read-modify-write, by document
}

// New returns the service. Run starts its workers.
func New(s store.Store, cat Catalog, idx Indexer, log *slog.Logger, cfg Config) *Service {
	if cfg.MaxPixels == 0 {
		cfg.MaxPixels = DefaultMaxPixels
	}
	if cfg.MaxPages == 0 {
		cfg.MaxPages = DefaultMaxPages
	}
	if cfg.MaxAttempts == 0 {
		cfg.MaxAttempts = DefaultMaxAttempts
	}
	if cfg.RetryBase == 0 {
		cfg.RetryBase = 5 * time.Second
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 1
	}
	if cfg.TempDir == "" {
		cfg.TempDir = os.TempDir()
	}
	return &Service{store: s, cat: cat, idx: idx, log: log, cfg: cfg, now: time.Now, wake: make(chan struct{}, 1)}
}

// lockManifest takes document id's lock and reads its manifest, for a
// change made under the lock; the caller calls unlock when done. On an
// error the lock is released already.
func (s *Service) lockManifest(ctx context.Context, id string) (m *sohoa.Manifest, unlock func(), err error) {
	h := fnv.New32a()
	h.Write([]byte(id))
	mu := &s.locks[h.Sum32()%uint32(len(s.locks))]
	mu.Lock()
	if m, err = s.Manifest(ctx, id); err != nil {
		mu.Unlock()
		return nil, nil, err
	}
	return m, mu.Unlock, nil
}

// File is an uploaded file spooled to disk, checked and hashed.
type File struct {
	Name        string
	path        string
	SHA256      string
	Size        int64
	ContentType string
	Frames      []scan.Frame
	// PDF describes a PDF upload's pages.
	PDF        *scan.PDFInfo
	inspectErr error
}

// Remove deletes the spooled copy.
func (f *File) Remove() { os.Remove(f.path) }

// Spool copies one uploaded file to disk while hashing it, tells its format
// by its bytes and reads its pages' sizes from the headers. A file of no
// accepted format is EUNSUPPORTED, an empty one EINVALID, a page larger than
// MaxPixels ETOOLARGE: all before a pixel is decoded. On error nothing is
// left on disk.
func (s *Service) Spool(r io.Reader, name string) (_ *File, err error) {
	tmp, err := os.CreateTemp(s.cfg.TempDir, "upload-*")
	if err != nil {
		return nil, fmt.Errorf("spool upload: %w", err)
	}
	f := &File{Name: cleanName(name), path: tmp.Name()}
	defer func() {
		tmp.Close()
		if err != nil {
			os.Remove(f.path)
		}
	}()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), r)
	if err != nil {
		return nil, err // the caller knows whether the request was too large
	}
	if n == 0 {
		return nil, sohoa.Errorf(sohoa.EINVALID, "Tệp %q rỗng (0 byte).", f.Name)
	}
	f.Size, f.SHA256 = n, hex.EncodeToString(h.Sum(nil))
	head := make([]byte, 16)
	hn, _ := tmp.ReadAt(head, 0)
	f.ContentType = scan.Sniff(head[:hn])
	if f.ContentType == "" {
		return nil, sohoa.Errorf(sohoa.EUNSUPPORTED,
			"Tệp %q không phải ảnh quét PNG, JPEG, TIFF, tệp PDF hoặc ZIP các tệp đó (nội dung tệp được kiểm tra, không dựa vào tên tệp).", f.Name)
	}
	switch f.ContentType {
	case scan.ZIP:
		return f, nil // opened by ExpandZip
	case scan.PDF:
		f.PDF, f.inspectErr = scan.InspectPDF(context.Background(), f.path)
		if f.inspectErr == nil {
			f.Frames = f.PDF.Frames()
		}
	default:
		f.Frames, f.inspectErr = scan.Inspect(tmp, n, f.ContentType)
	}
	if f.inspectErr != nil {
		// Damaged headers: the document is accepted and fails with the reason,
		// without its pages ever reaching the decoder.
		s.log.Warn("upload with unreadable headers", "content_type", f.ContentType, "err", f.inspectErr)
		f.Frames = []scan.Frame{{}}
	}
	for i, fr := range f.Frames {
		if fr.Pixels() > s.cfg.MaxPixels {
			return nil, sohoa.Errorf(sohoa.ETOOLARGE,
				"Ảnh %q (trang %d) khai báo kích thước %d×%d điểm ảnh (%.0f megapixel), vượt giới hạn %.0f megapixel.",
				f.Name, i+1, fr.Width, fr.Height, float64(fr.Pixels())/1e6, float64(s.cfg.MaxPixels)/1e6)
		}
	}
	return f, nil
}

func cleanName(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, vntext.Normalize(name))
	if len(name) > 255 {
		name = name[:255]
	}
	return name
}

// MinDPI is the least resolution of a digitized copy (Decree 30, Appendix I).
const MinDPI = 200

// dpiWarnings tells the clerk when a page is under MinDPI: as its file
// declares, or, when the file declares none, as an A4 page of its size.
func dpiWarnings(f scan.Frame) []string {
	dpi, estimated := f.PageDPI()
	if dpi <= 0 || dpi >= MinDPI {
		return nil
	}
	const rest = "thấp hơn mức tối thiểu %d dpi của bản số hóa; nên quét lại. Trang vẫn được nhận dạng (đã phóng to trước khi nhận dạng)."
	if estimated {
		return []string{fmt.Sprintf("Tệp không ghi độ phân giải; theo khổ A4, trang khoảng %d dpi, "+rest, dpi, MinDPI)}
	}
	return []string{fmt.Sprintf("Độ phân giải %d dpi "+rest, dpi, MinDPI)}
}

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
	By       string // the uploader's user ID
	// ConfirmDuplicate stores the document even though another record has
	// the same identifiers; without it, that is a conflict.
	ConfirmDuplicate bool
	// ForceOCR reads born-digital PDF pages with OCR instead of keeping
	// their text layer.
	ForceOCR bool
	Files    []*File
}

// checkRecord validates type and metadata and looks for a duplicate. It
// returns the normalized metadata and the ID of the duplicate kept beside.
func (s *Service) checkRecord(ctx context.Context, id, typ string, raw map[string]any, confirm bool) (sohoa.Metadata, string, error) {
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
	dup, err := s.cat.DuplicateOf(ctx, sohoa.DuplicateKey(typ, meta), id)
	if err != nil || dup == "" {
		return meta, "", err
	}
	if !confirm {
		what := "số, ký hiệu và cơ quan ban hành"
		if typ == sohoa.TypeVanBang {
			what = "số vào sổ và năm"
		}
		return nil, "", &sohoa.Error{Code: sohoa.ECONFLICT, Existing: dup,
			Message: fmt.Sprintf("Đã có hồ sơ %s trùng %s. Nếu đúng là lưu thêm bản này, gửi lại với confirm_duplicate=true.", dup, what)}
	}
	return meta, dup, nil
}

// Accept makes the files one document: their originals and its manifest
// durable in the store, then its OCR job queued. It returns once all of that
// is done.
func (s *Service) Accept(ctx context.Context, up *Upload) (*sohoa.Document, error) {
	title := strings.Join(strings.Fields(vntext.Normalize(up.Title)), " ")
	if n := len([]rune(title)); n > MaxTitleLength {
		return nil, sohoa.FieldError("title", "Tiêu đề dài %d ký tự, tối đa %d.", n, MaxTitleLength)
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
	meta, dup, err := s.checkRecord(ctx, "", up.Type, up.Metadata, up.ConfirmDuplicate)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	m := &sohoa.Manifest{Version: sohoa.ManifestVersion, ID: sohoa.NewID(now), Title: title, CreatedAt: now,
		Type: up.Type, Metadata: meta, UnitID: up.UnitID, UnitPath: up.UnitPath, CreatedBy: up.By, DuplicateOf: dup}
	if m.Title == "" {
		m.Title = strings.TrimSuffix(files[0].Name, fileExt(files[0].Name))
	}
	for _, f := range files {
		if err := s.putFile(ctx, f); err != nil {
			return nil, err
		}
		m.Originals = append(m.Originals, sohoa.Original{SHA256: f.SHA256, Size: f.Size, ContentType: f.ContentType, Filename: f.Name})
		if f.PDF != nil {
			if err := s.acceptPDF(ctx, m, f, !up.ForceOCR); err != nil {
				return nil, err
			}
			continue
		}
		for i, fr := range f.Frames {
			p := sohoa.Page{Number: len(m.Pages) + 1, SHA256: f.SHA256, ContentType: f.ContentType,
				Width: fr.Width, Height: fr.Height, DPI: fr.DPI, Source: f.SHA256, Frame: i}
			p.Warnings = dpiWarnings(fr)
			if f.inspectErr != nil {
				p.Unreadable = strings.TrimPrefix(f.inspectErr.Error(), scan.ErrCorrupt.Error()+": ")
			}
			if len(f.Frames) > 1 {
				sha, err := s.putTIFFPage(ctx, f, i)
				if err != nil {
					return nil, err
				}
				p.SHA256 = sha
			}
			m.Pages = append(m.Pages, p)
		}
	}
	m.SetStatus(sohoa.StatusQueued, now, "")
	if err := s.putManifest(ctx, m); err != nil {
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
	if errors.Is(err, scan.ErrCorrupt) {
		return sohoa.Errorf(sohoa.EINVALID, "Không tách được các trang của tệp PDF %q: %v.", f.Name, strings.TrimPrefix(err.Error(), scan.ErrCorrupt.Error()+": "))
	}
	return err
}

// putManifest writes the next revision of a manifest: kept under its
// number for good, and as the current one.
func (s *Service) putManifest(ctx context.Context, m *sohoa.Manifest) error {
	m.Revision++
	if err := store.PutJSON(ctx, s.store, store.ManifestRevisionKey(m.ID, m.Revision), m); err != nil {
		return err
	}
	return store.PutJSON(ctx, s.store, store.ManifestKey(m.ID), m)
}

// Patch changes a document's record. Nil fields are left alone; a nil value
// in Metadata removes that field.
type Patch struct {
	Title            *string
	Type             *string
	Metadata         map[string]any
	ConfirmDuplicate bool
	// Reason is required to correct an approved record: the approved
	// version is then superseded and a new approval is needed.
	Reason     string
	UserID, By string
}

// Update applies p to document id: all of it or, on any error, none of it.
// Each changed field is kept in the manifest's history with who, when, the
// old and the new value; earlier revisions of the manifest stay in the store.
func (s *Service) Update(ctx context.Context, id string, p *Patch) (*sohoa.Document, error) {
	m, unlock, err := s.lockManifest(ctx, id)
	if err != nil {
		return nil, err
	}
	defer unlock()
	typ := m.Type
	if p.Type != nil {
		typ = *p.Type
	}
	raw := map[string]any{}
	for k, v := range m.Metadata {
		raw[k] = v
	}
	for k, v := range p.Metadata {
		if v == nil {
			delete(raw, k)
		} else {
			raw[k] = v
		}
	}
	meta, dup, err := s.checkRecord(ctx, id, typ, raw, p.ConfirmDuplicate)
	if err != nil {
		return nil, err
	}
	title := m.Title
	if p.Title != nil {
		title = strings.Join(strings.Fields(vntext.Normalize(*p.Title)), " ")
		if title == "" || len([]rune(title)) > MaxTitleLength {
			return nil, sohoa.FieldError("title", "Tiêu đề phải có từ 1 đến %d ký tự.", MaxTitleLength)
		}
	}
	now := s.now().UTC()
	var changes []sohoa.Change
	change := func(field string, old, new any) {
		if fmt.Sprint(old) != fmt.Sprint(new) {
			changes = append(changes, sohoa.Change{At: now, UserID: p.UserID, By: p.By, Field: field, Old: old, New: new})
		}
	}
	change("title", m.Title, title)
	change("type", m.Type, typ)
	for _, k := range unionKeys(m.Metadata, meta) {
		change("metadata."+k, m.Metadata[k], meta[k])
	}
	if len(changes) == 0 {
		return m.Document(), nil
	}
	var superseded *sohoa.Approval
	if m.Active() != nil {
		if strings.TrimSpace(p.Reason) == "" {
			return nil, sohoa.FieldError("reason", "Hồ sơ đã được phê duyệt: cần nêu lý do đính chính (reason); bản đã phê duyệt sẽ bị thay thế và cần phê duyệt lại.")
		}
		superseded = s.endApproval(m, sohoa.ApprovalSuperseded, p.By, strings.TrimSpace(p.Reason))
	}
	m.Title, m.Type, m.Metadata, m.Changes = title, typ, meta, append(m.Changes, changes...)
	if dup != "" {
		m.DuplicateOf = dup
	}
	if err := s.putManifest(ctx, m); err != nil {
		return nil, fmt.Errorf("update %s: %w", id, err)
	}
	if superseded != nil {
		if err := s.cat.PutApproval(ctx, superseded, m.UnitPath); err != nil {
			return nil, err
		}
	}
	d := m.Document()
	d.UpdatedAt = now
	if err := s.cat.PutDocument(ctx, d, false); err != nil {
		return nil, err
	}
	if m.Status == sohoa.StatusReady {
		if err := s.reindex(ctx, m); err != nil {
			return nil, err
		}
	}
	s.log.Info("document updated", "document", id, "fields", len(changes))
	return d, nil
}

func unionKeys(a, b sohoa.Metadata) []string {
	seen := map[string]bool{}
	var keys []string
	for _, m := range []sohoa.Metadata{a, b} {
		for k := range m {
			if !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
	}
	sort.Strings(keys)
	return keys
}

// reindex puts a ready document's current record in the index.
func (s *Service) reindex(ctx context.Context, m *sohoa.Manifest) error {
	pages, err := s.pageTexts(ctx, m.ID)
	if err != nil {
		return err
	}
	return s.idx.Put(ctx, m.IndexDocument(pages))
}

// pageTexts returns the text of each page of a ready document, as the
// worker stored it (pages separated by form feeds).
func (s *Service) pageTexts(ctx context.Context, id string) ([]string, error) {
	text, err := store.ReadAll(ctx, s.store, store.TextKey(id))
	if err != nil {
		return nil, err
	}
	return strings.Split(string(text), "\f"), nil
}

// History returns the changes made to a document's record, oldest first.
func (s *Service) History(ctx context.Context, id string) ([]sohoa.Change, error) {
	m, err := s.Manifest(ctx, id)
	if err != nil {
		return nil, err
	}
	if m.Changes == nil {
		return []sohoa.Change{}, nil
	}
	return m.Changes, nil
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

func (s *Service) notify() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Manifest returns a document's manifest from the store.
func (s *Service) Manifest(ctx context.Context, id string) (*sohoa.Manifest, error) {
	if !sohoa.ValidID(id) {
		return nil, sohoa.Errorf(sohoa.ENOTFOUND, "Không tìm thấy văn bản.")
	}
	var m sohoa.Manifest
	if err := store.GetJSON(ctx, s.store, store.ManifestKey(id), &m); err != nil {
		if sohoa.IsNotFound(err) {
			return nil, sohoa.Errorf(sohoa.ENOTFOUND, "Không tìm thấy văn bản.")
		}
		return nil, err
	}
	if m.Deleted != nil {
		return nil, sohoa.Errorf(sohoa.ENOTFOUND, "Không tìm thấy văn bản.")
	}
	return &m, nil
}

// Delete tombstones a document in the store, then removes it from the index
// and the catalog. The originals stay: the store is the record.
func (s *Service) Delete(ctx context.Context, id, by string) error {
	m, unlock, err := s.lockManifest(ctx, id)
	if err != nil {
		return err
	}
	defer unlock()
	m.Deleted = &sohoa.Deletion{At: s.now().UTC(), By: by}
	revoked := s.endApproval(m, sohoa.ApprovalRevoked, by, "Hồ sơ đã bị xóa.")
	if err := s.putManifest(ctx, m); err != nil {
		return fmt.Errorf("delete %s: %w", id, err)
	}
	if revoked != nil {
		if err := s.cat.PutApproval(ctx, revoked, m.UnitPath); err != nil {
			return err
		}
	}
	if err := s.idx.Delete(ctx, id); err != nil {
		return fmt.Errorf("delete %s from index: %w", id, err)
	}
	if err := s.cat.DeleteDocument(ctx, id); err != nil && !sohoa.IsNotFound(err) {
		return err
	}
	s.log.Info("document deleted", "document", id, "by", by)
	return nil
}

// Open returns a blob from the store; the caller closes it.
func (s *Service) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	return s.store.Get(ctx, key)
}

// PageText returns what OCR read on page n of a ready document.
func (s *Service) PageText(ctx context.Context, id string, n int) (*sohoa.PageText, error) {
	var pt sohoa.PageText
	if err := store.GetJSON(ctx, s.store, store.PageOCRKey(id, n), &pt); err != nil {
		return nil, err
	}
	return &pt, nil
}

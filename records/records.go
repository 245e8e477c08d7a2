package records

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"sohoa"
	"sohoa/ingest"
	"sohoa/pdfcopy"
)

// Catalog is what the services read from the catalog.
type Catalog interface {
	Document(ctx context.Context, id string) (*sohoa.Document, error)
	Documents(ctx context.Context, f sohoa.DocumentFilter) (*sohoa.DocumentList, error)
	Unit(ctx context.Context, id string) (*sohoa.Unit, error)
	ApprovalByCode(ctx context.Context, code string) (*sohoa.Approval, error)
	Verified(ctx context.Context, f sohoa.VerifiedFilter) ([]*sohoa.Verified, error)
	Reuse(ctx context.Context, from, to time.Time) ([]*sohoa.ReuseEntry, error)
	Audit(ctx context.Context, f sohoa.AuditFilter) ([]*sohoa.AuditEntry, error)
	PagesRead(ctx context.Context, ids []string) (map[string]int, error)
	Tally(ctx context.Context, r sohoa.Reach, since time.Time) (*sohoa.Tally, error)
	QueuedJobs(ctx context.Context) (int, error)
	ReuseWithin(ctx context.Context, r sohoa.Reach, from, to time.Time) ([]*sohoa.ReuseEntry, error)
	Units(ctx context.Context) ([]*sohoa.Unit, error)
	Root(ctx context.Context) (*sohoa.Unit, error)
	EachDocument(ctx context.Context, unitPath string, visit func(*sohoa.Document) error) error
	EachApproval(ctx context.Context, unitPath string, visit func(a *sohoa.Approval, docPath string) error) error
}

// Writer is the write path (package ingest) and the store behind it.
type Writer interface {
	Spool(r io.Reader, name string) (*ingest.File, error)
	ExpandZip(f *ingest.File) ([]*ingest.File, error)
	Accept(ctx context.Context, up *ingest.Upload) (*sohoa.Document, error)
	Update(ctx context.Context, id string, p *ingest.Patch) (*sohoa.Document, error)
	UpdateEntry(ctx context.Context, id string, row int, values map[string]any, by *sohoa.Principal) (*sohoa.Document, error)
	Delete(ctx context.Context, id string, by *sohoa.Principal) error
	History(ctx context.Context, id string) ([]sohoa.Change, error)
	OpenText(ctx context.Context, id string) (io.ReadCloser, error)
	OpenOriginal(ctx context.Context, sha string) (io.ReadCloser, error)
	PageText(ctx context.Context, id string, n int) (*sohoa.PageText, error)
	Approve(ctx context.Context, id string, by *sohoa.Principal, body, verifyBase string) (*sohoa.Approval, error)
	Revoke(ctx context.Context, id string, by *sohoa.Principal, reason string) (*sohoa.Approval, error)
	Approvals(ctx context.Context, id string) ([]sohoa.Approval, error)
	OpenSignedPDF(ctx context.Context, a *sohoa.Approval) (io.ReadCloser, error)
	SignReport(pages []pdfcopy.Page, title string, at time.Time) ([]byte, error)
}

// Searcher answers search queries.
type Searcher interface {
	Search(ctx context.Context, q sohoa.SearchQuery) (*sohoa.SearchResult, error)
}

// Auditor records who read or changed what.
type Auditor interface {
	Record(ctx context.Context, e *sohoa.AuditEntry) error
}

// Config tunes the services.
type Config struct {
	// MaxFiles bounds the files of one upload.
	MaxFiles int
	// PublicURL is where verification codes are checked (/verify/{code}).
	PublicURL string
	// MaxQueue is how many documents may wait for OCR before an upload is
	// answered "busy, send again later" (EBUSY, with a wait); 0: no bound.
	MaxQueue int
}

// Service is every use case on records.
type Service struct {
	cat    Catalog
	writer Writer
	search Searcher
	audit  Auditor
	cfg    Config
	now    func() time.Time
}

// New returns the services over the catalog, the write path, the index and
// the audit log.
func New(cat Catalog, w Writer, idx Searcher, a Auditor, cfg Config) *Service {
	if cfg.MaxFiles == 0 {
		cfg.MaxFiles = ingest.DefaultMaxPages
	}
	return &Service{cat: cat, writer: w, search: idx, audit: a, cfg: cfg, now: time.Now}
}

// record audits p doing action on document. What cannot be recorded is not
// done: the caller answers with the error.
func (s *Service) record(ctx context.Context, p *sohoa.Principal, action, document, detail string) error {
	return s.recordEntry(ctx, sohoa.NewAuditEntry(p, action, document, detail))
}

func (s *Service) recordEntry(ctx context.Context, e *sohoa.AuditEntry) error {
	if err := s.audit.Record(ctx, e); err != nil {
		return &sohoa.Error{Code: sohoa.EUNAVAILABLE, Message: "Không ghi được nhật ký truy cập; thao tác chưa được thực hiện.", Err: err}
	}
	return nil
}

func errNoDocument() error { return sohoa.Errorf(sohoa.ENOTFOUND, "Không tìm thấy văn bản.") }

func errForbidden() error {
	return sohoa.Errorf(sohoa.EFORBIDDEN, "Tài khoản của bạn không có quyền thực hiện thao tác này.")
}

// errNoUnit answers for a unit outside the caller's reach as for one that
// does not exist.
func errNoUnit(id string) error {
	return &sohoa.Error{Code: sohoa.ENOTFOUND, Field: "unit_id", Message: fmt.Sprintf("Không tìm thấy đơn vị %q.", id)}
}

// document loads document id if p may read it; one outside its reach is
// not found, as one that does not exist.
func (s *Service) document(ctx context.Context, p *sohoa.Principal, id string) (*sohoa.Document, error) {
	if !sohoa.ValidID(id) {
		return nil, errNoDocument()
	}
	d, err := s.cat.Document(ctx, id)
	if err != nil {
		return nil, err
	}
	if !p.CanRead(d.UnitPath) {
		return nil, errNoDocument()
	}
	return d, nil
}

// view is d as p is shown it: personal data masked for those who need not
// see it, and the record it was knowingly stored beside named only to
// those who may read that one.
func (s *Service) view(ctx context.Context, p *sohoa.Principal, d *sohoa.Document, mask bool) *sohoa.Document {
	if mask || !p.SeesPersonalData() {
		d = d.Masked()
	}
	if d.DuplicateOf != "" {
		dup, err := s.cat.Document(ctx, d.DuplicateOf)
		if err != nil || !p.CanRead(dup.UnitPath) {
			c := *d
			c.DuplicateOf = ""
			d = &c
		}
	}
	return d
}

// withProgress fills in how many pages are read of the documents being read.
func (s *Service) withProgress(ctx context.Context, docs ...*sohoa.Document) error {
	var ids []string
	for _, d := range docs {
		if d.Status == sohoa.StatusQueued || d.Status == sohoa.StatusProcessing {
			ids = append(ids, d.ID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	read, err := s.cat.PagesRead(ctx, ids)
	if err != nil {
		return err
	}
	for _, d := range docs {
		if n, ok := read[d.ID]; ok {
			d.PagesRead = &n
		}
	}
	return nil
}

// unit returns unit id if it is within p's reach (to edit, or to read);
// one outside it is not found, as one that does not exist.
func (s *Service) unit(ctx context.Context, p *sohoa.Principal, id string, edit bool) (*sohoa.Unit, error) {
	u, err := s.cat.Unit(ctx, strings.TrimSpace(id))
	if sohoa.IsNotFound(err) || err == nil && (edit && !p.CanEdit(u.Path) || !edit && !p.CanRead(u.Path)) {
		return nil, errNoUnit(id)
	}
	return u, err
}

// unitPath returns the path of unit id if it is within p's reach.
func (s *Service) unitPath(ctx context.Context, p *sohoa.Principal, id string, edit bool) (string, error) {
	u, err := s.unit(ctx, p, id, edit)
	if err != nil {
		return "", errNoUnit(id)
	}
	return u.Path, nil
}

// Blob is something to hand over: its type, a tag that changes with its
// bytes, and a way to read them.
type Blob struct {
	ContentType string
	ETag        string
	// Filename is what to save it as, when it has one.
	Filename string
	open     func(ctx context.Context) (io.ReadCloser, error)
}

// NewBlob returns a blob that open reads.
func NewBlob(contentType, etag, filename string, open func(ctx context.Context) (io.ReadCloser, error)) *Blob {
	return &Blob{ContentType: contentType, ETag: etag, Filename: filename, open: open}
}

// Open reads the blob; the caller closes it.
func (b *Blob) Open(ctx context.Context) (io.ReadCloser, error) { return b.open(ctx) }

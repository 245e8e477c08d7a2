package ingest

import (
	"context"
	"io"
	"log/slog"
	"os"
	"sync"
	"time"

	"sohoa"
	"sohoa/store"
)

// Catalog is what ingest needs of the catalog.
type Catalog interface {
	PutDocument(ctx context.Context, d *sohoa.Document, enqueue bool) error
	DuplicateOf(ctx context.Context, key, except string) (id, unitPath string, err error)
	DeleteDocument(ctx context.Context, id string) error
	PutApproval(ctx context.Context, a *sohoa.Approval, unitPath string) error
	ClaimJob(ctx context.Context, now time.Time) (sohoa.Job, bool, error)
	FinishJob(ctx context.Context, id string) error
	RetryJob(ctx context.Context, id string, at time.Time, reason string) error
	ReleaseJob(ctx context.Context, id string, at time.Time, reason string) error
	RequeueRunning(ctx context.Context) (int, error)
	SetPagesRead(ctx context.Context, id string, n int) error
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
	// MaxAttempts bounds how often a job failing for a passing reason is
	// retried before its document fails. The store being away is not one:
	// the work waits for it.
	MaxAttempts int
	// RetryBase is the first retry's delay; it doubles each time.
	RetryBase time.Duration
	// StoreProbe is how often, at first, a paused service asks whether the
	// store is back; it doubles up to 16 times that.
	StoreProbe time.Duration
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
	// indexing serializes the index writes of one document in this
	// process, so that the last one written is of its newest manifest.
	// Several serve nodes each keep their own index: each replays the
	// changes in order from a feed instead (issue 16), and this goes.
	indexing [64]sync.Mutex

	mu     sync.Mutex
	paused *pause
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
	if cfg.StoreProbe == 0 {
		cfg.StoreProbe = time.Second
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 1
	}
	if cfg.TempDir == "" {
		cfg.TempDir = os.TempDir()
	}
	return &Service{store: s, cat: cat, idx: idx, log: log, cfg: cfg, now: time.Now, wake: make(chan struct{}, 1)}
}

func (s *Service) notify() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// OpenText returns a read document's whole text, pages separated by form
// feeds; the caller closes it.
func (s *Service) OpenText(ctx context.Context, id string) (io.ReadCloser, error) {
	return s.store.Get(ctx, store.TextKey(id))
}

// OpenOriginal returns an original (a page's image) by its SHA-256; the
// caller closes it.
func (s *Service) OpenOriginal(ctx context.Context, sha string) (io.ReadCloser, error) {
	return s.store.Get(ctx, store.OriginalKey(sha))
}

// PageText returns what OCR read on page n of a document.
func (s *Service) PageText(ctx context.Context, id string, n int) (*sohoa.PageText, error) {
	var pt sohoa.PageText
	if err := store.GetJSON(ctx, s.store, store.PageOCRKey(id, n), &pt); err != nil {
		return nil, err
	}
	return &pt, nil
}

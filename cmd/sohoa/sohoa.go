package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"sohoa"
	"sohoa/api"
	"sohoa/audit"
	"sohoa/catalog"
	"sohoa/directory"
	"sohoa/ingest"
	"sohoa/ingest/ocr"
	"sohoa/pdfcopy"
	"sohoa/records"
	"sohoa/search"
	"sohoa/sign"
	"sohoa/store"
	"sohoa/store/fs"
	"sohoa/store/s3"
	"sohoa/watch"
	"sohoa/web"
)

// Main is the program: ParseFlags, then Run, then Close. End-to-end tests
// start it on 127.0.0.1:0.
type Main struct {
	Config Config
	Stdout io.Writer
	Stderr io.Writer
	Log    *slog.Logger

	store     store.Store
	catalog   *catalog.DB
	index     *search.Index
	reindex   bool // the index was made again and waits to be filled
	ingest    *ingest.Service
	directory *directory.Directory
	audit     *audit.Log
	records   *records.Service
	signer    *sign.Signer

	// args are what a command's flags leave (verify's file).
	args     []string
	listener net.Listener
	server   *http.Server
	stop     context.CancelFunc
	workers  sync.WaitGroup
}

// NewMain returns a Main writing to the process's stdout and stderr.
func NewMain() *Main { return &Main{Stdout: os.Stdout, Stderr: os.Stderr} }

// ParseFlags reads the configuration of serve from args and the environment.
func (m *Main) ParseFlags(args []string) error {
	return m.parse("serve", "", args, nil, storage, service, first)
}

func (m *Main) logger() *slog.Logger {
	if m.Log != nil {
		return m.Log
	}
	var level slog.Level
	level.UnmarshalText([]byte(m.Config.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if m.Config.LogFormat == "json" {
		m.Log = slog.New(slog.NewJSONHandler(os.Stderr, opts))
	} else {
		m.Log = slog.New(slog.NewTextHandler(os.Stderr, opts))
	}
	return m.Log
}

// openStore opens the store, the catalog, the audit log and the directory:
// what every command but verify needs, and all that a command run beside
// the service may open (the index is the service's alone).
func (m *Main) openStore(ctx context.Context) error {
	c := &m.Config
	if err := os.MkdirAll(filepath.Join(c.Data, "tmp"), 0o750); err != nil {
		return err
	}
	switch c.Store {
	case "fs":
		s, err := fs.Open(filepath.Join(c.Data, "store"))
		if err != nil {
			return err
		}
		m.store = s
	case "s3":
		octx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		s, err := s3.Open(octx, s3.Config{Endpoint: c.S3Endpoint, AccessKey: c.S3Access, SecretKey: c.S3Secret,
			Bucket: c.S3Bucket, TLS: c.S3TLS, Region: c.S3Region})
		if err != nil {
			return err
		}
		m.store = s
	}
	db, err := catalog.Open(filepath.Join(c.Data, "catalog.db"))
	if err != nil {
		return err
	}
	m.catalog = db
	m.audit = audit.New(m.catalog, m.store, filepath.Join(c.Data, "audit-journal.jsonl"), m.logger())
	m.directory = directory.New(m.catalog, m.store, m.audit)
	return nil
}

// openIndex opens the search index, which one process at a time may hold:
// another waits a second, then is told who holds it. An index of an older
// layout is made again, empty, to be filled from the store (m.reindex).
func (m *Main) openIndex() error {
	dir := filepath.Join(m.Config.Data, "index")
	idx, err := search.Open(dir)
	if errors.Is(err, search.ErrInUse) {
		return fmt.Errorf("the search index in %s is in use: is `sohoa serve` running on this data? Stop it first", m.Config.Data)
	}
	if err != nil {
		return err
	}
	if idx.Stale() {
		m.logger().Warn("the search index was made by an older version of sohoa: making it again from the store", "index", dir)
		if err := errors.Join(idx.Close(), search.Remove(dir)); err != nil {
			return err
		}
		if idx, err = search.Open(dir); err != nil {
			return err
		}
		m.reindex = true
	}
	m.index = idx
	return nil
}

// openService opens everything serve needs: the store, the catalog, the
// index, the signing key, the write path and the services over them.
func (m *Main) openService(ctx context.Context) error {
	if err := m.openStore(ctx); err != nil {
		return err
	}
	if err := m.openIndex(); err != nil {
		return err
	}
	if err := m.openSigner(); err != nil {
		return err
	}
	c := &m.Config
	langs := c.OCRLangs
	m.ingest = ingest.New(m.store, m.catalog, m.index, m.logger(), ingest.Config{
		TempDir:   filepath.Join(c.Data, "tmp"),
		MaxPixels: c.MaxPixels,
		Workers:   c.OCRWorkers,
		NewRecognizer: func() (ingest.Recognizer, error) {
			return ocr.New(langs)
		},
		Certifier: certifier{m.signer, c.RootUnitName},
	})
	if m.reindex {
		start := time.Now()
		st, err := m.ingest.Reindex(ctx)
		if err != nil {
			// Half an index would pass for a whole one at the next start.
			err = errors.Join(err, m.index.Close(), search.Remove(filepath.Join(c.Data, "index")))
			m.index = nil
			return err
		}
		m.reindex = false
		m.logger().Info("search index made again from the store", "documents", st.Indexed, "took", time.Since(start).Round(time.Millisecond))
	}
	return nil
}

// openSigner loads the signing pair, or makes a self-signed one for
// development under <data>/signing and says so.
func (m *Main) openSigner() error {
	c := &m.Config
	if c.SignCert == "" {
		cert, key, made, err := sign.DevPair(filepath.Join(c.Data, "signing"), c.RootUnitName)
		if err != nil {
			return err
		}
		if made {
			fmt.Fprintf(m.Stdout, "development signing certificate (self-signed, NOT for production) made in %s;\n"+
				"  set SOHOA_SIGN_CERT and SOHOA_SIGN_KEY to the Department's certificate and key\n", filepath.Dir(cert))
		}
		c.SignCert, c.SignKey = cert, key
	}
	s, err := sign.Load(c.SignCert, c.SignKey)
	if err != nil {
		return err
	}
	m.signer = s
	return nil
}

// certifier signs copies and receipts with the Department's key.
type certifier struct {
	signer   *sign.Signer
	location string
}

func (c certifier) SignedCopy(pages []pdfcopy.Page, mark pdfcopy.Mark) ([]byte, error) {
	reason := "Bản sao điện tử chuyển đổi từ văn bản giấy"
	if mark.Code == "" {
		reason = mark.Title // a document born digital: a report
	}
	return pdfcopy.Build(pages, mark, pdfcopy.Signature{Name: c.signer.Certificate().Subject.CommonName,
		Reason: reason, Location: c.location, At: mark.At, Sign: c.signer.CMS})
}

func (c certifier) Receipt(payload []byte) (string, error) { return c.signer.JWS(payload) }

// Run opens everything, starts the OCR workers and the HTTP server, and
// returns once the server listens.
func (m *Main) Run(ctx context.Context) error {
	log := m.logger()
	if err := m.openService(ctx); err != nil {
		return err
	}
	if err := m.bootstrap(ctx); err != nil {
		return err
	}
	if !ocr.ThreadLimitSet() {
		log.Warn("OMP_THREAD_LIMIT is not 1: OCR will be several times slower")
	}
	wctx, stop := context.WithCancel(context.WithoutCancel(ctx))
	m.stop = stop
	started := make(chan error, 1)
	m.workers.Add(1)
	go func() {
		defer m.workers.Done()
		// Run returns early only if the recognizers cannot be made.
		err := m.ingest.Run(wctx, func() { started <- nil })
		if err != nil {
			log.Error("OCR workers stopped", "err", err)
			started <- err
		}
	}()
	if err := <-started; err != nil {
		return err
	}
	m.workers.Add(1)
	go func() {
		defer m.workers.Done()
		m.audit.Run(wctx, m.Config.AuditSeal)
	}()
	ln, err := net.Listen("tcp", m.Config.Addr)
	if err != nil {
		return err
	}
	m.listener = ln
	publicURL := m.Config.PublicURL
	if publicURL == "" {
		publicURL = "http://" + ln.Addr().String()
	}
	m.records = records.New(m.catalog, m.ingest, m.index, m.audit, records.Config{MaxFiles: ingest.DefaultMaxPages, PublicURL: publicURL, MaxQueue: m.Config.MaxQueue})
	srv := &api.Server{
		Records: m.records, Directory: m.directory, Log: log, Version: version(),
		Certificates: m.signer.Chain, CertificatePEM: m.signer.CertificatePEM(),
		MaxUpload: m.Config.MaxUpload, Health: m.healthChecks(),
	}
	page := &web.Server{Records: m.records, Directory: m.directory, Log: log, MaxUpload: m.Config.MaxUpload, Version: version()}
	m.server = &http.Server{Handler: routeByPath(srv.Handler(), page.Handler()), ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
	go func() {
		if err := m.server.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("http server", "err", err)
		}
	}()
	m.workers.Add(1)
	go func() {
		defer m.workers.Done()
		keepReports(wctx, m.store, m.records, m.catalog.Root, m.Config.ReportDay, log)
	}()
	if m.Config.WatchDir != "" {
		if err := os.MkdirAll(m.Config.WatchDir, 0o755); err != nil {
			return fmt.Errorf("watch folder: %w", err)
		}
		w := &watch.Watcher{Dir: m.Config.WatchDir, Settle: m.Config.WatchSettle, Records: m.records, Units: m.catalog, Log: log}
		m.workers.Add(1)
		go func() {
			defer m.workers.Done()
			w.Run(wctx)
		}()
		log.Info("watching a folder", "dir", m.Config.WatchDir, "settle", m.Config.WatchSettle.String())
	}
	fmt.Fprintf(m.Stdout, "sohoa %s listening on http://%s (store: %s, data: %s)\n", version(), ln.Addr(), m.Config.Store, m.Config.Data)
	log.Info("listening", "addr", ln.Addr().String(), "version", version(), "store", m.Config.Store, "ocr_workers", m.Config.OCRWorkers)
	return nil
}

// routeByPath sends the API's paths to the API, every other to the page.
func routeByPath(apiHandler, pageHandler http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/api/", apiHandler)
	mux.Handle("/healthz", apiHandler)
	mux.Handle("/verify/", apiHandler)
	mux.Handle("/", pageHandler)
	return mux
}

// healthChecks are what /healthz asks: each says in Vietnamese what is
// wrong, the log says where.
func (m *Main) healthChecks() map[string]api.HealthCheck {
	spool := filepath.Join(m.Config.Data, "tmp")
	return map[string]api.HealthCheck{
		"store": func(ctx context.Context) error {
			_, err := m.store.Stat(ctx, store.HealthKey)
			if err != nil && !sohoa.IsNotFound(err) {
				return store.Unavailable("stat", store.HealthKey, err)
			}
			return nil
		},
		"catalog": func(ctx context.Context) error {
			if err := m.catalog.Ping(ctx); err != nil {
				return &sohoa.Error{Code: sohoa.EUNAVAILABLE, Message: "Cơ sở dữ liệu danh mục không trả lời.", Err: err}
			}
			return nil
		},
		"spool": func(context.Context) error {
			f, err := os.CreateTemp(spool, "healthz-*")
			if err == nil {
				f.Close()
				err = os.Remove(f.Name())
			}
			if err != nil {
				return &sohoa.Error{Code: sohoa.EUNAVAILABLE, Message: "Không ghi được tệp tạm để nhận tệp tải lên (ổ đĩa đầy hoặc không ghi được).", Err: err}
			}
			return nil
		},
		"ocr": func(context.Context) error { return m.ingest.Paused() },
	}
}

// Addr is where the server listens, once Run returned.
func (m *Main) Addr() string { return m.listener.Addr().String() }

// Close stops in order: no new requests, requests drained, workers stopped
// after their current page, then the index flushed and the catalog closed.
func (m *Main) Close() error {
	var errs []error
	if m.server != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		errs = append(errs, m.server.Shutdown(ctx))
		cancel()
	}
	if m.stop != nil {
		m.stop()
		m.workers.Wait()
	}
	if m.index != nil {
		errs = append(errs, m.index.Close())
	}
	if m.catalog != nil {
		errs = append(errs, m.catalog.Close())
	}
	return errors.Join(errs...)
}

// bootstrap gives a new catalog its root unit and its admin, whose token
// is SOHOA_ADMIN_TOKEN or a generated one printed once and written to
// <data>/admin-token.
func (m *Main) bootstrap(ctx context.Context) error {
	root := &sohoa.Unit{ID: m.Config.RootUnit, Name: m.Config.RootUnitName, Kind: "so"}
	token, made, err := m.directory.Bootstrap(ctx, root, m.Config.AdminToken)
	if err != nil || !made {
		return err
	}
	fmt.Fprintf(m.Stdout, "first start: unit %s (%s) and user admin created\n", root.ID, root.Name)
	if m.Config.AdminToken != "" {
		fmt.Fprintln(m.Stdout, "admin token: the one given in SOHOA_ADMIN_TOKEN")
		return nil
	}
	path := filepath.Join(m.Config.Data, "admin-token")
	if err := os.WriteFile(path, []byte(token+"\n"), 0o600); err != nil {
		return err
	}
	abs, _ := filepath.Abs(path)
	fmt.Fprintf(m.Stdout, "admin token (shown once, also written to %s):\n  %s\n", abs, token)
	return nil
}

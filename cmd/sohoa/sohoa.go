package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"sohoa"
	"sohoa/api"
	"sohoa/catalog"
	"sohoa/ingest"
	"sohoa/ingest/ocr"
	"sohoa/search"
	"sohoa/store"
	"sohoa/store/fs"
	"sohoa/store/s3"
)

// Main is the program: ParseFlags, then Run, then Close. End-to-end tests
// start it on 127.0.0.1:0.
type Main struct {
	Config Config
	Stdout io.Writer
	Log    *slog.Logger

	store   store.Store
	catalog *catalog.DB
	index   *search.Index
	ingest  *ingest.Service

	listener net.Listener
	server   *http.Server
	stop     context.CancelFunc
	workers  sync.WaitGroup
}

// NewMain returns a Main writing to the process's stdout and stderr.
func NewMain() *Main { return &Main{Stdout: os.Stdout} }

// ParseFlags reads the configuration of command cmd from args and the environment.
func (m *Main) ParseFlags(cmd string, args []string) error {
	fs := flag.NewFlagSet("sohoa "+cmd, flag.ContinueOnError)
	envs := m.Config.bind(fs)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: sohoa %s [flags]\n\nFlags (each with its environment variable):\n", cmd)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := envs.err(); err != nil {
		return err
	}
	return m.Config.validate()
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

// open opens the store, the catalog and the index.
func (m *Main) open(ctx context.Context) error {
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
	idx, err := search.Open(filepath.Join(c.Data, "index"))
	if err != nil {
		return err
	}
	m.index = idx
	langs := c.OCRLangs
	m.ingest = ingest.New(m.store, m.catalog, m.index, m.logger(), ingest.Config{
		TempDir:   filepath.Join(c.Data, "tmp"),
		MaxPixels: c.MaxPixels,
		Workers:   c.OCRWorkers,
		NewRecognizer: func() (ingest.Recognizer, error) {
			return ocr.New(langs)
		},
	})
	return nil
}

// Run opens everything, starts the OCR workers and the HTTP server, and
// returns once the server listens.
func (m *Main) Run(ctx context.Context) error {
	log := m.logger()
	if err := m.open(ctx); err != nil {
		return err
	}
	if err := m.ensureAdminToken(ctx); err != nil {
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
	srv := &api.Server{
		Catalog: m.catalog, Search: m.index, Ingest: m.ingest, Log: log,
		MaxUpload: m.Config.MaxUpload, MaxFiles: ingest.DefaultMaxPages,
		Health: map[string]api.HealthCheck{
			"store": func(ctx context.Context) error {
				_, err := m.store.Stat(ctx, "healthz")
				if err != nil && !sohoa.IsNotFound(err) {
					return err
				}
				return nil
			},
			"catalog": m.catalog.Ping,
			"spool": func(context.Context) error {
				f, err := os.CreateTemp(filepath.Join(m.Config.Data, "tmp"), "healthz-*")
				if err != nil {
					return err
				}
				f.Close()
				return os.Remove(f.Name())
			},
		},
	}
	ln, err := net.Listen("tcp", m.Config.Addr)
	if err != nil {
		return err
	}
	m.listener = ln
	m.server = &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
	go func() {
		if err := m.server.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("http server", "err", err)
		}
	}()
	fmt.Fprintf(m.Stdout, "sohoa listening on http://%s (store: %s, data: %s)\n", ln.Addr(), m.Config.Store, m.Config.Data)
	log.Info("listening", "addr", ln.Addr().String(), "store", m.Config.Store, "ocr_workers", m.Config.OCRWorkers)
	return nil
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

// ensureAdminToken gives a new catalog its admin: SOHOA_ADMIN_TOKEN, or a
// generated token printed once and written to <data>/admin-token.
func (m *Main) ensureAdminToken(ctx context.Context) error {
	has, err := m.catalog.HasTokens(ctx)
	if err != nil || has {
		return err
	}
	token := m.Config.AdminToken
	generated := token == ""
	if generated {
		token = catalog.NewToken()
	}
	if err := m.catalog.AddToken(ctx, token, "admin", catalog.RoleAdmin); err != nil {
		return err
	}
	if !generated {
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

// Rebuild recreates the catalog's documents and the index from the store.
// Run it with the service stopped; it refuses a non-empty index.
func (m *Main) Rebuild(ctx context.Context) error {
	if err := m.open(ctx); err != nil {
		return err
	}
	defer m.Close()
	if n, err := m.index.Count(); err != nil || n > 0 {
		return fmt.Errorf("the index at %s holds %d documents: remove it (and catalog.db) first, with the service stopped", filepath.Join(m.Config.Data, "index"), n)
	}
	start := time.Now()
	st, err := m.ingest.Rebuild(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "rebuilt from the store in %s: %d documents (%d indexed, %d queued for OCR, %d failed), %d deleted left out\n",
		time.Since(start).Round(time.Millisecond), st.Documents, st.Indexed, st.Queued, st.Failed, st.Deleted)
	return nil
}

// Token adds an API token and prints it.
func (m *Main) Token(ctx context.Context, args []string) error {
	var name, role string
	fs := flag.NewFlagSet("sohoa token", flag.ContinueOnError)
	envs := m.Config.bind(fs)
	fs.StringVar(&name, "name", "", "who the token is for")
	fs.StringVar(&role, "role", catalog.RoleClerk, "admin, clerk, official or system")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := envs.err(); err != nil {
		return err
	}
	if strings.TrimSpace(name) == "" {
		return fmt.Errorf("token: -name is required")
	}
	if err := os.MkdirAll(m.Config.Data, 0o750); err != nil {
		return err
	}
	db, err := catalog.Open(filepath.Join(m.Config.Data, "catalog.db"))
	if err != nil {
		return err
	}
	defer db.Close()
	token := catalog.NewToken()
	if err := db.AddToken(ctx, token, name, role); err != nil {
		return err
	}
	fmt.Fprintln(m.Stdout, token)
	return nil
}

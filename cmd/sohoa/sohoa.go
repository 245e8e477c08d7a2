package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
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
	"sohoa/audit"
	"sohoa/catalog"
	"sohoa/directory"
	"sohoa/ingest"
	"sohoa/ingest/ocr"
	"sohoa/pdfcopy"
	"sohoa/search"
	"sohoa/sign"
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

	store     store.Store
	catalog   *catalog.DB
	index     *search.Index
	ingest    *ingest.Service
	directory *directory.Directory
	audit     *audit.Log
	signer    *sign.Signer

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
	if err := m.openSigner(); err != nil {
		return err
	}
	m.directory = directory.New(m.catalog, m.store)
	m.audit = audit.New(m.catalog, m.store, m.logger())
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
	return pdfcopy.Build(pages, mark, pdfcopy.Signature{Name: c.signer.Certificate().Subject.CommonName,
		Reason: "Bản sao điện tử chuyển đổi từ văn bản giấy", Location: c.location, At: mark.At, Sign: c.signer.CMS})
}

func (c certifier) Receipt(payload []byte) (string, error) { return c.signer.JWS(payload) }

// Run opens everything, starts the OCR workers and the HTTP server, and
// returns once the server listens.
func (m *Main) Run(ctx context.Context) error {
	log := m.logger()
	if err := m.open(ctx); err != nil {
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
	srv := &api.Server{
		Catalog: m.catalog, Directory: m.directory, Audit: m.audit, Search: m.index, Ingest: m.ingest, Log: log,
		Certificates: m.signer.CertificatePEM(),
		MaxUpload:    m.Config.MaxUpload, MaxFiles: ingest.DefaultMaxPages,
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
	srv.PublicURL = m.Config.PublicURL
	if srv.PublicURL == "" {
		srv.PublicURL = "http://" + ln.Addr().String()
	}
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

// bootstrap gives a new catalog its root unit and its admin, whose token
// is SOHOA_ADMIN_TOKEN or a generated one printed once and written to
// <data>/admin-token.
func (m *Main) bootstrap(ctx context.Context) error {
	empty, err := m.catalog.Empty(ctx)
	if err != nil || !empty {
		return err
	}
	var found bool
	m.store.List(ctx, "directory/units/", func(string) error { found = true; return errors.New("stop") })
	if found {
		return fmt.Errorf("the catalog is empty but the store holds units and users: run `sohoa rebuild` first")
	}
	root := &sohoa.Unit{ID: m.Config.RootUnit, Name: m.Config.RootUnitName, Kind: "so"}
	if err := m.directory.AddUnit(ctx, root); err != nil {
		return err
	}
	admin := &sohoa.User{Username: "admin", FullName: "Quản trị hệ thống", UnitID: root.ID, Role: sohoa.RoleAdmin}
	if err := m.directory.AddUser(ctx, admin, ""); err != nil {
		return err
	}
	token, _, err := m.directory.AddToken(ctx, admin.ID, "admin (first start)", catalog.TokenAPI, m.Config.AdminToken, 0)
	if err != nil {
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

// Rebuild recreates the catalog and the index from the store: units,
// users and tokens, the sealed audit log, then the documents. Run it with
// the service stopped, on an empty catalog and index.
func (m *Main) Rebuild(ctx context.Context) error {
	if err := m.open(ctx); err != nil {
		return err
	}
	defer m.Close()
	if n, err := m.index.Count(); err != nil || n > 0 {
		return fmt.Errorf("the index at %s holds %d documents: remove it (and catalog.db) first, with the service stopped", filepath.Join(m.Config.Data, "index"), n)
	}
	if empty, err := m.catalog.Empty(ctx); err != nil || !empty {
		return fmt.Errorf("the catalog at %s is not empty: remove it (and the index) first, with the service stopped", filepath.Join(m.Config.Data, "catalog.db"))
	}
	start := time.Now()
	units, users, tokens, err := m.directory.Restore(ctx)
	if err != nil {
		return err
	}
	entries, err := m.audit.Restore(ctx)
	if err != nil {
		return err
	}
	st, err := m.ingest.Rebuild(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "rebuilt from the store in %s: %d units, %d users, %d API tokens, %d audit entries; %d documents (%d indexed, %d queued for OCR, %d failed), %d deleted left out\n",
		time.Since(start).Round(time.Millisecond), units, users, tokens, entries, st.Documents, st.Indexed, st.Queued, st.Failed, st.Deleted)
	return nil
}

// Check verifies the audit log in the catalog and in the store; it fails
// if an entry was removed, reordered or edited.
func (m *Main) Check(ctx context.Context) error {
	if err := m.open(ctx); err != nil {
		return err
	}
	defer m.Close()
	r, err := m.audit.Check(ctx)
	if err != nil {
		return err
	}
	if len(r.Problems) > 0 {
		for _, p := range r.Problems {
			fmt.Fprintln(m.Stdout, "audit:", p)
		}
		return fmt.Errorf("the audit log was tampered with or damaged: %d problems", len(r.Problems))
	}
	fmt.Fprintf(m.Stdout, "audit log intact: %d entries in the catalog, %d sealed in the store\n", r.Entries, r.Sealed)
	return nil
}

// UserAdd adds a user (and a unit, with -unit-parent) from the shell; the
// password is read from SOHOA_PASSWORD or standard input.
func (m *Main) UserAdd(ctx context.Context, args []string) error {
	var u sohoa.User
	var token bool
	fs := flag.NewFlagSet("sohoa user add", flag.ContinueOnError)
	envs := m.Config.bind(fs)
	fs.StringVar(&u.Username, "username", "", "login name")
	fs.StringVar(&u.FullName, "full-name", "", "full name")
	fs.StringVar(&u.UnitID, "unit", m.Config.RootUnit, "unit ID")
	fs.StringVar(&u.Role, "role", sohoa.RoleClerk, "admin, clerk, official or system")
	fs.BoolVar(&token, "token", false, "also make an API token and print it")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := envs.err(); err != nil {
		return err
	}
	password := os.Getenv("SOHOA_PASSWORD")
	if password == "" && u.Role != sohoa.RoleSystem {
		fmt.Fprint(os.Stderr, "password: ")
		line, err := bufio.NewReader(os.Stdin).ReadString('\n')
		if err != nil && line == "" {
			return fmt.Errorf("user add: no password on standard input")
		}
		password = strings.TrimRight(line, "\r\n")
	}
	if err := m.open(ctx); err != nil {
		return err
	}
	defer m.Close()
	if err := m.bootstrap(ctx); err != nil {
		return err
	}
	if err := m.directory.AddUser(ctx, &u, password); err != nil {
		return fmt.Errorf("user add: %s", sohoa.ErrorMessage(err))
	}
	fmt.Fprintf(m.Stdout, "user %s (%s, %s in %s) added\n", u.Username, u.FullName, u.Role, u.UnitID)
	if token {
		value, _, err := m.directory.AddToken(ctx, u.ID, "sohoa user add", catalog.TokenAPI, "", 0)
		if err != nil {
			return err
		}
		fmt.Fprintln(m.Stdout, value)
	}
	return nil
}

// UnitAdd adds a unit from the shell.
func (m *Main) UnitAdd(ctx context.Context, args []string) error {
	var u sohoa.Unit
	fs := flag.NewFlagSet("sohoa unit add", flag.ContinueOnError)
	envs := m.Config.bind(fs)
	fs.StringVar(&u.ID, "id", "", "unit ID (letters without diacritics, digits, - and _)")
	fs.StringVar(&u.Name, "name", "", "unit name")
	fs.StringVar(&u.Kind, "kind", "truong", "so, phong, truong or khac")
	fs.StringVar(&u.ParentID, "parent", m.Config.RootUnit, "parent unit ID")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := envs.err(); err != nil {
		return err
	}
	if err := m.open(ctx); err != nil {
		return err
	}
	defer m.Close()
	if err := m.bootstrap(ctx); err != nil {
		return err
	}
	if err := m.directory.AddUnit(ctx, &u); err != nil {
		return fmt.Errorf("unit add: %s", sohoa.ErrorMessage(err))
	}
	fmt.Fprintf(m.Stdout, "unit %s (%s) added under %s\n", u.ID, u.Name, u.ParentID)
	return nil
}

// Verify checks a signed copy (PDF) or a receipt (JWS) offline, against
// the certificate given with -cert or the configured one.
func (m *Main) Verify(args []string) error {
	fs := flag.NewFlagSet("sohoa verify", flag.ContinueOnError)
	envs := m.Config.bind(fs)
	certFile := fs.String("cert", "", "the published certificate (PEM); default: the configured signing certificate")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := envs.err(); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("usage: sohoa verify [-cert cert.pem] FILE")
	}
	if *certFile == "" {
		*certFile = m.Config.SignCert
		if *certFile == "" {
			*certFile = filepath.Join(m.Config.Data, "signing", "cert.pem")
		}
	}
	pemBytes, err := os.ReadFile(*certFile)
	if err != nil {
		return err
	}
	chain, err := sign.ParseCertificates(pemBytes)
	if err != nil {
		return err
	}
	data, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		return err
	}
	if bytes.HasPrefix(data, []byte("%PDF-")) {
		cert, err := pdfcopy.Verify(data, chain[0])
		if err != nil {
			return fmt.Errorf("INVALID: %w", err)
		}
		fmt.Fprintf(m.Stdout, "valid: the whole PDF is signed by %q\n", cert.Subject.CommonName)
		return nil
	}
	payload, cert, err := sign.VerifyJWS(string(data), chain[0])
	if err != nil {
		return fmt.Errorf("INVALID: %w", err)
	}
	var r sohoa.Receipt
	if err := json.Unmarshal(payload, &r); err != nil {
		return fmt.Errorf("INVALID: the receipt's content is not a receipt: %w", err)
	}
	fmt.Fprintf(m.Stdout, "valid: receipt of document %s version %d (%s, code %s), signed by %q; signed PDF sha256 %s\n",
		r.Document, r.Version, r.Status, r.Code, cert.Subject.CommonName, r.SignedPDF)
	return nil
}

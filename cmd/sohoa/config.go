package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// Config is the whole configuration, from flags with SOHOA_* environment
// equivalents; the flag wins over the environment. Each command declares
// the groups of flags it reads.
type Config struct {
	Addr       string
	Data       string
	AdminToken string
	Store      string
	S3Endpoint string
	S3Access   string
	S3Secret   string
	S3Bucket   string
	S3TLS      bool
	S3Region   string
	OCRLangs   string
	OCRWorkers int
	MaxUpload  int64
	MaxQueue   int
	// WatchDir is the folder whose unit sub-folders are taken as uploads;
	// WatchSettle how long a file must be unchanged to be taken.
	WatchDir    string
	WatchSettle time.Duration
	// ReportDay is the day of the month the month before's report is made
	// and kept in the store (0: never).
	ReportDay int
	MaxPixels int64
	LogFormat string
	LogLevel  string
	// RootUnit and RootUnitName name the Department, made on first start.
	RootUnit     string
	RootUnitName string
	AuditSeal    time.Duration
	// SignCert and SignKey are the Department's signing certificate chain
	// and key (PEM); PublicURL is where verification codes are checked.
	SignCert  string
	SignKey   string
	PublicURL string
}

// A flag group: the flags of one concern.
type group int

const (
	storage group = iota // where the data is: -data, -store, -s3-*, logs
	service              // what serve alone needs: address, OCR, limits, signing
	first                // the root unit and the admin made on a first start
)

// binder declares flags on a set, each with its environment variable as
// the default, and gathers what cannot be read.
type binder struct {
	fs     *flag.FlagSet
	msgs   []string
	finish []func()
}

func (b *binder) add(name string, err error) { b.msgs = append(b.msgs, name+": "+err.Error()) }

func (b *binder) str(p *string, name, env, def, help string) {
	if v, ok := os.LookupEnv(env); ok {
		def = v
	}
	b.fs.StringVar(p, name, def, help+" ("+env+")")
}

func (b *binder) size(p *int64, name, env string, def int64, help string) {
	if v, ok := os.LookupEnv(env); ok {
		n, err := parseSize(v)
		if err != nil {
			b.add(env, err)
		}
		def = n
	}
	*p = def
	b.fs.Var(sizeFlag{p}, name, help+" ("+env+")")
}

// err reads what the flags' strings mean and reports every value that
// makes no sense.
func (b *binder) err() error {
	for _, f := range b.finish {
		f()
	}
	if len(b.msgs) > 0 {
		return fmt.Errorf("configuration: %s", strings.Join(b.msgs, "; "))
	}
	return nil
}

// bind declares the flags of the groups on fs.
func (c *Config) bind(fs *flag.FlagSet, groups ...group) *binder {
	b := &binder{fs: fs}
	for _, g := range groups {
		switch g {
		case storage:
			c.bindStorage(b)
		case service:
			c.bindService(b)
		case first:
			b.str(&c.AdminToken, "admin-token", "SOHOA_ADMIN_TOKEN", "", "the admin's token on first start (generated if empty)")
			b.str(&c.RootUnit, "root-unit", "SOHOA_ROOT_UNIT", "SGD", "ID of the root unit, made on first start")
			b.str(&c.RootUnitName, "root-unit-name", "SOHOA_ROOT_UNIT_NAME", "Sở Giáo dục và Đào tạo", "name of the root unit")
		}
	}
	return b
}

func (c *Config) bindStorage(b *binder) {
	b.str(&c.Data, "data", "SOHOA_DATA", "./data", "directory of the embedded store, catalog and index")
	b.str(&c.Store, "store", "SOHOA_STORE", "fs", "object store: fs (under -data) or s3")
	b.str(&c.S3Endpoint, "s3-endpoint", "SOHOA_S3_ENDPOINT", "127.0.0.1:9000", "S3 endpoint, host:port")
	b.str(&c.S3Access, "s3-access-key", "SOHOA_S3_ACCESS_KEY", "", "S3 access key")
	b.str(&c.S3Secret, "s3-secret-key", "SOHOA_S3_SECRET_KEY", "", "S3 secret key")
	b.str(&c.S3Bucket, "s3-bucket", "SOHOA_S3_BUCKET", "sohoa", "S3 bucket, created if missing")
	b.str(&c.S3Region, "s3-region", "SOHOA_S3_REGION", "", "S3 region, if the store needs one")
	tls := "false"
	b.str(&tls, "s3-tls", "SOHOA_S3_TLS", "false", "use HTTPS to reach S3")
	b.str(&c.LogFormat, "log-format", "SOHOA_LOG_FORMAT", "text", "log format: text or json")
	b.str(&c.LogLevel, "log-level", "SOHOA_LOG_LEVEL", "info", "log level: debug, info, warn, error")
	b.finish = append(b.finish, func() {
		v, err := strconv.ParseBool(tls)
		if err != nil {
			b.add("SOHOA_S3_TLS / -s3-tls", err)
		}
		c.S3TLS = v
	})
}

func (c *Config) bindService(b *binder) {
	b.str(&c.Addr, "addr", "SOHOA_ADDR", "127.0.0.1:8080", "address to listen on")
	b.str(&c.OCRLangs, "ocr-langs", "SOHOA_OCR_LANGS", "vie", "Tesseract languages (vie+eng read the sample pages 0.3-0.9 points worse and 10% slower)")
	var workers int64
	b.size(&workers, "ocr-workers", "SOHOA_OCR_WORKERS", int64(runtime.NumCPU()), "pages recognised at once (default: the number of cores)")
	b.size(&c.MaxUpload, "max-upload", "SOHOA_MAX_UPLOAD", 100<<20, "largest upload request, in bytes or with KiB/MiB/GiB")
	var maxQueue, reportDay int64
	b.size(&reportDay, "report-day", "SOHOA_REPORT_DAY", 1, "the day of the month the month before's report is made and kept in the store (0: never)")
	b.size(&maxQueue, "max-queue", "SOHOA_MAX_QUEUE", 2000, "documents waiting for OCR before uploads are answered 503 busy with Retry-After (0: no bound)")
	b.size(&c.MaxPixels, "max-pixels", "SOHOA_MAX_PIXELS", 150_000_000, "largest page accepted, in pixels")
	b.str(&c.SignCert, "sign-cert", "SOHOA_SIGN_CERT", "", "signing certificate chain, PEM (empty: a self-signed development pair under -data)")
	b.str(&c.SignKey, "sign-key", "SOHOA_SIGN_KEY", "", "signing private key, PEM")
	b.str(&c.PublicURL, "public-url", "SOHOA_PUBLIC_URL", "", "public address printed on copies for /verify (default: http://ADDR)")
	settle := "5s"
	b.str(&c.WatchDir, "watch-dir", "SOHOA_WATCH_DIR", "", "a folder to take scans from: DIR/<unit ID>/… (files moved to done/ or failed/ beside them); empty: none")
	b.str(&settle, "watch-settle", "SOHOA_WATCH_SETTLE", "5s", "how long a file in the watch folder must keep its size and time to be taken")
	seal := "30s"
	b.str(&seal, "audit-seal", "SOHOA_AUDIT_SEAL", "30s", "how often the audit log's batches are merged into segments in the store")
	b.finish = append(b.finish, func() {
		c.OCRWorkers = int(workers)
		c.MaxQueue = int(maxQueue)
		c.ReportDay = int(reportDay)
		if d, err := time.ParseDuration(settle); err != nil || d < 100*time.Millisecond {
			b.add("SOHOA_WATCH_SETTLE / -watch-settle", fmt.Errorf("%q is not a duration of 100ms or more", settle))
		} else {
			c.WatchSettle = d
		}
		d, err := time.ParseDuration(seal)
		if err != nil || d < time.Second {
			b.add("SOHOA_AUDIT_SEAL / -audit-seal", fmt.Errorf("%q is not a duration of 1s or more", seal))
		}
		c.AuditSeal = d
	})
}

type sizeFlag struct{ p *int64 }

func (f sizeFlag) String() string {
	if f.p == nil {
		return ""
	}
	return strconv.FormatInt(*f.p, 10)
}

func (f sizeFlag) Set(s string) error {
	n, err := parseSize(s)
	*f.p = n
	return err
}

// parseSize reads "104857600", "100MiB", "2GiB", "512KiB".
func parseSize(s string) (int64, error) {
	mult := int64(1)
	for suffix, m := range map[string]int64{"KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30} {
		if v, ok := strings.CutSuffix(s, suffix); ok {
			s, mult = v, m
		}
	}
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%q is not a size", s)
	}
	return n * mult, nil
}

// validate checks what the groups read.
func (c *Config) validate(groups ...group) error {
	for _, g := range groups {
		switch g {
		case storage:
			switch c.Store {
			case "fs", "s3":
			default:
				return fmt.Errorf("store must be fs or s3, not %q", c.Store)
			}
			if c.Store == "s3" && (c.S3Access == "" || c.S3Secret == "") {
				return fmt.Errorf("store s3 needs SOHOA_S3_ACCESS_KEY and SOHOA_S3_SECRET_KEY")
			}
		case service:
			if c.OCRWorkers < 1 || c.OCRWorkers > 256 {
				return fmt.Errorf("ocr-workers must be 1 to 256, not %d", c.OCRWorkers)
			}
			if c.MaxUpload < 1<<20 {
				return fmt.Errorf("max-upload must be at least 1MiB")
			}
		case first:
			if c.AdminToken != "" && len(c.AdminToken) < 16 {
				return fmt.Errorf("admin token must have at least 16 characters")
			}
		}
	}
	return nil
}

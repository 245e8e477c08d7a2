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
// equivalents; the flag wins over the environment.
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
	MaxPixels  int64
	LogFormat  string
	LogLevel   string
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

// bind declares the flags of c on fs, with defaults taken from the environment.
func (c *Config) bind(fs *flag.FlagSet) *envErrors {
	errs := &envErrors{}
	str := func(p *string, name, env, def, help string) {
		if v, ok := os.LookupEnv(env); ok {
			def = v
		}
		fs.StringVar(p, name, def, help+" ("+env+")")
	}
	num := func(p *int64, name, env string, def int64, help string) {
		if v, ok := os.LookupEnv(env); ok {
			n, err := parseSize(v)
			if err != nil {
				errs.add(env, err)
			}
			def = n
		}
		*p = def
		fs.Var(sizeFlag{p}, name, help+" ("+env+")")
	}
	str(&c.Addr, "addr", "SOHOA_ADDR", "127.0.0.1:8080", "address to listen on")
	str(&c.Data, "data", "SOHOA_DATA", "./data", "directory of the embedded store, catalog and index")
	str(&c.AdminToken, "admin-token", "SOHOA_ADMIN_TOKEN", "", "the admin's token on first start (generated if empty)")
	str(&c.Store, "store", "SOHOA_STORE", "fs", "object store: fs (under -data) or s3")
	str(&c.S3Endpoint, "s3-endpoint", "SOHOA_S3_ENDPOINT", "127.0.0.1:9000", "S3 endpoint, host:port")
	str(&c.S3Access, "s3-access-key", "SOHOA_S3_ACCESS_KEY", "", "S3 access key")
	str(&c.S3Secret, "s3-secret-key", "SOHOA_S3_SECRET_KEY", "", "S3 secret key")
	str(&c.S3Bucket, "s3-bucket", "SOHOA_S3_BUCKET", "sohoa", "S3 bucket, created if missing")
	str(&c.S3Region, "s3-region", "SOHOA_S3_REGION", "", "S3 region, if the store needs one")
	tls := "false"
	str(&tls, "s3-tls", "SOHOA_S3_TLS", "false", "use HTTPS to reach S3")
	str(&c.OCRLangs, "ocr-langs", "SOHOA_OCR_LANGS", "vie", "Tesseract languages (vie+eng read the sample pages 0.3-0.9 points worse and 10% slower)")
	var workers int64
	num(&workers, "ocr-workers", "SOHOA_OCR_WORKERS", int64(runtime.NumCPU()), "pages recognised at once (default: the number of cores)")
	num(&c.MaxUpload, "max-upload", "SOHOA_MAX_UPLOAD", 100<<20, "largest upload request, in bytes or with KiB/MiB/GiB")
	num(&c.MaxPixels, "max-pixels", "SOHOA_MAX_PIXELS", 150_000_000, "largest page accepted, in pixels")
	str(&c.LogFormat, "log-format", "SOHOA_LOG_FORMAT", "text", "log format: text or json")
	str(&c.LogLevel, "log-level", "SOHOA_LOG_LEVEL", "info", "log level: debug, info, warn, error")
	str(&c.RootUnit, "root-unit", "SOHOA_ROOT_UNIT", "SGD", "ID of the root unit, made on first start")
	str(&c.RootUnitName, "root-unit-name", "SOHOA_ROOT_UNIT_NAME", "Sở Giáo dục và Đào tạo", "name of the root unit")
	str(&c.SignCert, "sign-cert", "SOHOA_SIGN_CERT", "", "signing certificate chain, PEM (empty: a self-signed development pair under -data)")
	str(&c.SignKey, "sign-key", "SOHOA_SIGN_KEY", "", "signing private key, PEM")
	str(&c.PublicURL, "public-url", "SOHOA_PUBLIC_URL", "", "public address printed on copies for /verify (default: http://ADDR)")
	seal := "30s"
	str(&seal, "audit-seal", "SOHOA_AUDIT_SEAL", "30s", "how often the audit log is sealed into the store")
	errs.finish = func() {
		b, err := strconv.ParseBool(tls)
		if err != nil {
			errs.add("SOHOA_S3_TLS / -s3-tls", err)
		}
		c.S3TLS = b
		c.OCRWorkers = int(workers)
		d, err := time.ParseDuration(seal)
		if err != nil || d < time.Second {
			errs.add("SOHOA_AUDIT_SEAL / -audit-seal", fmt.Errorf("%q is not a duration of 1s or more", seal))
		}
		c.AuditSeal = d
	}
	return errs
}

type envErrors struct {
	msgs   []string
	finish func()
}

func (e *envErrors) add(name string, err error) { e.msgs = append(e.msgs, name+": "+err.Error()) }

func (e *envErrors) err() error {
	e.finish()
	if len(e.msgs) > 0 {
		return fmt.Errorf("configuration: %s", strings.Join(e.msgs, "; "))
	}
	return nil
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

func (c *Config) validate() error {
	switch c.Store {
	case "fs", "s3":
	default:
		return fmt.Errorf("store must be fs or s3, not %q", c.Store)
	}
	if c.Store == "s3" && (c.S3Access == "" || c.S3Secret == "") {
		return fmt.Errorf("store s3 needs SOHOA_S3_ACCESS_KEY and SOHOA_S3_SECRET_KEY")
	}
	if c.OCRWorkers < 1 || c.OCRWorkers > 256 {
		return fmt.Errorf("ocr-workers must be 1 to 256, not %d", c.OCRWorkers)
	}
	if c.MaxUpload < 1<<20 {
		return fmt.Errorf("max-upload must be at least 1MiB")
	}
	if c.AdminToken != "" && len(c.AdminToken) < 16 {
		return fmt.Errorf("admin token must have at least 16 characters")
	}
	return nil
}

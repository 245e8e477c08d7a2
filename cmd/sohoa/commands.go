package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"sohoa"
	"sohoa/ingest"
	"sohoa/pdfcopy"
	"sohoa/records"
	"sohoa/report"
	"sohoa/sign"
)

// parse reads a command's own flags (declared by own) and those of its
// groups from args and the environment. Its -h lists its own flags first,
// then the groups'.
func (m *Main) parse(cmd, synopsis string, args []string, own func(fs *flag.FlagSet), groups ...group) error {
	fs := flag.NewFlagSet("sohoa "+cmd, flag.ContinueOnError)
	mine := map[string]bool{}
	if own != nil {
		own(fs)
		fs.VisitAll(func(f *flag.Flag) { mine[f.Name] = true })
	}
	b := m.Config.bind(fs, groups...)
	fs.Usage = func() {
		out := fs.Output()
		fmt.Fprintf(out, "Usage: sohoa %s %s\n", cmd, synopsis)
		section := func(title string, keep func(*flag.Flag) bool) {
			var sub flag.FlagSet
			fs.VisitAll(func(f *flag.Flag) {
				if keep(f) {
					sub.Var(f.Value, f.Name, f.Usage)
				}
			})
			if !hasFlags(&sub) {
				return
			}
			fmt.Fprintf(out, "\n%s:\n", title)
			sub.SetOutput(out)
			sub.PrintDefaults()
		}
		section("Flags", func(f *flag.Flag) bool { return mine[f.Name] })
		section("Configuration (each with its environment variable, as for every command)", func(f *flag.Flag) bool { return !mine[f.Name] })
	}
	// Flags may come after the arguments too (sohoa import DIR -unit U).
	m.args = nil
	for {
		if err := fs.Parse(args); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		m.args, args = append(m.args, fs.Arg(0)), fs.Args()[1:]
	}
	if err := b.err(); err != nil {
		return err
	}
	if len(m.args) > 0 && cmd != "verify" && cmd != "import" {
		return fmt.Errorf("sohoa %s: unexpected argument %q (see sohoa %s -h)", cmd, m.args[0], cmd)
	}
	return m.Config.validate(groups...)
}

func hasFlags(fs *flag.FlagSet) bool {
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	return n > 0
}

// Rebuild recreates the catalog and the index from the store: units,
// users and tokens, the audit log and the reuse ledger made of it, then the
// documents. Run it with the service stopped, on an empty catalog and index.
func (m *Main) Rebuild(ctx context.Context, args []string) error {
	if err := m.parse("rebuild", "[flags]", args, nil, storage); err != nil {
		return err
	}
	if err := m.openStore(ctx); err != nil {
		return err
	}
	defer m.Close()
	if err := m.openIndex(); err != nil {
		return err
	}
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
	w := ingest.New(m.store, m.catalog, m.index, m.logger(), ingest.Config{TempDir: filepath.Join(m.Config.Data, "tmp")})
	st, err := w.Rebuild(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "rebuilt from the store in %s: %d units, %d users, %d API tokens, %d audit entries; %d documents (%d indexed, %d queued for OCR, %d failed), %d deleted left out\n",
		time.Since(start).Round(time.Millisecond), units, users, tokens, entries, st.Documents, st.Indexed, st.Queued, st.Failed, st.Deleted)
	return nil
}

// Check verifies the audit log in the catalog and in the store; it fails
// if an entry was removed, reordered or edited. It may run beside the
// service.
func (m *Main) Check(ctx context.Context, args []string) error {
	if err := m.parse("check", "[flags]", args, nil, storage); err != nil {
		return err
	}
	if err := m.openStore(ctx); err != nil {
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
	fmt.Fprintf(m.Stdout, "audit log intact: %d entries in the catalog, %d in the store\n", r.Entries, r.Stored)
	if r.Unstored > 0 {
		fmt.Fprintf(m.Stdout, "  %d entries are in the catalog only: their batch reached neither the store nor the local journal\n", r.Unstored)
	}
	return nil
}

// UnitAdd adds a unit from the shell, beside the service or not.
func (m *Main) UnitAdd(ctx context.Context, args []string) error {
	var u sohoa.Unit
	own := func(fs *flag.FlagSet) {
		fs.StringVar(&u.ID, "id", "", "unit ID (letters without diacritics, digits, - and _)")
		fs.StringVar(&u.Name, "name", "", "unit name")
		fs.StringVar(&u.Kind, "kind", "truong", "so, phong, truong or khac")
		fs.StringVar(&u.ParentID, "parent", "", "parent unit ID (default: the root unit, -root-unit)")
	}
	if err := m.parse("unit add", "-id ID -name NAME [-kind KIND] [-parent ID]", args, own, storage, first); err != nil {
		return err
	}
	if u.ParentID == "" {
		u.ParentID = m.Config.RootUnit
	}
	if err := m.openStore(ctx); err != nil {
		return err
	}
	defer m.Close()
	if err := m.bootstrap(ctx); err != nil {
		return err
	}
	if err := m.directory.AddUnit(ctx, sohoa.Operator(), &u); err != nil {
		return fmt.Errorf("unit add: %s", sohoa.ErrorMessage(err))
	}
	fmt.Fprintf(m.Stdout, "unit %s (%s) added under %s\n", u.ID, u.Name, u.ParentID)
	return nil
}

// UserAdd adds a user from the shell, beside the service or not; the
// password is read from SOHOA_PASSWORD or standard input.
func (m *Main) UserAdd(ctx context.Context, args []string) error {
	var u sohoa.User
	var token bool
	own := func(fs *flag.FlagSet) {
		fs.StringVar(&u.Username, "username", "", "login name")
		fs.StringVar(&u.FullName, "full-name", "", "full name")
		fs.StringVar(&u.UnitID, "unit", "", "unit ID (default: the root unit, -root-unit)")
		fs.StringVar(&u.Role, "role", sohoa.RoleClerk, "admin, clerk, official or system")
		fs.BoolVar(&token, "token", false, "also make an API token and print it")
	}
	if err := m.parse("user add", `-username NAME -full-name "..." [-unit ID] [-role ROLE] [-token]`, args, own, storage, first); err != nil {
		return err
	}
	if u.UnitID == "" {
		u.UnitID = m.Config.RootUnit
	}
	password := os.Getenv("SOHOA_PASSWORD")
	if password == "" && u.Role != sohoa.RoleSystem {
		var err error
		if password, err = readPassword(ctx); err != nil {
			return err
		}
	}
	if err := m.openStore(ctx); err != nil {
		return err
	}
	defer m.Close()
	if err := m.bootstrap(ctx); err != nil {
		return err
	}
	op := sohoa.Operator()
	if err := m.directory.AddUser(ctx, op, &u, password); err != nil {
		return fmt.Errorf("user add: %s", sohoa.ErrorMessage(err))
	}
	fmt.Fprintf(m.Stdout, "user %s (%s, %s in %s) added\n", u.Username, u.FullName, u.Role, u.UnitID)
	if token {
		value, _, err := m.directory.AddToken(ctx, op, u.ID, "sohoa user add")
		if err != nil {
			return err
		}
		fmt.Fprintln(m.Stdout, value)
	}
	return nil
}

// readPassword reads a line from standard input, or gives up when ctx is
// done (SIGTERM, Ctrl-C).
func readPassword(ctx context.Context) (string, error) {
	fmt.Fprint(os.Stderr, "password: ")
	line := make(chan string, 1)
	go func() {
		s, err := bufio.NewReader(os.Stdin).ReadString('\n')
		if err != nil && s == "" {
			close(line)
			return
		}
		line <- strings.TrimRight(s, "\r\n")
	}()
	select {
	case s, ok := <-line:
		if !ok {
			return "", fmt.Errorf("user add: no password on standard input")
		}
		return s, nil
	case <-ctx.Done():
		return "", fmt.Errorf("user add: stopped while waiting for the password")
	}
}

// Verify checks a signed copy (PDF) or a receipt (JWS) offline, against
// the certificate given with -cert or the configured one.
func (m *Main) Verify(args []string) error {
	var certFile string
	own := func(fs *flag.FlagSet) {
		fs.StringVar(&certFile, "cert", "", "the published certificate (PEM); default: the configured signing certificate")
		fs.StringVar(&m.Config.Data, "data", envOr("SOHOA_DATA", "./data"), "where the development certificate is (SOHOA_DATA)")
		fs.StringVar(&m.Config.SignCert, "sign-cert", os.Getenv("SOHOA_SIGN_CERT"), "the signing certificate chain, PEM (SOHOA_SIGN_CERT)")
	}
	if err := m.parse("verify", "[-cert cert.pem] FILE", args, own); err != nil {
		return err
	}
	if len(m.args) != 1 {
		return fmt.Errorf("usage: sohoa verify [-cert cert.pem] FILE")
	}
	if certFile == "" {
		certFile = m.Config.SignCert
		if certFile == "" {
			certFile = filepath.Join(m.Config.Data, "signing", "cert.pem")
		}
	}
	pemBytes, err := os.ReadFile(certFile)
	if err != nil {
		return err
	}
	chain, err := sign.ParseCertificates(pemBytes)
	if err != nil {
		return err
	}
	data, err := os.ReadFile(m.args[0])
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

func envOr(name, def string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return def
}

// Report prints the monthly report of a unit and the units below it, from
// the catalog, beside the service or not.
func (m *Main) Report(ctx context.Context, args []string) error {
	var month, unitID, format string
	own := func(fs *flag.FlagSet) {
		fs.StringVar(&month, "month", time.Now().In(sohoa.Vietnam).AddDate(0, -1, 0).Format("2006-01"), "the month, YYYY-MM (default: the month before)")
		fs.StringVar(&unitID, "unit", "", "the unit (default: the Department)")
		fs.StringVar(&format, "format", "json", "json or csv")
	}
	if err := m.parse("report", "[-month YYYY-MM] [-unit ID] [-format json|csv]", args, own, storage); err != nil {
		return err
	}
	if format != "json" && format != "csv" {
		return fmt.Errorf("report: -format is json or csv, not %q", format)
	}
	if err := m.openStore(ctx); err != nil {
		return err
	}
	defer m.Close()
	svc := records.New(m.catalog, m.ingest, m.index, m.audit, records.Config{})
	rep, err := svc.MonthlyReport(ctx, sohoa.Operator(), month, unitID)
	if err != nil {
		return fmt.Errorf("report: %s", sohoa.ErrorMessage(err))
	}
	if format == "csv" {
		return report.WriteCSV(m.Stdout, rep)
	}
	enc := json.NewEncoder(m.Stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(rep)
}

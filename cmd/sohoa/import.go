package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"golang.org/x/term"

	"sohoa/importer"
)

// Import sends folders and ZIP files of scans to a server through its API
// (package importer): the clerk's backlog, from the clerk's machine.
func (m *Main) Import(ctx context.Context, args []string) error {
	var cfg importer.Config
	var tokenFile, per string
	var asJSON bool
	var wait time.Duration
	own := func(fs *flag.FlagSet) {
		fs.StringVar(&cfg.Server, "server", envOr("SOHOA_SERVER", "http://127.0.0.1:8080"), "the server's address (SOHOA_SERVER)")
		fs.StringVar(&tokenFile, "token-file", os.Getenv("SOHOA_TOKEN_FILE"), "a file holding a clerk's API token (SOHOA_TOKEN_FILE)")
		fs.StringVar(&cfg.Unit, "unit", "", "the unit the documents belong to (its ID)")
		fs.StringVar(&cfg.Type, "type", "", "the documents' type (van_ban, van_bang, so_goc, ho_so_can_bo); default: the server proposes one")
		fs.StringVar(&per, "document-per", "file", "file: each scan is a document; folder: each folder's scans are one document's pages, in name order")
		fs.IntVar(&cfg.Jobs, "jobs", 4, "documents sent at once")
		fs.BoolVar(&asJSON, "json", false, "print the summary as JSON on standard output")
		fs.DurationVar(&wait, "wait", 0, "then wait up to this long for the server to read what was sent (0: do not wait)")
	}
	if err := m.parse("import", "-token-file F -unit U [-type T] [-document-per file|folder] DIR|ZIP...", args, own); err != nil {
		return err
	}
	switch {
	case len(m.args) == 0:
		return fmt.Errorf("usage: sohoa import -token-file F -unit U DIR or ZIP (one or more)")
	case tokenFile == "":
		return fmt.Errorf("import: -token-file is needed (a file holding a clerk's API token)")
	case cfg.Unit == "":
		return fmt.Errorf("import: -unit is needed")
	case per != "file" && per != "folder":
		return fmt.Errorf("import: -document-per is file or folder, not %q", per)
	}
	tok, err := os.ReadFile(tokenFile)
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	cfg.Token = strings.TrimSpace(string(tok))
	cfg.Server = strings.TrimRight(cfg.Server, "/")
	plan, err := importer.NewPlan(m.args, per == "folder")
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	defer plan.Close()
	terminal := false
	if f, ok := m.Stderr.(*os.File); ok {
		terminal = term.IsTerminal(int(f.Fd()))
	}
	meter := importer.NewMeter(m.Stderr, terminal, plan)
	sent := make(chan string, len(plan.Items))
	cfg.Progress = func(r importer.Result) {
		meter.Done(r)
		if r.Status == importer.Accepted {
			sent <- r.Document
		}
	}
	watchCtx, stopWatch := context.WithCancel(ctx)
	defer stopWatch()
	watched := make(chan struct{})
	go func() {
		importer.WatchRead(watchCtx, cfg, sent, meter.Read)
		close(watched)
	}()
	meterCtx, stopMeter := context.WithCancel(ctx)
	go meter.Run(meterCtx)
	sum := importer.Run(ctx, cfg, plan)
	close(sent)
	if wait > 0 {
		select {
		case <-watched:
		case <-time.After(wait):
		case <-ctx.Done():
		}
	}
	stopWatch()
	stopMeter()
	meter.Finish()
	if asJSON {
		enc := json.NewEncoder(m.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(sum); err != nil {
			return err
		}
	} else {
		printSummary(m, sum)
	}
	if sum.Failed > 0 {
		return errors.New("import: " + fmt.Sprint(sum.Failed) + " documents not imported")
	}
	return nil
}

// printSummary tells the clerk what came of the run.
func printSummary(m *Main, s *importer.Summary) {
	fmt.Fprintf(m.Stdout, "Nhập xong sau %s: %d hồ sơ đã gửi (%d trang, %.1f MB), %d đã có trên máy chủ, %d lỗi.\n",
		(time.Duration(s.Seconds * float64(time.Second))).Round(100*time.Millisecond), s.Accepted, s.Pages, float64(s.Bytes)/1e6, s.Skipped, s.Failed)
	if s.Failed > 0 {
		fmt.Fprintln(m.Stdout, "Chưa nhập được:")
		for _, r := range s.Results {
			if r.Status == importer.Failed {
				fmt.Fprintf(m.Stdout, "  %s: %s (%s)\n", r.Item, r.Reason, r.Code)
			}
		}
	}
	if len(s.Ignored) > 0 {
		fmt.Fprintf(m.Stdout, "Bỏ qua %d tệp không phải bản quét (PNG, JPEG, TIFF, PDF, ZIP):\n", len(s.Ignored))
		for _, name := range s.Ignored {
			fmt.Fprintln(m.Stdout, "  "+name)
		}
	}
}

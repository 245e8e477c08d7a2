// Command sohoa is the e-records service: `sohoa serve` runs it; the other
// commands set it up, check it and rebuild what is derived. It wires every
// package together; nothing else does.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	// libgomp reads OMP_THREAD_LIMIT when the process loads, before any Go
	// code: set it by starting again with it (see package ingest/ocr).
	if os.Getenv("OMP_THREAD_LIMIT") == "" {
		if exe, err := os.Executable(); err == nil {
			env := append(os.Environ(), "OMP_THREAD_LIMIT=1")
			err = syscall.Exec(exe, os.Args, env)
			fmt.Fprintf(os.Stderr, "sohoa: restart with OMP_THREAD_LIMIT=1: %v\n", err)
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:]); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "sohoa:", err)
		}
		os.Exit(2)
	}
}

const usage = `sohoa: the e-records service of a Department of Education and Training.

Usage:
  sohoa serve   [flags]   run the service (upload, OCR, search, API)
  sohoa rebuild [flags]   recreate the catalog and the search index from the store
                          (with the service stopped)
  sohoa check   [flags]   verify the audit log (catalog and store); fails if tampered with
  sohoa unit add -id ID -name NAME [-kind KIND] [-parent ID]
                          add a unit (kinds: so, phong, truong, khac)
  sohoa user add -username NAME -full-name "..." [-unit ID] [-role ROLE] [-token]
                          add a user (roles: admin, clerk, official, system); the
                          password comes from SOHOA_PASSWORD or standard input
  sohoa verify  [-cert cert.pem] FILE
                          check a signed copy (PDF) or a receipt (JWS) offline
  sohoa import  -token-file F -unit U [-type T] [-document-per file|folder] DIR|ZIP...
                          send a backlog of scans to a server (-server URL) through its
                          API; a run again skips what the server holds
  sohoa report  [-month YYYY-MM] [-unit ID] [-format json|csv]
                          the monthly progress report (default: last month, the Department)
  sohoa version           print the version

check, unit add and user add work beside a running service. "sohoa COMMAND -h"
lists a command's flags with their SOHOA_* environment variables.
`

func run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(os.Stderr, usage)
		return flag.ErrHelp
	}
	m := NewMain()
	cmd, rest := args[0], args[1:]
	if (cmd == "user" || cmd == "unit") && len(rest) > 0 && rest[0] == "add" {
		cmd, rest = cmd+" add", rest[1:]
	}
	switch cmd {
	case "serve":
		if err := m.ParseFlags(rest); err != nil {
			return err
		}
		if err := m.Run(ctx); err != nil {
			m.Close()
			return err
		}
		<-ctx.Done()
		return m.Close()
	case "rebuild":
		return m.Rebuild(ctx, rest)
	case "check":
		return m.Check(ctx, rest)
	case "unit add":
		return m.UnitAdd(ctx, rest)
	case "user add":
		return m.UserAdd(ctx, rest)
	case "verify":
		return m.Verify(rest)
	case "import":
		return m.Import(ctx, rest)
	case "report":
		return m.Report(ctx, rest)
	case "version", "-version", "--version":
		fmt.Fprintln(m.Stdout, "sohoa", version())
		return nil
	case "user", "unit":
		return fmt.Errorf("usage: sohoa %s add [flags]", cmd)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(os.Stdout, usage)
		return nil
	}
	fmt.Fprint(os.Stderr, usage)
	return fmt.Errorf("unknown command %q", args[0])
}

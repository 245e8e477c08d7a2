// Command sohoa is the e-records service: `sohoa serve` runs it, `sohoa
// rebuild` recreates the catalog and the index from the store, `sohoa token`
// adds an API token. It wires every package together; nothing else does.
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
  sohoa check   [flags]   verify the audit log (catalog and store); fails if tampered with
  sohoa verify  [-cert cert.pem] FILE
                          check a signed copy (PDF) or a receipt (JWS) offline
  sohoa unit add [flags] -id ID -name NAME -kind KIND -parent ID
                          add a unit (kinds: so, phong, truong, khac)
  sohoa user add [flags] -username NAME -full-name "..." -unit ID -role ROLE [-token]
                          add a user (roles: admin, clerk, official, system); the
                          password comes from SOHOA_PASSWORD or standard input

Every command takes the same configuration flags; run "sohoa serve -h" to list
them with their SOHOA_* environment variables.
`

func run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(os.Stderr, usage)
		return flag.ErrHelp
	}
	m := NewMain()
	switch args[0] {
	case "serve":
		if err := m.ParseFlags("serve", args[1:]); err != nil {
			return err
		}
		if err := m.Run(ctx); err != nil {
			m.Close()
			return err
		}
		<-ctx.Done()
		return m.Close()
	case "rebuild":
		if err := m.ParseFlags("rebuild", args[1:]); err != nil {
			return err
		}
		return m.Rebuild(ctx)
	case "check":
		if err := m.ParseFlags("check", args[1:]); err != nil {
			return err
		}
		return m.Check(ctx)
	case "verify":
		return m.Verify(args[1:])
	case "user", "unit":
		if len(args) < 2 || args[1] != "add" {
			return fmt.Errorf("usage: sohoa %s add [flags]", args[0])
		}
		if args[0] == "user" {
			return m.UserAdd(ctx, args[2:])
		}
		return m.UnitAdd(ctx, args[2:])
	case "help", "-h", "-help", "--help":
		fmt.Fprint(os.Stdout, usage)
		return nil
	}
	fmt.Fprint(os.Stderr, usage)
	return fmt.Errorf("unknown command %q", args[0])
}

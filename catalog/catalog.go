package catalog

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"sohoa"
)

// DB is the catalog.
type DB struct {
	db *sql.DB
}

// Open opens (creating if needed) the catalog at path and brings its layout
// up to date. Several processes may open one file (the service, and
// `sohoa unit add` beside it): transactions take the write lock when they
// begin, and wait up to ten seconds for another's to end.
func Open(path string) (*DB, error) {
	dsn := "file:" + path + "?_txlock=immediate&_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=foreign_keys(1)"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open catalog %s: %w", path, err)
	}
	// One connection: SQLite takes one writer at a time anyway, and this
	// keeps transactions from waiting on each other's locks.
	db.SetMaxOpenConns(1)
	if err := migrate(db); err != nil {
		db.Close()
		return nil, fmt.Errorf("open catalog %s: %w", path, err)
	}
	// Token hashes and personal data: for the service's user only. SQLite
	// gives its -wal and -shm files the database file's mode.
	if err := os.Chmod(path, 0o600); err != nil {
		db.Close()
		return nil, fmt.Errorf("open catalog %s: %w", path, err)
	}
	return &DB{db: db}, nil
}

// Close closes the database.
func (c *DB) Close() error { return c.db.Close() }

// Ping checks the database answers.
func (c *DB) Ping(ctx context.Context) error {
	var n int
	return c.db.QueryRowContext(ctx, "SELECT count(*) FROM units").Scan(&n)
}

// Empty reports whether the catalog has no units yet: a first start, or a
// rebuild to come.
func (c *DB) Empty(ctx context.Context) (bool, error) {
	var n int
	err := c.db.QueryRowContext(ctx, "SELECT count(*) FROM units").Scan(&n)
	return n == 0, err
}

// inTx runs fn in a transaction, committed if fn returns nil.
func (c *DB) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := c.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

type scanner interface{ Scan(...any) error }

const timeFormat = time.RFC3339Nano

func formatTime(t time.Time) string { return t.UTC().Format(timeFormat) }

func parseTime(s string) time.Time {
	t, _ := time.Parse(timeFormat, s)
	return t
}

// nullTime is a nullable time column.
func nullTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return formatTime(*t)
}

func timeOrNil(s sql.NullString) *time.Time {
	if !s.Valid {
		return nil
	}
	t := parseTime(s.String)
	return &t
}

// isDuplicate reports whether err is a violated primary key or unique
// constraint.
func isDuplicate(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && (se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY)
}

func notFound(format string, args ...any) error {
	return sohoa.Errorf(sohoa.ENOTFOUND, format, args...)
}

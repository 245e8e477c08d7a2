package catalog

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	_ "modernc.org/sqlite"

	"sohoa"
)

// DB is the catalog.
type DB struct {
	db *sql.DB
}

const schema = `
CREATE TABLE IF NOT EXISTS documents (
	id         TEXT PRIMARY KEY,
	title      TEXT NOT NULL,
	status     TEXT NOT NULL,
	error      TEXT NOT NULL DEFAULT '',
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	pages      TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS documents_status ON documents (status, id);
CREATE TABLE IF NOT EXISTS jobs (
	document_id TEXT PRIMARY KEY,
	state       TEXT NOT NULL,
	attempts    INTEGER NOT NULL DEFAULT 0,
	run_after   INTEGER NOT NULL,
	last_error  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS jobs_ready ON jobs (state, run_after);
CREATE TABLE IF NOT EXISTS tokens (
	hash       TEXT PRIMARY KEY,
	name       TEXT NOT NULL,
	role       TEXT NOT NULL,
	created_at TEXT NOT NULL,
	revoked_at TEXT
);
`

// Open opens (creating if needed) the catalog at path.
func Open(path string) (*DB, error) {
	dsn := "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=foreign_keys(1)"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open catalog %s: %w", path, err)
	}
	// One connection: SQLite takes one writer at a time anyway, and this
	// keeps transactions from waiting on each other's locks.
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(schema); err != nil {
		db.Close()
		return nil, fmt.Errorf("open catalog %s: %w", path, err)
	}
	// Token hashes and, later, personal data: for the service's user only.
	// SQLite gives its -wal and -shm files the database file's mode.
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
	return c.db.QueryRowContext(ctx, "SELECT count(*) FROM tokens").Scan(&n)
}

const timeFormat = time.RFC3339Nano

func formatTime(t time.Time) string { return t.UTC().Format(timeFormat) }

// PutDocument inserts or replaces d; when enqueue is set, it also queues an
// OCR job for it in the same transaction.
func (c *DB) PutDocument(ctx context.Context, d *sohoa.Document, enqueue bool) error {
	pages, err := json.Marshal(d.Pages)
	if err != nil {
		return err
	}
	tx, err := c.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	_, err = tx.ExecContext(ctx, `INSERT INTO documents (id, title, status, error, created_at, updated_at, pages)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET title=excluded.title, status=excluded.status, error=excluded.error,
			updated_at=excluded.updated_at, pages=excluded.pages`,
		d.ID, d.Title, string(d.Status), d.Error, formatTime(d.CreatedAt), formatTime(d.UpdatedAt), string(pages))
	if err != nil {
		return fmt.Errorf("put document %s: %w", d.ID, err)
	}
	if enqueue {
		_, err = tx.ExecContext(ctx, `INSERT INTO jobs (document_id, state, run_after) VALUES (?, 'queued', 0)
			ON CONFLICT (document_id) DO UPDATE SET state='queued', run_after=0`, d.ID)
		if err != nil {
			return fmt.Errorf("queue document %s: %w", d.ID, err)
		}
	}
	return tx.Commit()
}

func scanDocument(row interface{ Scan(...any) error }) (*sohoa.Document, error) {
	var d sohoa.Document
	var status, created, updated, pages string
	if err := row.Scan(&d.ID, &d.Title, &status, &d.Error, &created, &updated, &pages); err != nil {
		return nil, err
	}
	d.Status = sohoa.Status(status)
	d.CreatedAt, _ = time.Parse(timeFormat, created)
	d.UpdatedAt, _ = time.Parse(timeFormat, updated)
	if err := json.Unmarshal([]byte(pages), &d.Pages); err != nil {
		return nil, fmt.Errorf("document %s pages: %w", d.ID, err)
	}
	return &d, nil
}

const documentColumns = "id, title, status, error, created_at, updated_at, pages"

// ErrDocumentNotFound is what every lookup of a missing document returns.
func errDocumentNotFound(id string) error {
	return &sohoa.Error{Code: sohoa.ENOTFOUND, Message: "Không tìm thấy văn bản.", Err: fmt.Errorf("document %s", id)}
}

// Document returns the document with the given id.
func (c *DB) Document(ctx context.Context, id string) (*sohoa.Document, error) {
	d, err := scanDocument(c.db.QueryRowContext(ctx, "SELECT "+documentColumns+" FROM documents WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errDocumentNotFound(id)
	}
	return d, err
}

// Filter selects documents to list. Nil fields are not set.
type Filter struct {
	Status *sohoa.Status
	Limit  int
	Cursor string // from a previous page's Next
}

// Page is one page of a listing; Next is the cursor of the following page,
// "" on the last.
type Page struct {
	Documents []*sohoa.Document
	Next      string
}

// Documents lists documents newest first (IDs sort by creation time).
func (c *DB) Documents(ctx context.Context, f Filter) (*Page, error) {
	q := "SELECT " + documentColumns + " FROM documents WHERE 1=1"
	var args []any
	if f.Status != nil {
		q += " AND status = ?"
		args = append(args, string(*f.Status))
	}
	if f.Cursor != "" {
		after, err := base64.RawURLEncoding.DecodeString(f.Cursor)
		if err != nil || !sohoa.ValidID(string(after)) {
			return nil, sohoa.Errorf(sohoa.EINVALID, "Tham số cursor không hợp lệ.")
		}
		q += " AND id < ?"
		args = append(args, string(after))
	}
	q += " ORDER BY id DESC LIMIT ?"
	args = append(args, f.Limit+1)
	rows, err := c.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list documents: %w", err)
	}
	defer rows.Close()
	p := &Page{Documents: []*sohoa.Document{}}
	for rows.Next() {
		d, err := scanDocument(rows)
		if err != nil {
			return nil, err
		}
		p.Documents = append(p.Documents, d)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(p.Documents) > f.Limit {
		p.Documents = p.Documents[:f.Limit]
		p.Next = base64.RawURLEncoding.EncodeToString([]byte(p.Documents[f.Limit-1].ID))
	}
	return p, nil
}

// DeleteDocument removes a document and its job.
func (c *DB) DeleteDocument(ctx context.Context, id string) error {
	tx, err := c.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, "DELETE FROM documents WHERE id = ?", id)
	if err != nil {
		return fmt.Errorf("delete document %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errDocumentNotFound(id)
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM jobs WHERE document_id = ?", id); err != nil {
		return err
	}
	return tx.Commit()
}

// Job is one document's OCR work.
type Job struct {
	DocumentID string
	Attempts   int // including this one
}

// ClaimJob takes the oldest queued job whose time has come, marking it
// running. ok is false when there is none.
func (c *DB) ClaimJob(ctx context.Context, now time.Time) (job Job, ok bool, err error) {
	err = c.db.QueryRowContext(ctx, `UPDATE jobs SET state = 'running', attempts = attempts + 1
		WHERE document_id = (SELECT document_id FROM jobs WHERE state = 'queued' AND run_after <= ?
			ORDER BY run_after, document_id LIMIT 1)
		RETURNING document_id, attempts`, now.UnixMilli()).Scan(&job.DocumentID, &job.Attempts)
	if errors.Is(err, sql.ErrNoRows) {
		return job, false, nil
	}
	if err != nil {
		return job, false, fmt.Errorf("claim job: %w", err)
	}
	return job, true, nil
}

// FinishJob removes a job that is done, for good or for ill.
func (c *DB) FinishJob(ctx context.Context, id string) error {
	_, err := c.db.ExecContext(ctx, "DELETE FROM jobs WHERE document_id = ?", id)
	return err
}

// RetryJob puts a job back in the queue, to run no earlier than at.
func (c *DB) RetryJob(ctx context.Context, id string, at time.Time, reason string) error {
	_, err := c.db.ExecContext(ctx, "UPDATE jobs SET state = 'queued', run_after = ?, last_error = ? WHERE document_id = ?",
		at.UnixMilli(), reason, id)
	return err
}

// RequeueRunning puts back every job left running by a process that died;
// it is called at start-up, before the workers start. It returns how many.
func (c *DB) RequeueRunning(ctx context.Context) (int, error) {
	res, err := c.db.ExecContext(ctx, "UPDATE jobs SET state = 'queued', run_after = 0 WHERE state = 'running'")
	if err != nil {
		return 0, err
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// QueuedJobs counts jobs not yet finished.
func (c *DB) QueuedJobs(ctx context.Context) (int, error) {
	var n int
	err := c.db.QueryRowContext(ctx, "SELECT count(*) FROM jobs").Scan(&n)
	return n, err
}

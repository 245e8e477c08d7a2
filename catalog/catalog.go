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

// schemaVersion is the catalog layout this code writes (PRAGMA user_version).
const schemaVersion = 3

const schema = `
CREATE TABLE IF NOT EXISTS units (
	id         TEXT PRIMARY KEY,
	name       TEXT NOT NULL,
	kind       TEXT NOT NULL,
	parent_id  TEXT REFERENCES units (id),
	path       TEXT NOT NULL UNIQUE,
	created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS users (
	id            TEXT PRIMARY KEY,
	username      TEXT NOT NULL UNIQUE,
	full_name     TEXT NOT NULL,
	unit_id       TEXT NOT NULL REFERENCES units (id),
	role          TEXT NOT NULL,
	password_hash TEXT NOT NULL DEFAULT '',
	scope         TEXT NOT NULL DEFAULT '',
	created_at    TEXT NOT NULL,
	disabled_at   TEXT
);
CREATE TABLE IF NOT EXISTS tokens (
	hash       TEXT PRIMARY KEY,
	id         TEXT NOT NULL UNIQUE,
	user_id    TEXT NOT NULL REFERENCES users (id),
	name       TEXT NOT NULL,
	kind       TEXT NOT NULL,
	created_at TEXT NOT NULL,
	expires_at TEXT,
	revoked_at TEXT
);
CREATE TABLE IF NOT EXISTS documents (
	id           TEXT PRIMARY KEY,
	title        TEXT NOT NULL,
	type         TEXT NOT NULL DEFAULT '',
	unit_id      TEXT NOT NULL,
	unit_path    TEXT NOT NULL,
	metadata     TEXT NOT NULL DEFAULT '{}',
	subject_id   TEXT NOT NULL DEFAULT '',
	dup_key      TEXT NOT NULL DEFAULT '',
	duplicate_of TEXT NOT NULL DEFAULT '',
	created_by   TEXT NOT NULL DEFAULT '',
	status       TEXT NOT NULL,
	error        TEXT NOT NULL DEFAULT '',
	created_at   TEXT NOT NULL,
	updated_at   TEXT NOT NULL,
	pages        TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS documents_status ON documents (status, id);
CREATE INDEX IF NOT EXISTS documents_unit ON documents (unit_path, id);
CREATE INDEX IF NOT EXISTS documents_subject ON documents (subject_id) WHERE subject_id != '';
CREATE INDEX IF NOT EXISTS documents_dup ON documents (dup_key) WHERE dup_key != '';
CREATE TABLE IF NOT EXISTS jobs (
	document_id TEXT PRIMARY KEY,
	state       TEXT NOT NULL,
	attempts    INTEGER NOT NULL DEFAULT 0,
	run_after   INTEGER NOT NULL,
	last_error  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS jobs_ready ON jobs (state, run_after);
CREATE TABLE IF NOT EXISTS audit (
	seq      INTEGER PRIMARY KEY,
	at       TEXT NOT NULL,
	user_id  TEXT NOT NULL,
	username TEXT NOT NULL,
	unit_id  TEXT NOT NULL,
	action   TEXT NOT NULL,
	document TEXT NOT NULL DEFAULT '',
	purpose  TEXT NOT NULL DEFAULT '',
	client   TEXT NOT NULL DEFAULT '',
	detail   TEXT NOT NULL DEFAULT '',
	prev     TEXT NOT NULL,
	hash     TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_document ON audit (document, seq) WHERE document != '';
CREATE TABLE IF NOT EXISTS approvals (
	code        TEXT PRIMARY KEY,
	document_id TEXT NOT NULL,
	version     INTEGER NOT NULL,
	status      TEXT NOT NULL,
	unit_path   TEXT NOT NULL,
	approval    TEXT NOT NULL,
	UNIQUE (document_id, version)
);
CREATE INDEX IF NOT EXISTS approvals_active ON approvals (document_id) WHERE status = 'approved';
CREATE TABLE IF NOT EXISTS reuse (
	seq        INTEGER PRIMARY KEY,
	at         TEXT NOT NULL,
	client_id  TEXT NOT NULL,
	client     TEXT NOT NULL,
	procedure  TEXT NOT NULL,
	case_id    TEXT NOT NULL,
	purpose    TEXT NOT NULL,
	document   TEXT NOT NULL,
	version    INTEGER NOT NULL,
	type       TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS reuse_at ON reuse (at);
CREATE TABLE IF NOT EXISTS meta (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
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
	var version int
	if err := db.QueryRow("PRAGMA user_version").Scan(&version); err != nil {
		db.Close()
		return nil, fmt.Errorf("open catalog %s: %w", path, err)
	}
	var tables int
	db.QueryRow("SELECT count(*) FROM sqlite_master WHERE type = 'table'").Scan(&tables)
	if tables > 0 && version != schemaVersion {
		db.Close()
		return nil, fmt.Errorf("catalog %s has layout %d, this sohoa needs %d: stop the service, remove it and run `sohoa rebuild`", path, version, schemaVersion)
	}
	if _, err := db.Exec(schema + fmt.Sprintf("PRAGMA user_version = %d;", schemaVersion)); err != nil {
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
	return c.db.QueryRowContext(ctx, "SELECT count(*) FROM units").Scan(&n)
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
	meta, err := json.Marshal(d.Metadata)
	if err != nil {
		return err
	}
	subject := ""
	if d.Subject != nil {
		subject = d.Subject.ID
	}
	tx, err := c.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	_, err = tx.ExecContext(ctx, `INSERT INTO documents (id, title, type, unit_id, unit_path, metadata, subject_id, dup_key,
			duplicate_of, created_by, status, error, created_at, updated_at, pages)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET title=excluded.title, type=excluded.type, unit_id=excluded.unit_id,
			unit_path=excluded.unit_path, metadata=excluded.metadata, subject_id=excluded.subject_id,
			dup_key=excluded.dup_key, duplicate_of=excluded.duplicate_of, status=excluded.status,
			error=excluded.error, updated_at=excluded.updated_at, pages=excluded.pages`,
		d.ID, d.Title, d.Type, d.UnitID, d.UnitPath, string(meta), subject, sohoa.DuplicateKey(d.Type, d.Metadata),
		d.DuplicateOf, d.CreatedBy, string(d.Status), d.Error, formatTime(d.CreatedAt), formatTime(d.UpdatedAt), string(pages))
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

// scanDocument reads the documentColumns of a row, after the extra
// columns it may start with.
func scanDocument(row interface{ Scan(...any) error }, extra ...any) (*sohoa.Document, error) {
	var d sohoa.Document
	var status, created, updated, pages, meta string
	dest := append(extra, &d.ID, &d.Title, &d.Type, &d.UnitID, &d.UnitPath, &meta, &d.DuplicateOf, &d.CreatedBy,
		&status, &d.Error, &created, &updated, &pages)
	if err := row.Scan(dest...); err != nil {
		return nil, err
	}
	d.Status = sohoa.Status(status)
	d.CreatedAt, _ = time.Parse(timeFormat, created)
	d.UpdatedAt, _ = time.Parse(timeFormat, updated)
	if err := json.Unmarshal([]byte(pages), &d.Pages); err != nil {
		return nil, fmt.Errorf("document %s pages: %w", d.ID, err)
	}
	if err := json.Unmarshal([]byte(meta), &d.Metadata); err != nil {
		return nil, fmt.Errorf("document %s metadata: %w", d.ID, err)
	}
	if d.Metadata == nil {
		d.Metadata = sohoa.Metadata{}
	}
	// JSON numbers come back as float64: so_trang is an int.
	for k, v := range d.Metadata {
		switch v := v.(type) {
		case float64:
			d.Metadata[k] = int(v)
		case []any:
			list := make([]string, len(v))
			for i, e := range v {
				list[i], _ = e.(string)
			}
			d.Metadata[k] = list
		}
	}
	d.Subject = sohoa.SubjectOf(d.Type, d.Metadata)
	return &d, nil
}

const documentColumns = "id, title, type, unit_id, unit_path, metadata, duplicate_of, created_by, status, error, created_at, updated_at, pages"

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

// DuplicateOf returns the ID of another document with the same duplicate
// key (see sohoa.DuplicateKey), or "".
func (c *DB) DuplicateOf(ctx context.Context, key, except string) (string, error) {
	if key == "" {
		return "", nil
	}
	var id string
	err := c.db.QueryRowContext(ctx, "SELECT id FROM documents WHERE dup_key = ? AND id != ? ORDER BY id LIMIT 1", key, except).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return id, err
}

// Filter selects documents to list. Zero fields are not set.
type Filter struct {
	Status *sohoa.Status
	// UnitPath keeps the documents of that unit; with Subtree, of every
	// unit below it too.
	UnitPath  string
	Subtree   bool
	SubjectID string
	Limit     int
	Cursor    string // from a previous page's Next
}

// ReachFilter returns the filter that keeps what p may read.
func ReachFilter(p *sohoa.Principal) Filter {
	switch p.Role {
	case sohoa.RoleAdmin:
		return Filter{}
	case sohoa.RoleOfficial:
		return Filter{UnitPath: p.UnitPath, Subtree: true}
	case sohoa.RoleClerk:
		return Filter{UnitPath: p.UnitPath}
	}
	return Filter{UnitPath: "/nothing/"}
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
	if f.UnitPath != "" {
		if f.Subtree {
			q += " AND substr(unit_path, 1, ?) = ?"
			args = append(args, len(f.UnitPath), f.UnitPath)
		} else {
			q += " AND unit_path = ?"
			args = append(args, f.UnitPath)
		}
	}
	if f.SubjectID != "" {
		q += " AND subject_id = ?"
		args = append(args, f.SubjectID)
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

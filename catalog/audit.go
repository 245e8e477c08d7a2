package catalog

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"time"

	"sohoa"
)

// Append adds an entry to the audit log, chaining it to the last one; it
// sets e's Seq, Prev and Hash.
func (c *DB) Append(ctx context.Context, e *sohoa.AuditEntry) error {
	tx, err := c.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var seq int64
	var prev string
	err = tx.QueryRowContext(ctx, "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").Scan(&seq, &prev)
	if err != nil && err != sql.ErrNoRows {
		return fmt.Errorf("audit: %w", err)
	}
	if e.At.IsZero() {
		e.At = time.Now()
	}
	e.At = e.At.UTC()
	e.Seq, e.Prev = seq+1, prev
	e.Hash = e.ComputeHash()
	if err := insertAudit(ctx, tx, e); err != nil {
		return err
	}
	return tx.Commit()
}

type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

func insertAudit(ctx context.Context, db execer, e *sohoa.AuditEntry) error {
	_, err := db.ExecContext(ctx, `INSERT INTO audit (seq, at, user_id, username, unit_id, action, document, purpose, client, detail, prev, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, e.Seq, formatTime(e.At), e.UserID, e.Username, e.UnitID, e.Action,
		e.Document, e.Purpose, e.Client, e.Detail, e.Prev, e.Hash)
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	return nil
}

// RestoreAudit puts back entries sealed in the store, as they were.
func (c *DB) RestoreAudit(ctx context.Context, entries []*sohoa.AuditEntry) error {
	tx, err := c.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, e := range entries {
		if err := insertAudit(ctx, tx, e); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// AuditFilter selects audit entries. Zero fields are not set.
type AuditFilter struct {
	Document string
	UserID   string
	From, To time.Time
	// UnitPath keeps entries about documents of that unit and below.
	UnitPath string
	AfterSeq int64
	Limit    int
}

// Audit returns entries in order.
func (c *DB) Audit(ctx context.Context, f AuditFilter) ([]*sohoa.AuditEntry, error) {
	q := "SELECT a.seq, a.at, a.user_id, a.username, a.unit_id, a.action, a.document, a.purpose, a.client, a.detail, a.prev, a.hash FROM audit a"
	var args []any
	if f.UnitPath != "" {
		q += " JOIN documents d ON d.id = a.document AND substr(d.unit_path, 1, ?) = ?"
		args = append(args, len(f.UnitPath), f.UnitPath)
	}
	q += " WHERE a.seq > ?"
	args = append(args, f.AfterSeq)
	if f.Document != "" {
		q += " AND a.document = ?"
		args = append(args, f.Document)
	}
	if f.UserID != "" {
		q += " AND a.user_id = ?"
		args = append(args, f.UserID)
	}
	if !f.From.IsZero() {
		q += " AND a.at >= ?"
		args = append(args, formatTime(f.From))
	}
	if !f.To.IsZero() {
		q += " AND a.at < ?"
		args = append(args, formatTime(f.To))
	}
	q += " ORDER BY a.seq"
	if f.Limit > 0 {
		q += " LIMIT " + strconv.Itoa(f.Limit)
	}
	rows, err := c.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	defer rows.Close()
	out := []*sohoa.AuditEntry{}
	for rows.Next() {
		var e sohoa.AuditEntry
		var at string
		if err := rows.Scan(&e.Seq, &at, &e.UserID, &e.Username, &e.UnitID, &e.Action, &e.Document, &e.Purpose, &e.Client, &e.Detail, &e.Prev, &e.Hash); err != nil {
			return nil, err
		}
		e.At, _ = time.Parse(timeFormat, at)
		out = append(out, &e)
	}
	return out, rows.Err()
}

// VerifyChain checks entries in order against each other: contiguous
// sequence numbers from first, each hash recomputed, each linked to the
// one before (prev is the hash expected before the first). It returns
// one line per problem.
func VerifyChain(entries []*sohoa.AuditEntry, first int64, prev string) []string {
	var problems []string
	want := first
	for _, e := range entries {
		switch {
		case e.Seq > want:
			problems = append(problems, fmt.Sprintf("entries %d to %d are missing", want, e.Seq-1))
		case e.Seq < want:
			problems = append(problems, fmt.Sprintf("entry %d is out of order", e.Seq))
		}
		if e.ComputeHash() != e.Hash {
			problems = append(problems, fmt.Sprintf("entry %d was edited: its hash does not match its content", e.Seq))
		}
		if e.Prev != prev {
			problems = append(problems, fmt.Sprintf("entry %d does not follow the entry before it (chain broken)", e.Seq))
		}
		prev, want = e.Hash, e.Seq+1
	}
	return problems
}

// Meta reads a value of the catalog's own bookkeeping.
func (c *DB) Meta(ctx context.Context, key string) (string, error) {
	var v string
	err := c.db.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = ?", key).Scan(&v)
	if err == sql.ErrNoRows {
		return "", nil
	}
	return v, err
}

// SetMeta writes a value of the catalog's own bookkeeping.
func (c *DB) SetMeta(ctx context.Context, key, value string) error {
	_, err := c.db.ExecContext(ctx, "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", key, value)
	return err
}

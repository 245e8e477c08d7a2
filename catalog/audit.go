package catalog

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"sohoa"
)

// AppendAudit chains entries after the last one, in one transaction: it
// sets each one's Seq, Prev and Hash. An entry with a Reuse also goes into
// the reuse ledger.
func (c *DB) AppendAudit(ctx context.Context, entries []*sohoa.AuditEntry) error {
	return c.inTx(ctx, func(tx *sql.Tx) error {
		var seq int64
		var prev string
		err := tx.QueryRowContext(ctx, "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").Scan(&seq, &prev)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("audit: %w", err)
		}
		for _, e := range entries {
			if e.At.IsZero() {
				e.At = time.Now()
			}
			seq++
			e.At, e.Seq, e.Prev = e.At.UTC(), seq, prev
			e.Hash = e.ComputeHash()
			prev = e.Hash
			if err := insertAudit(ctx, tx, e, false); err != nil {
				return err
			}
		}
		return nil
	})
}

// RestoreAudit puts back entries kept in the store, as they were; those
// the catalog holds already are left alone.
func (c *DB) RestoreAudit(ctx context.Context, entries []*sohoa.AuditEntry) error {
	return c.inTx(ctx, func(tx *sql.Tx) error {
		for _, e := range entries {
			if err := insertAudit(ctx, tx, e, true); err != nil {
				return err
			}
		}
		return nil
	})
}

func insertAudit(ctx context.Context, tx execer, e *sohoa.AuditEntry, orIgnore bool) error {
	reuse := ""
	if e.Reuse != nil {
		b, _ := json.Marshal(e.Reuse)
		reuse = string(b)
	}
	verb := "INSERT"
	if orIgnore {
		verb = "INSERT OR IGNORE"
	}
	_, err := tx.ExecContext(ctx, verb+` INTO audit (seq, at, user_id, username, unit_id, action, document, purpose, client, detail, reuse, prev, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, e.Seq, formatTime(e.At), e.UserID, e.Username, e.UnitID, e.Action,
		e.Document, e.Purpose, e.Client, e.Detail, reuse, e.Prev, e.Hash)
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	if r := sohoa.ReuseEntryOf(e); r != nil {
		return insertReuse(ctx, tx, e.Seq, r)
	}
	return nil
}

// Audit returns entries in order.
func (c *DB) Audit(ctx context.Context, f sohoa.AuditFilter) ([]*sohoa.AuditEntry, error) {
	q := "SELECT a.seq, a.at, a.user_id, a.username, a.unit_id, a.action, a.document, a.purpose, a.client, a.detail, a.reuse, a.prev, a.hash FROM audit a"
	var args []any
	if f.UnitPath != "" {
		q += " JOIN documents d ON d.id = a.document AND substr(d.unit_path, 1, ?) = ?"
		args = append(args, len(f.UnitPath), f.UnitPath)
	}
	q += " WHERE a.seq > ?"
	args = append(args, f.AfterSeq)
	add := func(cond string, v any) { q += " AND " + cond; args = append(args, v) }
	if f.Document != "" {
		add("a.document = ?", f.Document)
	}
	if f.UserID != "" {
		add("a.user_id = ?", f.UserID)
	}
	if !f.From.IsZero() {
		add("a.at >= ?", formatTime(f.From))
	}
	if !f.To.IsZero() {
		add("a.at < ?", formatTime(f.To))
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
		var at, reuse string
		if err := rows.Scan(&e.Seq, &at, &e.UserID, &e.Username, &e.UnitID, &e.Action, &e.Document, &e.Purpose, &e.Client, &e.Detail, &reuse, &e.Prev, &e.Hash); err != nil {
			return nil, err
		}
		e.At = parseTime(at)
		if reuse != "" {
			e.Reuse = &sohoa.Reuse{}
			if err := json.Unmarshal([]byte(reuse), e.Reuse); err != nil {
				return nil, fmt.Errorf("audit entry %d: %w", e.Seq, err)
			}
		}
		out = append(out, &e)
	}
	return out, rows.Err()
}

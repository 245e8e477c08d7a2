package catalog

import (
	"context"
	"time"

	"sohoa"
)

// insertReuse adds the ledger line of audit entry seq, once.
func insertReuse(ctx context.Context, tx execer, seq int64, e *sohoa.ReuseEntry) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO reuse (at, client_id, client, procedure, case_id, purpose, document, version, type, audit_seq)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (audit_seq) WHERE audit_seq IS NOT NULL DO NOTHING`,
		formatTime(e.At), e.ClientID, e.Client, e.Procedure, e.CaseID, e.Purpose, e.Document, e.Version, e.Type, seq)
	return err
}

// Reuse returns the ledger between from and to (zero: unbounded).
func (c *DB) Reuse(ctx context.Context, from, to time.Time) ([]*sohoa.ReuseEntry, error) {
	q := "SELECT at, client_id, client, procedure, case_id, purpose, document, version, type FROM reuse WHERE 1=1"
	var args []any
	if !from.IsZero() {
		q += " AND at >= ?"
		args = append(args, formatTime(from))
	}
	if !to.IsZero() {
		q += " AND at < ?"
		args = append(args, formatTime(to))
	}
	rows, err := c.db.QueryContext(ctx, q+" ORDER BY seq", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*sohoa.ReuseEntry{}
	for rows.Next() {
		var e sohoa.ReuseEntry
		var at string
		if err := rows.Scan(&at, &e.ClientID, &e.Client, &e.Procedure, &e.CaseID, &e.Purpose, &e.Document, &e.Version, &e.Type); err != nil {
			return nil, err
		}
		e.At = parseTime(at)
		out = append(out, &e)
	}
	return out, rows.Err()
}

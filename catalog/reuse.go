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
	return c.ReuseWithin(ctx, sohoa.Reach{All: true}, from, to)
}

// ReuseWithin returns the ledger's entries about documents within r,
// between from and to (zero: unbounded).
func (c *DB) ReuseWithin(ctx context.Context, r sohoa.Reach, from, to time.Time) ([]*sohoa.ReuseEntry, error) {
	q := "SELECT r.at, r.client_id, r.client, r.procedure, r.case_id, r.purpose, r.document, r.version, r.type FROM reuse r"
	var args []any
	if !r.All {
		where, a := reachClause("d.unit_path", r)
		q += " JOIN documents d ON d.id = r.document AND " + where
		args = a
	}
	q += " WHERE 1=1"
	if !from.IsZero() {
		q += " AND r.at >= ?"
		args = append(args, formatTime(from))
	}
	if !to.IsZero() {
		q += " AND r.at < ?"
		args = append(args, formatTime(to))
	}
	rows, err := c.db.QueryContext(ctx, q+" ORDER BY r.seq", args...)
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

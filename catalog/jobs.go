package catalog

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"sohoa"
)

// ClaimJob takes the oldest queued job whose time has come, marking it
// running. ok is false when there is none.
func (c *DB) ClaimJob(ctx context.Context, now time.Time) (job sohoa.Job, ok bool, err error) {
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

// FinishJob removes a job whose outcome, for good or for ill, is written.
func (c *DB) FinishJob(ctx context.Context, id string) error {
	_, err := c.db.ExecContext(ctx, "DELETE FROM jobs WHERE document_id = ?", id)
	return err
}

// RetryJob puts a job back in the queue, to run no earlier than at; the
// attempt counts.
func (c *DB) RetryJob(ctx context.Context, id string, at time.Time, reason string) error {
	_, err := c.db.ExecContext(ctx, "UPDATE jobs SET state = 'queued', run_after = ?, last_error = ? WHERE document_id = ?",
		at.UnixMilli(), reason, id)
	return err
}

// ReleaseJob puts a job back in the queue, to run no earlier than at, as if
// it had not been claimed: the attempt does not count (the store was away,
// the service stopping).
func (c *DB) ReleaseJob(ctx context.Context, id string, at time.Time, reason string) error {
	_, err := c.db.ExecContext(ctx, `UPDATE jobs SET state = 'queued', run_after = ?, last_error = ?, attempts = max(attempts - 1, 0)
		WHERE document_id = ?`, at.UnixMilli(), reason, id)
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

// SetPagesRead notes how many pages of a document being read are read.
func (c *DB) SetPagesRead(ctx context.Context, id string, n int) error {
	_, err := c.db.ExecContext(ctx, "UPDATE jobs SET pages_done = ? WHERE document_id = ?", n, id)
	return err
}

// PagesRead returns how many pages are read of each of ids that has a job.
func (c *DB) PagesRead(ctx context.Context, ids []string) (map[string]int, error) {
	out := map[string]int{}
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := c.db.QueryContext(ctx, "SELECT document_id, pages_done FROM jobs WHERE document_id IN (?"+strings.Repeat(", ?", len(ids)-1)+")", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, err
		}
		out[id] = n
	}
	return out, rows.Err()
}

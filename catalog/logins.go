package catalog

import (
	"context"
	"database/sql"
	"time"

	"sohoa"
)

// LoginFailed counts a failed login for key at at, starting the count
// again if its first failure is before since, and returns the count.
func (c *DB) LoginFailed(ctx context.Context, key string, at, since time.Time) (*sohoa.LoginFailures, error) {
	// Counts of the past, and locks ended, are forgotten as they go.
	if _, err := c.db.ExecContext(ctx, "DELETE FROM login_failures WHERE first_at < ? AND (locked_until IS NULL OR locked_until < ?)",
		formatTime(since), formatTime(at)); err != nil {
		return nil, err
	}
	var f sohoa.LoginFailures
	var first string
	var locked sql.NullString
	err := c.db.QueryRowContext(ctx, `INSERT INTO login_failures (key, failures, first_at) VALUES (?, 1, ?)
		ON CONFLICT (key) DO UPDATE SET
			failures = CASE WHEN login_failures.first_at < ? THEN 1 ELSE login_failures.failures + 1 END,
			first_at = CASE WHEN login_failures.first_at < ? THEN excluded.first_at ELSE login_failures.first_at END
		RETURNING failures, first_at, locked_until`, key, formatTime(at), formatTime(since), formatTime(since)).Scan(&f.Failures, &first, &locked)
	if err != nil {
		return nil, err
	}
	f.FirstAt, f.LockedUntil = parseTime(first), timeOrNil(locked)
	return &f, nil
}

// LoginLock returns until when key is locked out, or nil.
func (c *DB) LoginLock(ctx context.Context, key string) (*time.Time, error) {
	var locked sql.NullString
	err := c.db.QueryRowContext(ctx, "SELECT locked_until FROM login_failures WHERE key = ?", key).Scan(&locked)
	if err == sql.ErrNoRows {
		return nil, nil
	}
	return timeOrNil(locked), err
}

// LockLogin locks key out until until.
func (c *DB) LockLogin(ctx context.Context, key string, until time.Time) error {
	_, err := c.db.ExecContext(ctx, "UPDATE login_failures SET locked_until = ? WHERE key = ?", formatTime(until), key)
	return err
}

// LoginSucceeded forgets key's failures.
func (c *DB) LoginSucceeded(ctx context.Context, key string) error {
	_, err := c.db.ExecContext(ctx, "DELETE FROM login_failures WHERE key = ?", key)
	return err
}

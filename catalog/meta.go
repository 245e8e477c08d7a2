package catalog

import (
	"context"
	"database/sql"
	"errors"
)

// Meta reads a value of the catalog's own bookkeeping ("" when unset).
func (c *DB) Meta(ctx context.Context, key string) (string, error) {
	var v string
	err := c.db.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = ?", key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return v, err
}

// SetMeta writes a value of the catalog's own bookkeeping.
func (c *DB) SetMeta(ctx context.Context, key, value string) error {
	_, err := c.db.ExecContext(ctx, "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", key, value)
	return err
}

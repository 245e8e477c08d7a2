package catalog

import (
	"context"
	"database/sql"
	"fmt"

	"sohoa"
)

// InsertUnit adds a unit as it is (its path made by the directory); a unit
// with its ID or path already there is ECONFLICT.
func (c *DB) InsertUnit(ctx context.Context, u *sohoa.Unit) error {
	parent := sql.NullString{String: u.ParentID, Valid: u.ParentID != ""}
	_, err := c.db.ExecContext(ctx, "INSERT INTO units (id, name, kind, parent_id, path, created_at) VALUES (?, ?, ?, ?, ?, ?)",
		u.ID, u.Name, u.Kind, parent, u.Path, formatTime(u.CreatedAt))
	if isDuplicate(err) {
		return &sohoa.Error{Code: sohoa.ECONFLICT, Field: "id", Message: fmt.Sprintf("Đã có đơn vị mã %q.", u.ID), Err: err}
	}
	if err != nil {
		return fmt.Errorf("insert unit %s: %w", u.ID, err)
	}
	return nil
}

// Unit returns a unit, or ENOTFOUND naming the field unit_id.
func (c *DB) Unit(ctx context.Context, id string) (*sohoa.Unit, error) {
	units, err := c.units(ctx, "WHERE id = ?", id)
	if err != nil {
		return nil, err
	}
	if len(units) == 0 {
		return nil, &sohoa.Error{Code: sohoa.ENOTFOUND, Field: "unit_id", Message: fmt.Sprintf("Không có đơn vị %q.", id)}
	}
	return units[0], nil
}

// Units returns every unit, parents before children.
func (c *DB) Units(ctx context.Context) ([]*sohoa.Unit, error) { return c.units(ctx, "") }

// Root returns the root unit, or nil when there is none yet.
func (c *DB) Root(ctx context.Context) (*sohoa.Unit, error) {
	units, err := c.units(ctx, "WHERE parent_id IS NULL")
	if err != nil || len(units) == 0 {
		return nil, err
	}
	return units[0], nil
}

func (c *DB) units(ctx context.Context, where string, args ...any) ([]*sohoa.Unit, error) {
	rows, err := c.db.QueryContext(ctx, "SELECT id, name, kind, coalesce(parent_id, ''), path, created_at FROM units "+where+" ORDER BY path", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*sohoa.Unit{}
	for rows.Next() {
		var u sohoa.Unit
		var created string
		if err := rows.Scan(&u.ID, &u.Name, &u.Kind, &u.ParentID, &u.Path, &created); err != nil {
			return nil, err
		}
		u.CreatedAt = parseTime(created)
		out = append(out, &u)
	}
	return out, rows.Err()
}

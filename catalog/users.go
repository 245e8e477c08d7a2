package catalog

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"sohoa"
)

// InsertUser adds a user; a username already taken is ECONFLICT.
func (c *DB) InsertUser(ctx context.Context, u *sohoa.User) error {
	_, err := c.db.ExecContext(ctx, `INSERT INTO users (id, username, full_name, unit_id, role, password_hash, scope, created_at, disabled_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, u.ID, u.Username, u.FullName, u.UnitID, u.Role, u.PasswordHash, scopeJSON(u.Scope),
		formatTime(u.CreatedAt), nullTime(u.DisabledAt))
	if isDuplicate(err) {
		return &sohoa.Error{Code: sohoa.ECONFLICT, Field: "username", Message: fmt.Sprintf("Đã có người dùng %q.", u.Username), Err: err}
	}
	if err != nil {
		return fmt.Errorf("insert user: %w", err)
	}
	return nil
}

// PutUser writes a user as the store keeps it, over its earlier row.
func (c *DB) PutUser(ctx context.Context, u *sohoa.User) error {
	_, err := c.db.ExecContext(ctx, `INSERT INTO users (id, username, full_name, unit_id, role, password_hash, scope, created_at, disabled_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET full_name = excluded.full_name, unit_id = excluded.unit_id, role = excluded.role,
			password_hash = excluded.password_hash, scope = excluded.scope, disabled_at = excluded.disabled_at`,
		u.ID, u.Username, u.FullName, u.UnitID, u.Role, u.PasswordHash, scopeJSON(u.Scope), formatTime(u.CreatedAt), nullTime(u.DisabledAt))
	if err != nil {
		return fmt.Errorf("put user %s: %w", u.Username, err)
	}
	return nil
}

func scopeJSON(s *sohoa.ClientScope) string {
	if s == nil {
		return ""
	}
	b, _ := json.Marshal(s)
	return string(b)
}

func parseScope(s string) *sohoa.ClientScope {
	if s == "" {
		return nil
	}
	var sc sohoa.ClientScope
	if json.Unmarshal([]byte(s), &sc) != nil {
		return &sohoa.ClientScope{} // unreadable: no reach at all
	}
	return &sc
}

const userColumns = "id, username, full_name, unit_id, role, password_hash, scope, created_at, disabled_at"

func scanUser(row scanner) (*sohoa.User, error) {
	var u sohoa.User
	var created, scope string
	var disabled sql.NullString
	if err := row.Scan(&u.ID, &u.Username, &u.FullName, &u.UnitID, &u.Role, &u.PasswordHash, &scope, &created, &disabled); err != nil {
		return nil, err
	}
	u.Scope = parseScope(scope)
	u.CreatedAt = parseTime(created)
	u.DisabledAt = timeOrNil(disabled)
	return &u, nil
}

func (c *DB) user(ctx context.Context, where string, arg any) (*sohoa.User, error) {
	u, err := scanUser(c.db.QueryRowContext(ctx, "SELECT "+userColumns+" FROM users WHERE "+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("Không tìm thấy người dùng.")
	}
	return u, err
}

// User returns a user by ID.
func (c *DB) User(ctx context.Context, id string) (*sohoa.User, error) {
	return c.user(ctx, "id = ?", id)
}

// UserByUsername returns a user by username.
func (c *DB) UserByUsername(ctx context.Context, username string) (*sohoa.User, error) {
	return c.user(ctx, "username = ?", username)
}

// Users returns every user.
func (c *DB) Users(ctx context.Context) ([]*sohoa.User, error) {
	rows, err := c.db.QueryContext(ctx, "SELECT "+userColumns+" FROM users ORDER BY username")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*sohoa.User{}
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

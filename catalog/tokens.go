package catalog

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"sohoa"
)

// PutToken writes a token (by its hash; the value is never here), over its
// earlier row.
func (c *DB) PutToken(ctx context.Context, t *sohoa.Token) error {
	_, err := c.db.ExecContext(ctx, `INSERT INTO tokens (hash, id, user_id, name, kind, created_at, expires_at, revoked_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (hash) DO UPDATE SET revoked_at = excluded.revoked_at, expires_at = excluded.expires_at`,
		t.Hash, t.ID, t.UserID, t.Name, t.Kind, formatTime(t.CreatedAt), nullTime(t.ExpiresAt), nullTime(t.RevokedAt))
	if err != nil {
		return fmt.Errorf("put token %s: %w", t.ID, err)
	}
	return nil
}

const tokenColumns = "t.id, t.user_id, t.name, t.kind, t.created_at, t.expires_at, t.revoked_at, t.hash, t.last_used_at"

func scanToken(row scanner, extra ...any) (*sohoa.Token, error) {
	var t sohoa.Token
	var created string
	var expires, revoked, used sql.NullString
	if err := row.Scan(append([]any{&t.ID, &t.UserID, &t.Name, &t.Kind, &created, &expires, &revoked, &t.Hash, &used}, extra...)...); err != nil {
		return nil, err
	}
	t.CreatedAt = parseTime(created)
	t.ExpiresAt, t.RevokedAt, t.LastUsedAt = timeOrNil(expires), timeOrNil(revoked), timeOrNil(used)
	return &t, nil
}

// TouchToken notes that the token was used at at.
func (c *DB) TouchToken(ctx context.Context, hash string, at time.Time) error {
	_, err := c.db.ExecContext(ctx, "UPDATE tokens SET last_used_at = ? WHERE hash = ?", formatTime(at), hash)
	return err
}

// Tokens lists a user's API tokens ("" for everyone's).
func (c *DB) Tokens(ctx context.Context, userID string) ([]*sohoa.Token, error) {
	q := "SELECT " + tokenColumns + " FROM tokens t WHERE t.kind = 'api'"
	var args []any
	if userID != "" {
		q += " AND t.user_id = ?"
		args = append(args, userID)
	}
	rows, err := c.db.QueryContext(ctx, q+" ORDER BY t.id", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*sohoa.Token{}
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// Token returns a token's description.
func (c *DB) Token(ctx context.Context, id string) (*sohoa.Token, error) {
	t, err := scanToken(c.db.QueryRowContext(ctx, "SELECT "+tokenColumns+" FROM tokens t WHERE t.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("Không tìm thấy mã truy cập.")
	}
	return t, err
}

// RevokeSessions revokes, at at, every login session of a user still open.
func (c *DB) RevokeSessions(ctx context.Context, userID string, at time.Time) error {
	_, err := c.db.ExecContext(ctx, "UPDATE tokens SET revoked_at = ? WHERE user_id = ? AND kind = ? AND revoked_at IS NULL",
		formatTime(at), userID, sohoa.TokenSession)
	return err
}

// Credential returns the token with this hash and who it speaks for.
func (c *DB) Credential(ctx context.Context, hash string) (*sohoa.Credential, error) {
	var cr sohoa.Credential
	p := &cr.Principal
	var scope string
	var disabled sql.NullString
	t, err := scanToken(c.db.QueryRowContext(ctx, `SELECT `+tokenColumns+`, u.username, u.role, u.unit_id, n.path, u.disabled_at, u.scope
		FROM tokens t JOIN users u ON u.id = t.user_id JOIN units n ON n.id = u.unit_id WHERE t.hash = ?`, hash),
		&p.Username, &p.Role, &p.UnitID, &p.UnitPath, &disabled, &scope)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("Không tìm thấy mã truy cập.")
	}
	if err != nil {
		return nil, fmt.Errorf("credential: %w", err)
	}
	cr.Token = *t
	p.UserID, p.TokenID, p.Scope = t.UserID, t.ID, parseScope(scope)
	cr.DisabledAt = timeOrNil(disabled)
	return &cr, nil
}

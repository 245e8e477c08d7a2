package catalog

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"sohoa"
)

// Roles a token may have. Issue 3 brings users and units; until then a
// token speaks for its role.
const (
	RoleAdmin    = "admin"
	RoleClerk    = "clerk"
	RoleOfficial = "official"
	RoleSystem   = "system"
)

// ValidRole reports whether r is a known role.
func ValidRole(r string) bool {
	switch r {
	case RoleAdmin, RoleClerk, RoleOfficial, RoleSystem:
		return true
	}
	return false
}

// Principal is who a token speaks for.
type Principal struct {
	Name string
	Role string
}

// NewToken returns a fresh random token, 32 bytes in URL-safe base64 with
// a recognisable prefix.
func NewToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return "sohoa_" + base64.RawURLEncoding.EncodeToString(b)
}

func hashToken(token string) string {
	// Tokens are 256 random bits: a plain SHA-256 cannot be brute-forced, and
	// is fast enough to check on every request.
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// AddToken stores token (hashed) for name with role.
func (c *DB) AddToken(ctx context.Context, token, name, role string) error {
	if !ValidRole(role) {
		return sohoa.Errorf(sohoa.EINVALID, "Vai trò %q không hợp lệ (admin, clerk, official, system).", role)
	}
	if len(token) < 16 {
		return sohoa.Errorf(sohoa.EINVALID, "Mã truy cập phải có ít nhất 16 ký tự.")
	}
	_, err := c.db.ExecContext(ctx, "INSERT INTO tokens (hash, name, role, created_at) VALUES (?, ?, ?, ?)",
		hashToken(token), name, role, formatTime(time.Now()))
	if err != nil {
		return fmt.Errorf("add token: %w", err)
	}
	return nil
}

// Authenticate returns who token speaks for, or EUNAUTHORIZED.
func (c *DB) Authenticate(ctx context.Context, token string) (*Principal, error) {
	var p Principal
	err := c.db.QueryRowContext(ctx, "SELECT name, role FROM tokens WHERE hash = ? AND revoked_at IS NULL",
		hashToken(token)).Scan(&p.Name, &p.Role)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, sohoa.Errorf(sohoa.EUNAUTHORIZED, "Mã truy cập không hợp lệ hoặc đã bị thu hồi.")
	}
	if err != nil {
		return nil, fmt.Errorf("authenticate: %w", err)
	}
	return &p, nil
}

// HasTokens reports whether any token exists: none means a first start.
func (c *DB) HasTokens(ctx context.Context) (bool, error) {
	var n int
	err := c.db.QueryRowContext(ctx, "SELECT count(*) FROM tokens").Scan(&n)
	return n > 0, err
}

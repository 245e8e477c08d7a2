package catalog

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"golang.org/x/crypto/argon2"

	"sohoa"
)

var unitIDRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$`)

// AddUnit adds a unit under its parent (none for the root, of which there
// is one). Units do not move: their path is fixed when they are made.
func (c *DB) AddUnit(ctx context.Context, u *sohoa.Unit) error {
	if !unitIDRE.MatchString(u.ID) {
		return sohoa.FieldError("id", "Mã đơn vị %q không hợp lệ (chữ cái không dấu, chữ số, - và _, tối đa 32 ký tự).", u.ID)
	}
	u.Name = strings.Join(strings.Fields(u.Name), " ")
	if u.Name == "" {
		return sohoa.FieldError("name", "Thiếu tên đơn vị (name).")
	}
	if !slices.Contains(sohoa.UnitKinds, u.Kind) {
		return sohoa.FieldError("kind", "Loại đơn vị %q không hợp lệ (%s).", u.Kind, strings.Join(sohoa.UnitKinds, ", "))
	}
	tx, err := c.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var parent sql.NullString
	if u.ParentID == "" {
		var roots int
		tx.QueryRowContext(ctx, "SELECT count(*) FROM units WHERE parent_id IS NULL").Scan(&roots)
		if roots > 0 {
			return sohoa.FieldError("parent_id", "Thiếu đơn vị cấp trên (parent_id): chỉ có một đơn vị gốc.")
		}
		u.Path = "/" + u.ID + "/"
	} else {
		var ppath string
		err := tx.QueryRowContext(ctx, "SELECT path FROM units WHERE id = ?", u.ParentID).Scan(&ppath)
		if errors.Is(err, sql.ErrNoRows) {
			return sohoa.FieldError("parent_id", "Không có đơn vị cấp trên %q.", u.ParentID)
		}
		if err != nil {
			return err
		}
		u.Path = ppath + u.ID + "/"
		parent = sql.NullString{String: u.ParentID, Valid: true}
	}
	if u.CreatedAt.IsZero() {
		u.CreatedAt = time.Now().UTC()
	}
	_, err = tx.ExecContext(ctx, "INSERT INTO units (id, name, kind, parent_id, path, created_at) VALUES (?, ?, ?, ?, ?, ?)",
		u.ID, u.Name, u.Kind, parent, u.Path, formatTime(u.CreatedAt))
	if err != nil {
		if strings.Contains(err.Error(), "UNIQUE") {
			return &sohoa.Error{Code: sohoa.ECONFLICT, Field: "id", Message: fmt.Sprintf("Đã có đơn vị mã %q.", u.ID)}
		}
		return fmt.Errorf("add unit %s: %w", u.ID, err)
	}
	return tx.Commit()
}

// Unit returns a unit.
func (c *DB) Unit(ctx context.Context, id string) (*sohoa.Unit, error) {
	units, err := c.units(ctx, "WHERE id = ?", id)
	if err != nil {
		return nil, err
	}
	if len(units) == 0 {
		return nil, sohoa.FieldError("unit_id", "Không có đơn vị %q.", id)
	}
	return units[0], nil
}

// Units returns every unit, parents before children.
func (c *DB) Units(ctx context.Context) ([]*sohoa.Unit, error) { return c.units(ctx, "") }

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
		u.CreatedAt, _ = time.Parse(timeFormat, created)
		out = append(out, &u)
	}
	return out, rows.Err()
}

var usernameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{1,63}$`)

// AddUser adds a user; u.ID is set. password may be empty for a system
// client that only ever uses tokens.
func (c *DB) AddUser(ctx context.Context, u *sohoa.User, password string) error {
	u.Username = strings.ToLower(strings.TrimSpace(u.Username))
	if !usernameRE.MatchString(u.Username) {
		return sohoa.FieldError("username", "Tên đăng nhập %q không hợp lệ (chữ thường không dấu, chữ số, . _ -, 2–64 ký tự).", u.Username)
	}
	u.FullName = strings.Join(strings.Fields(u.FullName), " ")
	if u.FullName == "" {
		return sohoa.FieldError("full_name", "Thiếu họ tên (full_name).")
	}
	if !sohoa.ValidRole(u.Role) {
		return sohoa.FieldError("role", "Vai trò %q không hợp lệ (admin, clerk, official, system).", u.Role)
	}
	if _, err := c.Unit(ctx, u.UnitID); err != nil {
		return err
	}
	if password != "" {
		if len([]rune(password)) < 10 {
			return sohoa.FieldError("password", "Mật khẩu phải có ít nhất 10 ký tự.")
		}
		u.PasswordHash = HashPassword(password)
	}
	if u.Scope != nil {
		if u.Role != sohoa.RoleSystem {
			return sohoa.FieldError("scope", "Chỉ tài khoản hệ thống (system) có phạm vi khai thác (scope).")
		}
		for _, t := range u.Scope.Types {
			if _, ok := sohoa.DocTypes[t]; !ok {
				return sohoa.FieldError("scope", "Loại hồ sơ %q không hợp lệ.", t)
			}
		}
		for _, id := range u.Scope.Units {
			if _, err := c.Unit(ctx, id); err != nil {
				return sohoa.FieldError("scope", "Không có đơn vị %q.", id)
			}
		}
		if u.Scope.RatePerMinute <= 0 {
			u.Scope.RatePerMinute = 60
		}
	}
	u.ID = sohoa.NewID(time.Now())
	u.CreatedAt = time.Now().UTC()
	_, err := c.db.ExecContext(ctx, `INSERT INTO users (id, username, full_name, unit_id, role, password_hash, scope, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, u.ID, u.Username, u.FullName, u.UnitID, u.Role, u.PasswordHash, scopeJSON(u.Scope), formatTime(u.CreatedAt))
	if err != nil {
		if strings.Contains(err.Error(), "UNIQUE") {
			return &sohoa.Error{Code: sohoa.ECONFLICT, Field: "username", Message: fmt.Sprintf("Đã có người dùng %q.", u.Username)}
		}
		return fmt.Errorf("add user: %w", err)
	}
	return nil
}

// PutUser restores a user as the store keeps it (for rebuilds).
func (c *DB) PutUser(ctx context.Context, u *sohoa.User) error {
	var disabled any
	if u.DisabledAt != nil {
		disabled = formatTime(*u.DisabledAt)
	}
	_, err := c.db.ExecContext(ctx, `INSERT OR REPLACE INTO users (id, username, full_name, unit_id, role, password_hash, scope, created_at, disabled_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, u.ID, u.Username, u.FullName, u.UnitID, u.Role, u.PasswordHash, scopeJSON(u.Scope), formatTime(u.CreatedAt), disabled)
	return err
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

func scanUser(row interface{ Scan(...any) error }) (*sohoa.User, error) {
	var u sohoa.User
	var created, scope string
	var disabled sql.NullString
	if err := row.Scan(&u.ID, &u.Username, &u.FullName, &u.UnitID, &u.Role, &u.PasswordHash, &scope, &created, &disabled); err != nil {
		return nil, err
	}
	u.Scope = parseScope(scope)
	u.CreatedAt, _ = time.Parse(timeFormat, created)
	if disabled.Valid {
		t, _ := time.Parse(timeFormat, disabled.String)
		u.DisabledAt = &t
	}
	return &u, nil
}

// User returns a user by ID.
func (c *DB) User(ctx context.Context, id string) (*sohoa.User, error) {
	u, err := scanUser(c.db.QueryRowContext(ctx, "SELECT "+userColumns+" FROM users WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, sohoa.Errorf(sohoa.ENOTFOUND, "Không tìm thấy người dùng.")
	}
	return u, err
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

// SetUserDisabled disables (or enables again) a user: a disabled user's
// tokens and sessions stop working at once.
func (c *DB) SetUserDisabled(ctx context.Context, id string, disabled bool) (*sohoa.User, error) {
	var at any
	if disabled {
		at = formatTime(time.Now())
	}
	res, err := c.db.ExecContext(ctx, "UPDATE users SET disabled_at = ? WHERE id = ?", at, id)
	if err != nil {
		return nil, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, sohoa.Errorf(sohoa.ENOTFOUND, "Không tìm thấy người dùng.")
	}
	return c.User(ctx, id)
}

// Login checks a username and password and returns the user.
func (c *DB) Login(ctx context.Context, username, password string) (*sohoa.User, error) {
	u, err := scanUser(c.db.QueryRowContext(ctx, "SELECT "+userColumns+" FROM users WHERE username = ?", strings.ToLower(strings.TrimSpace(username))))
	bad := sohoa.Errorf(sohoa.EUNAUTHORIZED, "Tên đăng nhập hoặc mật khẩu không đúng.")
	if errors.Is(err, sql.ErrNoRows) {
		CheckPassword(dummyHash, password) // the same time whether the user exists or not
		return nil, bad
	}
	if err != nil {
		return nil, err
	}
	if !CheckPassword(u.PasswordHash, password) || u.DisabledAt != nil {
		return nil, bad
	}
	return u, nil
}

// Argon2id parameters (RFC 9106's second recommendation, lighter memory).
const (
	argonTime    = 3
	argonMemory  = 64 << 10 // KiB
	argonThreads = 2
	argonKeyLen  = 32
)

var dummyHash = HashPassword("not a password of anyone")

// HashPassword returns an argon2id hash in the PHC string format.
func HashPassword(password string) string {
	salt := make([]byte, 16)
	rand.Read(salt)
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=19$m=%d,t=%d,p=%d$%s$%s", argonMemory, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
}

// CheckPassword reports whether password matches hash.
func CheckPassword(hash, password string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	want, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// Token kinds.
const (
	TokenAPI     = "api"     // made on purpose, lives until revoked
	TokenSession = "session" // made by a login, expires
)

// Token describes a token, never its value.
type Token struct {
	ID        string     `json:"id"`
	UserID    string     `json:"user_id"`
	Name      string     `json:"name"`
	Kind      string     `json:"kind"`
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
	Hash      string     `json:"-"`
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

// AddToken stores a token (hashed) for a user. An empty value makes one;
// ttl 0 means no expiry. It returns the token's value and description.
func (c *DB) AddToken(ctx context.Context, userID, name, kind, value string, ttl time.Duration) (string, *Token, error) {
	if value == "" {
		value = NewToken()
	}
	if len(value) < 16 {
		return "", nil, sohoa.Errorf(sohoa.EINVALID, "Mã truy cập phải có ít nhất 16 ký tự.")
	}
	t := &Token{ID: sohoa.NewID(time.Now()), UserID: userID, Name: strings.TrimSpace(name), Kind: kind, CreatedAt: time.Now().UTC(), Hash: hashToken(value)}
	var expires any
	if ttl > 0 {
		e := t.CreatedAt.Add(ttl)
		t.ExpiresAt, expires = &e, formatTime(e)
	}
	_, err := c.db.ExecContext(ctx, "INSERT INTO tokens (hash, id, user_id, name, kind, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
		t.Hash, t.ID, userID, t.Name, kind, formatTime(t.CreatedAt), expires)
	if err != nil {
		return "", nil, fmt.Errorf("add token: %w", err)
	}
	return value, t, nil
}

// PutToken restores a token as the store keeps it (for rebuilds).
func (c *DB) PutToken(ctx context.Context, t *Token) error {
	var expires, revoked any
	if t.ExpiresAt != nil {
		expires = formatTime(*t.ExpiresAt)
	}
	if t.RevokedAt != nil {
		revoked = formatTime(*t.RevokedAt)
	}
	_, err := c.db.ExecContext(ctx, `INSERT OR REPLACE INTO tokens (hash, id, user_id, name, kind, created_at, expires_at, revoked_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, t.Hash, t.ID, t.UserID, t.Name, t.Kind, formatTime(t.CreatedAt), expires, revoked)
	return err
}

// Tokens lists a user's API tokens ("" for everyone's).
func (c *DB) Tokens(ctx context.Context, userID string) ([]*Token, error) {
	q := "SELECT id, user_id, name, kind, created_at, expires_at, revoked_at, hash FROM tokens WHERE kind = 'api'"
	var args []any
	if userID != "" {
		q += " AND user_id = ?"
		args = append(args, userID)
	}
	rows, err := c.db.QueryContext(ctx, q+" ORDER BY id", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*Token{}
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

func scanToken(row interface{ Scan(...any) error }) (*Token, error) {
	var t Token
	var created string
	var expires, revoked sql.NullString
	if err := row.Scan(&t.ID, &t.UserID, &t.Name, &t.Kind, &created, &expires, &revoked, &t.Hash); err != nil {
		return nil, err
	}
	t.CreatedAt, _ = time.Parse(timeFormat, created)
	if expires.Valid {
		e, _ := time.Parse(timeFormat, expires.String)
		t.ExpiresAt = &e
	}
	if revoked.Valid {
		r, _ := time.Parse(timeFormat, revoked.String)
		t.RevokedAt = &r
	}
	return &t, nil
}

// Token returns a token's description.
func (c *DB) Token(ctx context.Context, id string) (*Token, error) {
	t, err := scanToken(c.db.QueryRowContext(ctx, "SELECT id, user_id, name, kind, created_at, expires_at, revoked_at, hash FROM tokens WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, sohoa.Errorf(sohoa.ENOTFOUND, "Không tìm thấy mã truy cập.")
	}
	return t, err
}

// RevokeToken revokes a token by ID.
func (c *DB) RevokeToken(ctx context.Context, id string) (*Token, error) {
	if _, err := c.db.ExecContext(ctx, "UPDATE tokens SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?", formatTime(time.Now()), id); err != nil {
		return nil, err
	}
	return c.Token(ctx, id)
}

// RevokeValue revokes the token with this value (a logout).
func (c *DB) RevokeValue(ctx context.Context, value string) error {
	_, err := c.db.ExecContext(ctx, "UPDATE tokens SET revoked_at = coalesce(revoked_at, ?) WHERE hash = ?", formatTime(time.Now()), hashToken(value))
	return err
}

// Authenticate returns who token speaks for, or EUNAUTHORIZED when it is
// unknown, revoked, expired, or its user disabled.
func (c *DB) Authenticate(ctx context.Context, token string) (*sohoa.Principal, error) {
	var p sohoa.Principal
	var expires, revoked, disabled sql.NullString
	var scope string
	err := c.db.QueryRowContext(ctx, `SELECT u.id, u.username, u.role, u.unit_id, n.path, t.id, t.expires_at, t.revoked_at, u.disabled_at, u.scope
		FROM tokens t JOIN users u ON u.id = t.user_id JOIN units n ON n.id = u.unit_id WHERE t.hash = ?`,
		hashToken(token)).Scan(&p.UserID, &p.Username, &p.Role, &p.UnitID, &p.UnitPath, &p.TokenID, &expires, &revoked, &disabled, &scope)
	p.Scope = parseScope(scope)
	bad := sohoa.Errorf(sohoa.EUNAUTHORIZED, "Mã truy cập không hợp lệ, đã hết hạn hoặc đã bị thu hồi.")
	if errors.Is(err, sql.ErrNoRows) {
		return nil, bad
	}
	if err != nil {
		return nil, fmt.Errorf("authenticate: %w", err)
	}
	if revoked.Valid || disabled.Valid {
		return nil, bad
	}
	if expires.Valid {
		if e, _ := time.Parse(timeFormat, expires.String); time.Now().After(e) {
			return nil, bad
		}
	}
	return &p, nil
}

// Empty reports whether the catalog has no units yet: a first start.
func (c *DB) Empty(ctx context.Context) (bool, error) {
	var n int
	err := c.db.QueryRowContext(ctx, "SELECT count(*) FROM units").Scan(&n)
	return n == 0, err
}

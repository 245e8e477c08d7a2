package directory

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"sohoa"
	"sohoa/store"
)

// Catalog is what the directory keeps in the catalog.
type Catalog interface {
	Empty(ctx context.Context) (bool, error)
	InsertUnit(ctx context.Context, u *sohoa.Unit) error
	Unit(ctx context.Context, id string) (*sohoa.Unit, error)
	Units(ctx context.Context) ([]*sohoa.Unit, error)
	Root(ctx context.Context) (*sohoa.Unit, error)
	InsertUser(ctx context.Context, u *sohoa.User) error
	PutUser(ctx context.Context, u *sohoa.User) error
	User(ctx context.Context, id string) (*sohoa.User, error)
	UserByUsername(ctx context.Context, username string) (*sohoa.User, error)
	Users(ctx context.Context) ([]*sohoa.User, error)
	PutToken(ctx context.Context, t *sohoa.Token) error
	Token(ctx context.Context, id string) (*sohoa.Token, error)
	Tokens(ctx context.Context, userID string) ([]*sohoa.Token, error)
	RevokeSessions(ctx context.Context, userID string, at time.Time) error
	Credential(ctx context.Context, hash string) (*sohoa.Credential, error)
	TouchToken(ctx context.Context, hash string, at time.Time) error
	LoginFailed(ctx context.Context, key string, at, since time.Time) (*sohoa.LoginFailures, error)
	LoginLock(ctx context.Context, key string) (*time.Time, error)
	LockLogin(ctx context.Context, key string, until time.Time) error
	LoginSucceeded(ctx context.Context, key string) error
}

// Auditor records who changed what.
type Auditor interface {
	Record(ctx context.Context, e *sohoa.AuditEntry) error
}

// Directory keeps units, users and tokens.
type Directory struct {
	cat   Catalog
	store store.Store
	audit Auditor
	// SessionTTL is how long a login lasts at most; IdleTTL how long it
	// lasts unused.
	SessionTTL time.Duration
	IdleTTL    time.Duration
	// Throttle is how failed logins are met.
	Throttle Throttle
	// PasswordCost is what hashing a new password costs.
	PasswordCost Argon2
	now          func() time.Time
	// Password hashing takes 64 MiB a try: a few at a time.
	loginSlots chan struct{}
}

// New returns the directory kept in s and cat, its changes audited in a.
func New(cat Catalog, s store.Store, a Auditor) *Directory {
	return &Directory{cat: cat, store: s, audit: a, SessionTTL: 12 * time.Hour, IdleTTL: 30 * time.Minute, Throttle: DefaultThrottle, PasswordCost: DefaultArgon2, now: time.Now, loginSlots: make(chan struct{}, 4)}
}

type userRecord struct {
	*sohoa.User
	PasswordHash string `json:"password_hash"`
}

type tokenRecord struct {
	*sohoa.Token
	Hash string `json:"hash"`
}

func forbidden() error {
	return sohoa.Errorf(sohoa.EFORBIDDEN, "Tài khoản của bạn không có quyền thực hiện thao tác này.")
}

func (d *Directory) record(ctx context.Context, by *sohoa.Principal, action, detail string) error {
	return d.audit.Record(ctx, sohoa.NewAuditEntry(by, action, "", detail))
}

// create writes v at key, then calls insert to put it in the catalog. A
// record at key that the catalog does not hold (inCatalog false) was left
// by an attempt that died between the two writes: it is taken over, and
// given back if insert then finds that its writer got to the catalog first.
func (d *Directory) create(ctx context.Context, key string, v any, inCatalog func() (bool, error), insert func() error, conflict error) error {
	data, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		return err
	}
	_, err = d.store.Swap(ctx, key, data, store.Absent)
	var prev []byte
	var mine store.Version
	if errors.Is(err, store.ErrChanged) {
		if prev, mine, err = d.takeOver(ctx, key, data, inCatalog); err != nil {
			return err
		}
		if prev == nil {
			return conflict
		}
	}
	if err != nil {
		return err
	}
	err = insert()
	if prev != nil && sohoa.ErrorCode(err) == sohoa.ECONFLICT {
		d.store.Swap(context.WithoutCancel(ctx), key, prev, mine)
	}
	return err
}

// found reads a lookup's error as whether the thing is there.
func found(err error) (bool, error) {
	if sohoa.IsNotFound(err) {
		return false, nil
	}
	return err == nil, err
}

// takeOver writes data over the record at key if the catalog does not hold
// it, and returns what it replaced (nil: it did not) and the version it wrote.
func (d *Directory) takeOver(ctx context.Context, key string, data []byte, inCatalog func() (bool, error)) ([]byte, store.Version, error) {
	held, err := inCatalog()
	if err != nil || held {
		return nil, store.Absent, err
	}
	prev, ver, err := d.store.Load(ctx, key)
	if err != nil {
		return nil, store.Absent, err
	}
	mine, err := d.store.Swap(ctx, key, data, ver)
	if errors.Is(err, store.ErrChanged) { // another attempt took it over first
		return nil, store.Absent, nil
	}
	return prev, mine, err
}

// AddUnit adds a unit under its parent (none for the root, of which there
// is one). Units do not move: their path is fixed when they are made.
func (d *Directory) AddUnit(ctx context.Context, by *sohoa.Principal, u *sohoa.Unit) error {
	if by.Role != sohoa.RoleAdmin {
		return forbidden()
	}
	if err := u.Validate(); err != nil {
		return err
	}
	if u.ParentID == "" {
		root, err := d.cat.Root(ctx)
		if err != nil {
			return err
		}
		if root != nil {
			return sohoa.FieldError("parent_id", "Thiếu đơn vị cấp trên (parent_id): chỉ có một đơn vị gốc.")
		}
		u.Path = "/" + u.ID + "/"
	} else {
		parent, err := d.cat.Unit(ctx, u.ParentID)
		if sohoa.IsNotFound(err) {
			return sohoa.FieldError("parent_id", "Không có đơn vị cấp trên %q.", u.ParentID)
		}
		if err != nil {
			return err
		}
		u.Path = parent.Path + u.ID + "/"
	}
	u.CreatedAt = d.now().UTC()
	held := func() (bool, error) { _, err := d.cat.Unit(ctx, u.ID); return found(err) }
	conflict := &sohoa.Error{Code: sohoa.ECONFLICT, Field: "id", Message: fmt.Sprintf("Đã có đơn vị mã %q.", u.ID)}
	if err := d.create(ctx, store.UnitKey(u.ID), u, held, func() error { return d.cat.InsertUnit(ctx, u) }, conflict); err != nil {
		return err
	}
	return d.record(ctx, by, sohoa.ActionUnitAdd, u.ID)
}

// Unit returns a unit.
func (d *Directory) Unit(ctx context.Context, id string) (*sohoa.Unit, error) {
	return d.cat.Unit(ctx, id)
}

// Units returns every unit, parents before children.
func (d *Directory) Units(ctx context.Context) ([]*sohoa.Unit, error) { return d.cat.Units(ctx) }

// AddUser adds a user with a password ("" for a system client, which only
// ever uses tokens); u.ID is set.
func (d *Directory) AddUser(ctx context.Context, by *sohoa.Principal, u *sohoa.User, password string) error {
	if by.Role != sohoa.RoleAdmin {
		return forbidden()
	}
	return d.addUser(ctx, by, u, password, u.Role != sohoa.RoleSystem)
}

// addUser adds u, with a password when needed.
func (d *Directory) addUser(ctx context.Context, by *sohoa.Principal, u *sohoa.User, password string, needPassword bool) error {
	var errs sohoa.Problems
	errs.AddError(u.Validate())
	switch {
	case password == "" && needPassword:
		errs.Add("password", "Thiếu mật khẩu (password).")
	case password != "":
		errs.AddError(sohoa.ValidatePassword(password))
	}
	if _, err := d.cat.Unit(ctx, u.UnitID); sohoa.IsNotFound(err) {
		errs.Add("unit_id", "Không có đơn vị %q.", u.UnitID)
	} else if err != nil {
		return err
	}
	if u.Scope != nil {
		for _, id := range u.Scope.Units {
			if _, err := d.cat.Unit(ctx, id); err != nil {
				errs.Add("scope", "Không có đơn vị %q.", id)
			}
		}
	}
	if err := errs.Err(); err != nil {
		return err
	}
	if password != "" {
		u.PasswordHash = HashPassword(password, d.PasswordCost)
	}
	u.ID, u.CreatedAt = sohoa.NewID(d.now()), d.now().UTC()
	held := func() (bool, error) { _, err := d.cat.UserByUsername(ctx, u.Username); return found(err) }
	conflict := &sohoa.Error{Code: sohoa.ECONFLICT, Field: "username", Message: fmt.Sprintf("Đã có người dùng %q.", u.Username)}
	err := d.create(ctx, store.UserKey(u.Username), userRecord{u, u.PasswordHash}, held, func() error { return d.cat.InsertUser(ctx, u) }, conflict)
	if err != nil {
		return err
	}
	return d.record(ctx, by, sohoa.ActionUserAdd, u.Username)
}

// User returns a user.
func (d *Directory) User(ctx context.Context, id string) (*sohoa.User, error) {
	return d.cat.User(ctx, id)
}

// Users returns every user (to an admin).
func (d *Directory) Users(ctx context.Context, by *sohoa.Principal) ([]*sohoa.User, error) {
	if by.Role != sohoa.RoleAdmin {
		return nil, forbidden()
	}
	return d.cat.Users(ctx)
}

// SetUserDisabled disables (or enables again) a user: its login sessions
// and its API tokens end for good, so that enabling it again revives no
// credential issued before (an admin gives new tokens).
func (d *Directory) SetUserDisabled(ctx context.Context, by *sohoa.Principal, id string, disabled bool) (*sohoa.User, error) {
	if id == by.UserID && disabled {
		return nil, sohoa.FieldError("disabled", "Không thể tự khóa tài khoản của mình.")
	}
	now := d.now().UTC()
	u, err := d.changeUser(ctx, by, id, disabled, func(u *sohoa.User) error {
		u.DisabledAt = nil
		if disabled {
			u.DisabledAt = &now
		}
		return nil
	})
	if err != nil || !disabled {
		return u, err
	}
	// The user is disabled already: a token left unrevoked by a failure
	// here does not work, and a second disable revokes it.
	tokens, err := d.cat.Tokens(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	for _, t := range tokens {
		if err := d.revoke(ctx, t); err != nil {
			return nil, err
		}
	}
	return u, nil
}

// ResetPassword gives a user a new password and ends its sessions.
func (d *Directory) ResetPassword(ctx context.Context, by *sohoa.Principal, id, password string) (*sohoa.User, error) {
	if err := sohoa.ValidatePassword(password); err != nil {
		return nil, err
	}
	hash := HashPassword(password, d.PasswordCost)
	return d.changeUser(ctx, by, id, true, func(u *sohoa.User) error {
		if u.Role == sohoa.RoleSystem {
			return sohoa.FieldError("password", "Tài khoản hệ thống chỉ dùng mã truy cập, không có mật khẩu.")
		}
		u.PasswordHash = hash
		return nil
	})
}

// SetRole changes a user's role (not to or from a procedure system's,
// whose scope is its own) and ends its sessions.
func (d *Directory) SetRole(ctx context.Context, by *sohoa.Principal, id, role string) (*sohoa.User, error) {
	if id == by.UserID {
		return nil, sohoa.FieldError("role", "Không thể tự đổi vai trò của mình.")
	}
	if !sohoa.ValidRole(role) || role == sohoa.RoleSystem {
		return nil, sohoa.FieldError("role", "Vai trò %q không hợp lệ (admin, clerk, official).", role)
	}
	return d.changeUser(ctx, by, id, true, func(u *sohoa.User) error {
		if u.Role == sohoa.RoleSystem {
			return sohoa.FieldError("role", "Không đổi được vai trò của tài khoản hệ thống.")
		}
		u.Role = role
		return nil
	})
}

// changeUser applies change to a user's record in the store, then the
// catalog, ending its sessions when endSessions is set, and audits it.
func (d *Directory) changeUser(ctx context.Context, by *sohoa.Principal, id string, endSessions bool, change func(u *sohoa.User) error) (*sohoa.User, error) {
	if by.Role != sohoa.RoleAdmin {
		return nil, forbidden()
	}
	u, err := d.cat.User(ctx, id)
	if err != nil {
		return nil, err
	}
	r, err := store.UpdateJSON(ctx, d.store, store.UserKey(u.Username), func(r *userRecord, exists bool) error {
		if !exists || r.User == nil { // kept under its ID by an earlier release
			r.User, r.PasswordHash = u, u.PasswordHash
		}
		r.User.PasswordHash = r.PasswordHash
		if err := change(r.User); err != nil {
			return err
		}
		r.PasswordHash = r.User.PasswordHash
		return nil
	})
	if err != nil {
		return nil, err
	}
	u = r.User
	u.PasswordHash = r.PasswordHash
	if err := d.cat.PutUser(ctx, u); err != nil {
		return nil, err
	}
	if endSessions {
		if err := d.cat.RevokeSessions(ctx, u.ID, d.now().UTC()); err != nil {
			return nil, err
		}
	}
	return u, d.record(ctx, by, sohoa.ActionUserEdit, u.Username)
}

// AddToken makes an API token for userID (by's own when ""; another's only
// by an admin) and returns its value, shown once.
func (d *Directory) AddToken(ctx context.Context, by *sohoa.Principal, userID, name string) (string, *sohoa.Token, error) {
	name = strings.Join(strings.Fields(name), " ")
	if name == "" {
		return "", nil, sohoa.FieldError("name", "Thiếu tên gợi nhớ của mã truy cập (name).")
	}
	if userID == "" {
		userID = by.UserID
	}
	if userID != by.UserID {
		if by.Role != sohoa.RoleAdmin {
			return "", nil, sohoa.Errorf(sohoa.EFORBIDDEN, "Chỉ quản trị viên được cấp mã truy cập cho người khác.")
		}
		if _, err := d.cat.User(ctx, userID); err != nil {
			return "", nil, err
		}
	}
	value, t, err := d.addToken(ctx, userID, name, "")
	if err != nil {
		return "", nil, err
	}
	return value, t, d.record(ctx, by, sohoa.ActionTokenAdd, t.ID)
}

// addToken stores an API token of the given value (a new one when "").
func (d *Directory) addToken(ctx context.Context, userID, name, value string) (string, *sohoa.Token, error) {
	if value == "" {
		value = NewToken()
	}
	if len(value) < 16 {
		return "", nil, sohoa.Errorf(sohoa.EINVALID, "Mã truy cập phải có ít nhất 16 ký tự.")
	}
	t := &sohoa.Token{ID: sohoa.NewID(d.now()), UserID: userID, Name: name, Kind: sohoa.TokenAPI, CreatedAt: d.now().UTC(), Hash: HashToken(value)}
	if err := store.PutJSON(ctx, d.store, store.TokenKey(t.ID), tokenRecord{t, t.Hash}); err != nil {
		return "", nil, err
	}
	if err := d.cat.PutToken(ctx, t); err != nil {
		return "", nil, err
	}
	return value, t, nil
}

// Tokens lists userID's API tokens: by's own; an admin's, anyone's ("":
// everyone's).
func (d *Directory) Tokens(ctx context.Context, by *sohoa.Principal, userID string) ([]*sohoa.Token, error) {
	if by.Role != sohoa.RoleAdmin {
		userID = by.UserID
	}
	return d.cat.Tokens(ctx, userID)
}

// RevokeToken revokes a token of by's (an admin: anyone's). Another's is
// not found, as one that does not exist.
func (d *Directory) RevokeToken(ctx context.Context, by *sohoa.Principal, id string) error {
	t, err := d.cat.Token(ctx, id)
	if err == nil && t.UserID != by.UserID && by.Role != sohoa.RoleAdmin {
		err = sohoa.Errorf(sohoa.ENOTFOUND, "Không tìm thấy mã truy cập.")
	}
	if err == nil {
		err = d.revoke(ctx, t)
	}
	if err != nil {
		return err
	}
	return d.record(ctx, by, sohoa.ActionTokenDrop, t.ID)
}

// revoke ends a token: in the store first when it is kept there.
func (d *Directory) revoke(ctx context.Context, t *sohoa.Token) error {
	if t.RevokedAt != nil {
		return nil
	}
	now := d.now().UTC()
	t.RevokedAt = &now
	if t.Kind == sohoa.TokenAPI {
		_, err := store.UpdateJSON(ctx, d.store, store.TokenKey(t.ID), func(r *tokenRecord, exists bool) error {
			if !exists {
				r.Token, r.Hash = t, t.Hash
			}
			if r.Token.RevokedAt == nil {
				r.Token.RevokedAt = &now
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return d.cat.PutToken(ctx, t)
}

// Session is a login: its token (shown once), when it ends, whose.
type Session struct {
	Token     string
	ExpiresAt time.Time
	User      *sohoa.User
}

// Login checks a username and password from address and opens a session.
// Failed logins are throttled: each costs a growing delay, and too many
// lock the username (or the address) out for a while, which the person is
// told, in the catalog so that every process (and node) holds to it.
func (d *Directory) Login(ctx context.Context, username, password, address string) (*Session, error) {
	username = strings.ToLower(strings.TrimSpace(username))
	keys := []string{"user:" + username, "addr:" + address}
	if err := d.lockedOut(ctx, keys); err != nil {
		return nil, err
	}
	u, ok, err := d.checkPassword(ctx, username, password)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, d.failed(ctx, keys)
	}
	if err := d.cat.LoginSucceeded(ctx, keys[0]); err != nil {
		return nil, err
	}
	value := NewToken()
	now := d.now().UTC()
	expires := now.Add(d.SessionTTL)
	t := &sohoa.Token{ID: sohoa.NewID(now), UserID: u.ID, Name: "đăng nhập", Kind: sohoa.TokenSession, CreatedAt: now, ExpiresAt: &expires, Hash: HashToken(value)}
	if err := d.cat.PutToken(ctx, t); err != nil {
		return nil, err
	}
	cr, err := d.cat.Credential(ctx, t.Hash)
	if err != nil {
		return nil, err
	}
	p := &cr.Principal
	p.Address = address
	if err := d.record(ctx, p, sohoa.ActionLogin, ""); err != nil {
		return nil, err
	}
	return &Session{Token: value, ExpiresAt: expires, User: u}, nil
}

// checkPassword reports whether password is username's, taking one of the
// few slots hashing may use at once.
func (d *Directory) checkPassword(ctx context.Context, username, password string) (*sohoa.User, bool, error) {
	select {
	case d.loginSlots <- struct{}{}:
		defer func() { <-d.loginSlots }()
	case <-ctx.Done():
		return nil, false, ctx.Err()
	}
	u, err := d.cat.UserByUsername(ctx, username)
	switch {
	case sohoa.IsNotFound(err):
		CheckPassword(dummyHash, password) // the same time whether the user exists or not
		return nil, false, nil
	case err != nil:
		return nil, false, err
	}
	return u, CheckPassword(u.PasswordHash, password) && u.DisabledAt == nil, nil
}

// Throttle is how failed logins are met: within Window, each failure
// delays the answer (Delay, doubling, up to 16 times), and UserLimit
// failures for a username or AddressLimit from an address lock it out for
// Lock.
type Throttle struct {
	Window, Delay, Lock     time.Duration
	UserLimit, AddressLimit int
}

// DefaultThrottle: 5 failures for a username or 20 from an address within
// 15 minutes lock it for 15 minutes.
var DefaultThrottle = Throttle{Window: 15 * time.Minute, Delay: 200 * time.Millisecond, Lock: 15 * time.Minute, UserLimit: 5, AddressLimit: 20}

func (d *Directory) lockedOut(ctx context.Context, keys []string) error {
	for _, k := range keys {
		until, err := d.cat.LoginLock(ctx, k)
		if err != nil {
			return err
		}
		if until != nil && until.After(d.now()) {
			return lockedOut(*until, d.now(), strings.HasPrefix(k, "addr:"))
		}
	}
	return nil
}

func lockedOut(until, now time.Time, address bool) error {
	who := "Tài khoản này"
	if address {
		who = "Máy của bạn"
	}
	return &sohoa.Error{Code: sohoa.ETOOMANY, RetryAfter: until.Sub(now).Round(time.Second),
		Message: fmt.Sprintf("%s đã đăng nhập sai quá nhiều lần nên tạm bị khóa đến %s. Vui lòng thử lại sau, hoặc liên hệ quản trị viên nếu quên mật khẩu.",
			who, until.In(sohoa.Vietnam).Format("15:04 ngày 02/01/2006"))}
}

// failed counts a failed login against each key, locks out those over
// their limit, and makes the answer wait.
func (d *Directory) failed(ctx context.Context, keys []string) error {
	now := d.now()
	th := d.Throttle
	most := 0
	for i, k := range keys {
		f, err := d.cat.LoginFailed(ctx, k, now, now.Add(-th.Window))
		if err != nil {
			return err
		}
		most = max(most, f.Failures)
		limit := th.UserLimit
		if i > 0 {
			limit = th.AddressLimit
		}
		if f.Failures >= limit {
			until := now.Add(th.Lock)
			if err := d.cat.LockLogin(ctx, k, until); err != nil {
				return err
			}
			return lockedOut(until, now, i > 0)
		}
	}
	select { // a guesser's every try costs more
	case <-time.After(th.Delay << min(most-1, 4)):
	case <-ctx.Done():
	}
	return sohoa.Errorf(sohoa.EUNAUTHORIZED, "Tên đăng nhập hoặc mật khẩu không đúng.")
}

// dummyHash costs an unknown user's login what a known one's costs.
var dummyHash = HashPassword("not a password of anyone", DefaultArgon2)

// Logout ends the session (or revokes the token) token.
func (d *Directory) Logout(ctx context.Context, token string) error {
	cr, err := d.cat.Credential(ctx, HashToken(token))
	if err != nil {
		return err
	}
	return d.revoke(ctx, &cr.Token)
}

// Authenticate returns who token speaks for, or EUNAUTHORIZED when it is
// unknown, revoked, expired, or its user disabled.
func (d *Directory) Authenticate(ctx context.Context, token string) (*sohoa.Principal, error) {
	bad := sohoa.Errorf(sohoa.EUNAUTHORIZED, "Mã truy cập không hợp lệ, đã hết hạn hoặc đã bị thu hồi.")
	cr, err := d.cat.Credential(ctx, HashToken(token))
	switch {
	case sohoa.IsNotFound(err):
		return nil, bad
	case err != nil:
		return nil, fmt.Errorf("authenticate: %w", err)
	case cr.Token.RevokedAt != nil, cr.DisabledAt != nil, cr.Token.ExpiresAt != nil && d.now().After(*cr.Token.ExpiresAt):
		return nil, bad
	}
	if cr.Token.Kind == sohoa.TokenSession {
		last := cr.Token.CreatedAt
		if cr.Token.LastUsedAt != nil {
			last = *cr.Token.LastUsedAt
		}
		idle := d.now().Sub(last)
		if idle > d.IdleTTL {
			return nil, sohoa.Errorf(sohoa.EUNAUTHORIZED, "Phiên đăng nhập đã hết hạn do lâu không sử dụng; vui lòng đăng nhập lại.")
		}
		if idle > time.Minute { // a write a minute at most, not one a request
			if err := d.cat.TouchToken(ctx, cr.Token.Hash, d.now().UTC()); err != nil {
				return nil, err
			}
		}
	}
	return &cr.Principal, nil
}

// Bootstrap gives an empty catalog and store their root unit and an admin
// with a token of the given value (a new one when ""), which it returns;
// made is false when there was something already. An empty catalog beside
// a store that holds units is a rebuild to be made, not a first start.
func (d *Directory) Bootstrap(ctx context.Context, root *sohoa.Unit, adminToken string) (token string, made bool, err error) {
	empty, err := d.cat.Empty(ctx)
	if err != nil || !empty {
		return "", false, err
	}
	found := false
	stop := errors.New("stop")
	if err := d.store.List(ctx, store.UnitsPrefix, func(string) error { found = true; return stop }); err != nil && err != stop {
		return "", false, err
	}
	if found {
		return "", false, fmt.Errorf("the catalog is empty but the store holds units and users: run `sohoa rebuild` first")
	}
	op := sohoa.Operator()
	if err := d.AddUnit(ctx, op, root); err != nil {
		return "", false, err
	}
	admin := &sohoa.User{Username: "admin", FullName: "Quản trị hệ thống", UnitID: root.ID, Role: sohoa.RoleAdmin}
	// Its token is how the admin first signs in.
	if err := d.addUser(ctx, op, admin, "", false); err != nil {
		return "", false, err
	}
	token, _, err = d.addToken(ctx, admin.ID, "admin (first start)", adminToken)
	return token, err == nil, err
}

// Restore fills an empty catalog's units, users and tokens from the store.
func (d *Directory) Restore(ctx context.Context) (units, users, tokens int, err error) {
	var us []*sohoa.Unit
	if err := eachJSON(ctx, d.store, store.UnitsPrefix, func(string) any { u := &sohoa.Unit{}; us = append(us, u); return u }); err != nil {
		return 0, 0, 0, err
	}
	sort.Slice(us, func(i, j int) bool { return strings.Count(us[i].Path, "/") < strings.Count(us[j].Path, "/") })
	for _, u := range us {
		if err := d.cat.InsertUnit(ctx, u); err != nil && sohoa.ErrorCode(err) != sohoa.ECONFLICT {
			return 0, 0, 0, err
		}
	}
	type keyed struct {
		key string
		r   *userRecord
	}
	var urs []keyed
	if err := eachJSON(ctx, d.store, store.UsersPrefix, func(key string) any {
		r := &userRecord{User: &sohoa.User{}}
		urs = append(urs, keyed{key, r})
		return r
	}); err != nil {
		return 0, 0, 0, err
	}
	// An earlier release kept users under their ID: those go first, so that
	// the record under the username, written since, is the one kept.
	sort.SliceStable(urs, func(i, j int) bool {
		return urs[i].key != store.UserKey(urs[i].r.Username) && urs[j].key == store.UserKey(urs[j].r.Username)
	})
	seen := map[string]bool{}
	for _, k := range urs {
		k.r.User.PasswordHash = k.r.PasswordHash
		if err := d.cat.PutUser(ctx, k.r.User); err != nil {
			return 0, 0, 0, err
		}
		seen[k.r.ID] = true
	}
	var trs []*tokenRecord
	if err := eachJSON(ctx, d.store, store.TokensPrefix, func(string) any { r := &tokenRecord{Token: &sohoa.Token{}}; trs = append(trs, r); return r }); err != nil {
		return 0, 0, 0, err
	}
	for _, r := range trs {
		r.Token.Hash = r.Hash
		if err := d.cat.PutToken(ctx, r.Token); err != nil {
			return 0, 0, 0, err
		}
	}
	return len(us), len(seen), len(trs), nil
}

func eachJSON(ctx context.Context, s store.Store, prefix string, next func(key string) any) error {
	return s.List(ctx, prefix, func(key string) error {
		if !store.IsRecordKey(key) {
			return nil
		}
		return store.GetJSON(ctx, s, key, next(key))
	})
}

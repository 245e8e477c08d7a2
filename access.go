package sohoa

import (
	"regexp"
	"slices"
	"strings"
	"time"
)

// Roles.
const (
	RoleAdmin    = "admin"    // units, users, tokens; every record
	RoleClerk    = "clerk"    // uploads and edits the records of its own unit
	RoleOfficial = "official" // reads and searches its unit and every unit below it
	RoleSystem   = "system"   // a procedure system (issue 4)
)

// ValidRole reports whether r is a known role.
func ValidRole(r string) bool {
	switch r {
	case RoleAdmin, RoleClerk, RoleOfficial, RoleSystem:
		return true
	}
	return false
}

// Unit is a node of the Department's tree: the Sở, its phòng/ban, schools.
type Unit struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Kind     string `json:"kind"` // so, phong, truong, khac
	ParentID string `json:"parent_id,omitempty"`
	// Path lists the IDs from the root down to this unit: /SGD/PGD-TH/THPT-CVA/.
	Path      string    `json:"path"`
	CreatedAt time.Time `json:"created_at"`
}

// UnitKinds are the kinds a unit may be.
var UnitKinds = []string{"so", "phong", "truong", "khac"}

var unitIDRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$`)

// Validate checks a new unit's ID, name and kind, and normalizes its name.
// Where it sits in the tree is the directory's to check.
func (u *Unit) Validate() error {
	var errs Problems
	if !unitIDRE.MatchString(u.ID) {
		errs.Add("id", "Mã đơn vị %q không hợp lệ (chữ cái không dấu, chữ số, - và _, tối đa 32 ký tự).", u.ID)
	}
	u.Name = strings.Join(strings.Fields(u.Name), " ")
	if u.Name == "" {
		errs.Add("name", "Thiếu tên đơn vị (name).")
	}
	if !slices.Contains(UnitKinds, u.Kind) {
		errs.Add("kind", "Loại đơn vị %q không hợp lệ (%s).", u.Kind, strings.Join(UnitKinds, ", "))
	}
	return errs.Err()
}

// User is a person or a system with a role in a unit.
type User struct {
	ID         string     `json:"id"`
	Username   string     `json:"username"`
	FullName   string     `json:"full_name"`
	UnitID     string     `json:"unit_id"`
	Role       string     `json:"role"`
	CreatedAt  time.Time  `json:"created_at"`
	DisabledAt *time.Time `json:"disabled_at,omitempty"`
	// Scope limits a procedure system's reads.
	Scope        *ClientScope `json:"scope,omitempty"`
	PasswordHash string       `json:"-"`
}

var usernameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{1,63}$`)

// MinPasswordLength is the fewest characters a password may have.
const MinPasswordLength = 10

// Validate checks a new user's username, full name, role and the shape of
// its scope, normalizing the names; that its unit exists is the
// directory's to check. A system client's scope gets its default rate.
func (u *User) Validate() error {
	var errs Problems
	u.Username = strings.ToLower(strings.TrimSpace(u.Username))
	if !usernameRE.MatchString(u.Username) {
		errs.Add("username", "Tên đăng nhập %q không hợp lệ (chữ thường không dấu, chữ số, . _ -, 2–64 ký tự).", u.Username)
	}
	u.FullName = strings.Join(strings.Fields(u.FullName), " ")
	if u.FullName == "" {
		errs.Add("full_name", "Thiếu họ tên (full_name).")
	}
	if !ValidRole(u.Role) {
		errs.Add("role", "Vai trò %q không hợp lệ (admin, clerk, official, system).", u.Role)
	}
	if u.Scope != nil {
		if u.Role != RoleSystem {
			errs.Add("scope", "Chỉ tài khoản hệ thống (system) có phạm vi khai thác (scope).")
		}
		for _, t := range u.Scope.Types {
			if _, ok := DocTypes[t]; !ok {
				errs.Add("scope", "Loại hồ sơ %q không hợp lệ.", t)
			}
		}
		if u.Scope.RatePerMinute <= 0 {
			u.Scope.RatePerMinute = 60
		}
	}
	return errs.Err()
}

// ValidatePassword checks a new password.
func ValidatePassword(password string) error {
	if len([]rune(password)) < MinPasswordLength {
		return FieldError("password", "Mật khẩu phải có ít nhất %d ký tự.", MinPasswordLength)
	}
	return nil
}

// Token kinds.
const (
	TokenAPI     = "api"     // made on purpose, lives until revoked
	TokenSession = "session" // made by a login, expires
)

// Token describes an access token, never its value.
type Token struct {
	ID        string     `json:"id"`
	UserID    string     `json:"user_id"`
	Name      string     `json:"name"`
	Kind      string     `json:"kind"`
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
	// LastUsedAt is when a login session was last used (idle expiry).
	LastUsedAt *time.Time `json:"-"`
	// Hash is the SHA-256 of the token's value, which is never kept.
	Hash string `json:"-"`
}

// LoginFailures is what the catalog counts of the failed logins of a
// username or an address, for the directory's throttle.
type LoginFailures struct {
	Failures    int
	FirstAt     time.Time
	LockedUntil *time.Time
}

// Credential is a token as the catalog holds it, with the principal it
// speaks for and whether that user is disabled; the directory decides
// whether it still opens anything.
type Credential struct {
	Token      Token
	Principal  Principal
	DisabledAt *time.Time
}

// Principal is who a request speaks for, and with it why and from where
// it asks: every read it makes is audited with these.
type Principal struct {
	UserID   string
	Username string
	Role     string
	UnitID   string
	UnitPath string
	TokenID  string
	Scope    *ClientScope
	// Purpose is what the caller said it reads for (X-Purpose, ?purpose=).
	Purpose string
	// Address is the client's network address.
	Address string
}

// Operator is the principal of a command run on the server's machine by
// whoever operates it (`sohoa unit add`, say): an admin without a user.
func Operator() *Principal {
	return &Principal{Username: "operator", Role: RoleAdmin, UnitPath: "/", Address: "command line"}
}

// Reach is the part of the unit tree whose records a principal may read:
// every unit (All), the unit at Path alone, or with Subtree every unit
// below it too. The zero Reach reaches nothing.
type Reach struct {
	All     bool
	Path    string
	Subtree bool
}

// Contains reports whether records of the unit at unitPath are within r.
func (r Reach) Contains(unitPath string) bool {
	switch {
	case r.All:
		return true
	case r.Path == "":
		return false
	case r.Subtree:
		return strings.HasPrefix(unitPath, r.Path)
	}
	return unitPath == r.Path
}

// Reach returns what p may read: an admin everything, an official its unit
// and the units below, a clerk its own unit only, a procedure system none
// of it through the record routes (it reads verified copies in its scope).
func (p *Principal) Reach() Reach {
	switch p.Role {
	case RoleAdmin:
		return Reach{All: true}
	case RoleOfficial:
		return Reach{Path: p.UnitPath, Subtree: true}
	case RoleClerk:
		return Reach{Path: p.UnitPath}
	}
	return Reach{}
}

// CanRead reports whether p may see records of the unit at unitPath.
func (p *Principal) CanRead(unitPath string) bool { return p.Reach().Contains(unitPath) }

// CanEdit reports whether p may upload to or change records of the unit at
// unitPath: an admin anywhere, a clerk in its own unit.
func (p *Principal) CanEdit(unitPath string) bool {
	switch p.Role {
	case RoleAdmin:
		return true
	case RoleClerk:
		return unitPath == p.UnitPath
	}
	return false
}

// SeesPersonalData reports whether p is shown dates of birth and CCCD
// numbers whole when it opens one record it may read.
func (p *Principal) SeesPersonalData() bool {
	return p.Role == RoleAdmin || p.Role == RoleClerk || p.Role == RoleOfficial
}

// AncestorPaths returns every path from the root to path: for /A/B/ it is
// /A/ and /A/B/.
func AncestorPaths(path string) []string {
	var out []string
	for i := 1; i < len(path); i++ {
		if path[i] == '/' {
			out = append(out, path[:i+1])
		}
	}
	return out
}

// Change is one field of a record changed: who, when, old and new value.
type Change struct {
	At     time.Time `json:"at"`
	UserID string    `json:"user_id"`
	By     string    `json:"by"`
	Field  string    `json:"field"`
	Old    any       `json:"old"`
	New    any       `json:"new"`
}

// AuditEntry is one line of the append-only audit log.
type AuditEntry struct {
	Seq      int64     `json:"seq"`
	At       time.Time `json:"at"`
	UserID   string    `json:"user_id"`
	Username string    `json:"username"`
	UnitID   string    `json:"unit_id"`
	Action   string    `json:"action"`
	Document string    `json:"document,omitempty"`
	Purpose  string    `json:"purpose,omitempty"`
	Client   string    `json:"client,omitempty"`
	Detail   string    `json:"detail,omitempty"`
	// Reuse is set on a procedure system's fetch of a verified copy: the
	// reuse ledger is made of these entries.
	Reuse *Reuse `json:"reuse,omitempty"`
	Prev  string `json:"prev"`
	Hash  string `json:"hash"`
}

// NewAuditEntry returns the entry of p doing action on document.
func NewAuditEntry(p *Principal, action, document, detail string) *AuditEntry {
	e := &AuditEntry{Action: action, Document: document, Detail: detail}
	if p != nil {
		e.UserID, e.Username, e.UnitID, e.Purpose, e.Client = p.UserID, p.Username, p.UnitID, p.Purpose, p.Address
	}
	return e
}

// Reuse is what a verified copy was fetched for: the procedure, the
// dossier (case) and what was handed over.
type Reuse struct {
	Procedure string `json:"procedure,omitempty"`
	CaseID    string `json:"case_id"`
	Version   int    `json:"version"`
	Type      string `json:"type"`
}

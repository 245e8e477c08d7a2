package sohoa

import (
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

// Principal is who a request speaks for.
type Principal struct {
	UserID   string
	Username string
	Role     string
	UnitID   string
	UnitPath string
	TokenID  string
	Scope    *ClientScope
}

// CanRead reports whether p may see records of the unit at unitPath: an
// admin everything, an official its unit and the units below, a clerk its
// own unit only.
func (p *Principal) CanRead(unitPath string) bool {
	switch p.Role {
	case RoleAdmin:
		return true
	case RoleOfficial:
		return strings.HasPrefix(unitPath, p.UnitPath)
	case RoleClerk:
		return unitPath == p.UnitPath
	}
	return false
}

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
	Prev     string    `json:"prev"`
	Hash     string    `json:"hash"`
}

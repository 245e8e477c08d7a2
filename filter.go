package sohoa

import "time"

// Filter and result types that cross packages: the catalog answers them,
// the services pass them on, the interfaces show them.

// DocumentFilter selects documents to list. Zero fields are not set but
// Reach: the zero Reach lists nothing.
type DocumentFilter struct {
	Status    *Status
	Reach     Reach
	SubjectID string
	// Original keeps the documents holding the uploaded file of this
	// SHA-256 (lowercase hex).
	Original string
	Type     string
	// UnitPath keeps that unit and the units below it.
	UnitPath string
	// Year is the year of the record's own date (DocType.DateField).
	Year string
	// Since and Before bound when it was digitized: [Since, Before).
	Since, Before time.Time
	// Unapproved keeps the documents without a current approved copy.
	Unapproved bool
	Sort       Sort
	Limit      int
	Cursor     string // from a previous list's Next, in the same Sort
}

// Sort is the order of a listing.
type Sort string

// The orders of a listing.
const (
	SortNewest Sort = "" // the last digitized first
	SortOldest Sort = "oldest"
	SortTitle  Sort = "title"
	// SortDate is by the record's own date, the latest first; those
	// without a date last.
	SortDate Sort = "date"
)

// Valid reports whether s is an order a listing knows.
func (s Sort) Valid() bool {
	switch s {
	case SortNewest, SortOldest, SortTitle, SortDate:
		return true
	}
	return false
}

// Tally is how much was digitized: documents and their pages.
type Tally struct {
	Documents int `json:"documents"`
	Pages     int `json:"pages"`
}

// DocumentList is one page of a listing; Next is the cursor of the
// following page, "" on the last.
type DocumentList struct {
	Documents []*Document `json:"documents"`
	Next      string      `json:"next_cursor"`
}

// AuditFilter selects audit entries. Zero fields are not set.
type AuditFilter struct {
	Document string
	UserID   string
	From, To time.Time
	// UnitPath keeps entries about documents of that unit and below.
	UnitPath string
	AfterSeq int64
	Limit    int
}

// VerifiedFilter selects approved, current records for a procedure system.
type VerifiedFilter struct {
	DocumentID string
	SubjectID  string
	Type       string
	SoHieu     string
	SoKyHieu   string
	// SoVaoSo, and HoTen with NgaySinh, find the rows of register pages:
	// a register number, or a person's name (folded) and birth date.
	SoVaoSo  string
	HoTen    string
	NgaySinh string
	// Scope: the types and the unit subtrees (paths) the client may read.
	Types     []string
	UnitPaths []string
	Limit     int
}

// Verified is an approved, current record.
type Verified struct {
	Approval *Approval
	Document *Document
	// Entry is the row of a register page the lookup found, if any.
	Entry *Entry
}

// ReuseEntry is one fetch of a verified record by a procedure system: a
// paper a citizen did not have to bring. The ledger of them is made from
// the audit entries that carry a Reuse.
type ReuseEntry struct {
	At        time.Time `json:"at"`
	ClientID  string    `json:"client_id"`
	Client    string    `json:"client"`
	Procedure string    `json:"procedure"`
	CaseID    string    `json:"case_id"`
	Purpose   string    `json:"purpose"`
	Document  string    `json:"document"`
	Version   int       `json:"version"`
	Type      string    `json:"type"`
}

// ReuseEntryOf returns the ledger entry of an audit entry, or nil.
func ReuseEntryOf(e *AuditEntry) *ReuseEntry {
	if e.Reuse == nil {
		return nil
	}
	return &ReuseEntry{At: e.At, ClientID: e.UserID, Client: e.Username, Procedure: e.Reuse.Procedure, CaseID: e.Reuse.CaseID,
		Purpose: e.Purpose, Document: e.Document, Version: e.Reuse.Version, Type: e.Reuse.Type}
}

// Job is one document's OCR work, as a worker claimed it.
type Job struct {
	DocumentID string
	Attempts   int // including this one
}

// SavedSearch is a search a user keeps to run again: a page of the web
// page with its filters.
type SavedSearch struct {
	ID      string    `json:"id"`
	Name    string    `json:"name"`
	Link    string    `json:"link"`
	SavedAt time.Time `json:"saved_at"`
}

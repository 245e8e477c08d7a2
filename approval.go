package sohoa

import (
	"crypto/rand"
	"strings"
	"time"
)

// ApprovalStatus is where an approved version stands.
type ApprovalStatus string

const (
	ApprovalActive     ApprovalStatus = "approved"   // the current verified copy
	ApprovalSuperseded ApprovalStatus = "superseded" // replaced by a correction
	ApprovalRevoked    ApprovalStatus = "revoked"    // withdrawn
)

// Approval is one version of a document that an official approved as a
// faithful digitized copy, with its signed PDF and receipt. Once made it
// never changes but for its end: superseded or revoked, with a reason.
type Approval struct {
	DocumentID   string         `json:"document_id"`
	Version      int            `json:"version"`
	Code         string         `json:"code"`
	Status       ApprovalStatus `json:"status"`
	ApprovedAt   time.Time      `json:"approved_at"`
	ApprovedBy   string         `json:"approved_by"`   // user ID
	ApproverName string         `json:"approver_name"` // username
	UnitID       string         `json:"unit_id"`       // the approver's unit
	Body         string         `json:"body"`          // the converting body, as the copy names it
	Type         string         `json:"type,omitempty"`
	PDFSHA256    string         `json:"signed_pdf_sha256"`
	Receipt      string         `json:"receipt,omitempty"` // JWS
	EndedAt      *time.Time     `json:"ended_at,omitempty"`
	EndedBy      string         `json:"ended_by,omitempty"`
	Reason       string         `json:"reason,omitempty"`
}

// Active returns the manifest's current approval, or nil.
func (m *Manifest) Active() *Approval { return ActiveApproval(m.Approvals) }

// ActiveApproval returns the current approval among as, or nil.
func ActiveApproval(as []Approval) *Approval {
	for i := range as {
		if as[i].Status == ApprovalActive {
			return &as[i]
		}
	}
	return nil
}

// NewVerificationCode returns a code to print on a copy: 12 Crockford
// base32 characters (60 random bits) in groups of four.
func NewVerificationCode() string {
	b := make([]byte, 12)
	rand.Read(b)
	var s strings.Builder
	for i, c := range b {
		if i > 0 && i%4 == 0 {
			s.WriteByte('-')
		}
		s.WriteByte(crockford[c&31])
	}
	return s.String()
}

// ClientScope limits what a procedure system (role system) may read.
type ClientScope struct {
	Types         []string `json:"types"` // document types; empty: none
	Units         []string `json:"units"` // units, each with the units below it; empty: none
	RatePerMinute int      `json:"rate_per_minute"`
}

// Receipt is what a receipt attests, signed as a JWS.
type Receipt struct {
	Document   string          `json:"document"`
	Version    int             `json:"version"`
	Status     ApprovalStatus  `json:"status"`
	Code       string          `json:"code"`
	Type       string          `json:"type,omitempty"`
	Metadata   Metadata        `json:"metadata,omitempty"`
	SignedPDF  string          `json:"signed_pdf_sha256"`
	Pages      []ReceiptPage   `json:"pages"`
	Approver   ReceiptApprover `json:"approver"`
	ApprovedAt time.Time       `json:"approved_at"`
	Issuer     string          `json:"issuer"`
	VerifyURL  string          `json:"verify_url"`
}

// ReceiptPage is one original page of an approved copy.
type ReceiptPage struct {
	Number int    `json:"number"`
	SHA256 string `json:"sha256"`
}

// ReceiptApprover is who approved.
type ReceiptApprover struct {
	User string `json:"user"`
	Unit string `json:"unit"`
}

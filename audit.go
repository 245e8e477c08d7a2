package sohoa

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"
)

// ComputeHash returns the entry's link in the chain: SHA-256 over the
// previous entry's hash and this entry's fields, so that removing,
// reordering or editing any entry breaks every hash after it.
func (e *AuditEntry) ComputeHash() string {
	body, _ := json.Marshal(struct {
		Seq                                                                 int64
		At                                                                  string
		UserID, Username, UnitID, Action, Document, Purpose, Client, Detail string
		Prev                                                                string
	}{e.Seq, e.At.UTC().Format(time.RFC3339Nano), e.UserID, e.Username, e.UnitID, e.Action, e.Document, e.Purpose, e.Client, e.Detail, e.Prev})
	h := sha256.Sum256(body)
	return hex.EncodeToString(h[:])
}

// Audit actions.
const (
	ActionRead      = "document.read"
	ActionText      = "document.text"
	ActionPageText  = "page.text"
	ActionPageImage = "page.image"
	ActionSearch    = "search"
	ActionList      = "document.list"
	ActionPeople    = "people.read"
	ActionCreate    = "document.create"
	ActionUpdate    = "document.update"
	ActionDelete    = "document.delete"
	ActionHistory   = "document.history"
	ActionLogin     = "login"
	ActionUnitAdd   = "unit.create"
	ActionUserAdd   = "user.create"
	ActionUserEdit  = "user.update"
	ActionTokenAdd  = "token.create"
	ActionTokenDrop = "token.revoke"
	ActionAuditRead = "audit.read"

	ActionApprove        = "document.approve"
	ActionRevoke         = "document.revoke"
	ActionSignedPDF      = "document.signed_pdf"
	ActionReceipt        = "document.receipt"
	ActionVerifiedLookup = "verified.lookup"
	ActionVerifiedFetch  = "verified.fetch"
)

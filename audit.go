package sohoa

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"
)

// ComputeHash returns the entry's link in the chain: SHA-256 over the
// previous entry's hash and this entry's fields, so that removing,
// reordering or editing any entry breaks every hash after it. An entry
// without Reuse hashes as entries did before Reuse existed.
func (e *AuditEntry) ComputeHash() string {
	type fields struct {
		Seq                                                                 int64
		At                                                                  string
		UserID, Username, UnitID, Action, Document, Purpose, Client, Detail string
		Prev                                                                string
	}
	f := fields{e.Seq, e.At.UTC().Format(time.RFC3339Nano), e.UserID, e.Username, e.UnitID, e.Action, e.Document, e.Purpose, e.Client, e.Detail, e.Prev}
	var body []byte
	if e.Reuse == nil {
		body, _ = json.Marshal(f)
	} else {
		body, _ = json.Marshal(struct {
			fields
			Reuse *Reuse
		}{f, e.Reuse})
	}
	h := sha256.Sum256(body)
	return hex.EncodeToString(h[:])
}

// VerifyChain checks entries in order against each other: contiguous
// sequence numbers from first, each hash recomputed, each linked to the
// one before (prev is the hash expected before the first). It returns
// one line per problem.
func VerifyChain(entries []*AuditEntry, first int64, prev string) []string {
	var problems []string
	want := first
	for _, e := range entries {
		switch {
		case e.Seq > want:
			problems = append(problems, fmt.Sprintf("entries %d to %d are missing", want, e.Seq-1))
		case e.Seq < want:
			problems = append(problems, fmt.Sprintf("entry %d is out of order", e.Seq))
		}
		if e.ComputeHash() != e.Hash {
			problems = append(problems, fmt.Sprintf("entry %d was edited: its hash does not match its content", e.Seq))
		}
		if e.Prev != prev {
			problems = append(problems, fmt.Sprintf("entry %d does not follow the entry before it (chain broken)", e.Seq))
		}
		prev, want = e.Hash, e.Seq+1
	}
	return problems
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
	ActionReport    = "report.read"

	ActionApprove        = "document.approve"
	ActionRevoke         = "document.revoke"
	ActionSignedPDF      = "document.signed_pdf"
	ActionReceipt        = "document.receipt"
	ActionVerifiedLookup = "verified.lookup"
	ActionVerifiedFetch  = "verified.fetch"
)

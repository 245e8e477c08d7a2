package store

import (
	"fmt"
	"strconv"
	"strings"
)

// Every key sohoa writes is made here, so that the layout listed in the
// package documentation is the whole layout.

// OriginalKey is where an uploaded file, or a page cut out of one, is kept
// under its SHA-256 (hex).
func OriginalKey(sha string) string { return "originals/sha256/" + sha }

// DocumentsPrefix is where every document's blobs live.
const DocumentsPrefix = "documents/"

// ManifestKey is the current manifest of a document.
func ManifestKey(id string) string { return DocumentsPrefix + id + "/manifest.json" }

// IsManifestKey reports whether key, listed under DocumentsPrefix, is a
// document's current manifest.
func IsManifestKey(key string) bool { return strings.HasSuffix(key, "/manifest.json") }

// ManifestRevisionKey is where revision rev of a manifest is kept for good.
func ManifestRevisionKey(id string, rev int) string {
	return fmt.Sprintf("%s%s/revisions/%06d.json", DocumentsPrefix, id, rev)
}

// PageOCRKey is what OCR read on page n of a document.
func PageOCRKey(id string, n int) string {
	return DocumentsPrefix + id + "/pages/" + strconv.Itoa(n) + "/ocr.json"
}

// TextKey is a document's whole text, pages separated by form feeds.
func TextKey(id string) string { return DocumentsPrefix + id + "/text.txt" }

// SignedPDFKey is the signed copy of an approved version of a document,
// named by its SHA-256 so that two officials approving one document at
// once never write over each other's copy.
func SignedPDFKey(id string, version int, sha string) string {
	return fmt.Sprintf("%s%s/approvals/%d/%s.pdf", DocumentsPrefix, id, version, sha)
}

// LegacySignedPDFKey is where releases before the digest-named copies kept
// a signed copy.
func LegacySignedPDFKey(id string, version int) string {
	return fmt.Sprintf("%s%s/approvals/%d/signed.pdf", DocumentsPrefix, id, version)
}

// MonthlyReportKey is the monthly report of a unit (and the units below
// it) for month ("2026-11"), as made on the day it was due.
func MonthlyReportKey(month, unitID string) string {
	return "reports/monthly/" + month + "/" + unitID + ".json"
}

// The directory: units by ID, users by username (which the store keeps
// unique), API tokens by ID.
const (
	UnitsPrefix  = "directory/units/"
	UsersPrefix  = "directory/users/"
	TokensPrefix = "directory/tokens/"
)

// SavedSearchesKey holds a user's saved searches.
func SavedSearchesKey(username string) string { return "directory/searches/" + username + ".json" }

func UnitKey(id string) string       { return UnitsPrefix + id + ".json" }
func UserKey(username string) string { return UsersPrefix + username + ".json" }
func TokenKey(id string) string      { return TokensPrefix + id + ".json" }
func IsRecordKey(key string) bool    { return strings.HasSuffix(key, ".json") }
func auditKey(prefix string, first, last int64) string {
	return fmt.Sprintf("%s%012d-%012d.jsonl", prefix, first, last)
}

// The audit log: every write batch is flushed to AuditBatchKey before its
// requests are answered; the sealer later merges the batches into one
// segment and removes them.
const (
	AuditSegmentsPrefix = "audit/segments/"
	AuditBatchesPrefix  = "audit/batches/"
)

// AuditSegmentKey holds the entries first to last, merged from batches.
func AuditSegmentKey(first, last int64) string { return auditKey(AuditSegmentsPrefix, first, last) }

// AuditBatchKey holds the entries first to last of one write batch.
func AuditBatchKey(first, last int64) string { return auditKey(AuditBatchesPrefix, first, last) }

// AuditRange reads the first and last sequence numbers out of an audit
// segment's or batch's key.
func AuditRange(key string) (first, last int64, ok bool) {
	i := strings.LastIndexByte(key, '/')
	name, found := strings.CutSuffix(key[i+1:], ".jsonl")
	a, b, dash := strings.Cut(name, "-")
	if !found || !dash {
		return 0, 0, false
	}
	first, err1 := strconv.ParseInt(a, 10, 64)
	last, err2 := strconv.ParseInt(b, 10, 64)
	return first, last, err1 == nil && err2 == nil && first <= last
}

// HealthKey is read (and never written) to tell whether the store answers.
const HealthKey = "healthz"

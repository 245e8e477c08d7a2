// Package store defines the blob store contract that the object store
// backends (store/fs, store/s3) implement, and the key scheme sohoa uses in it.
//
// The store is the system of record; the catalog and the index are rebuilt
// from it. Every key, each made in keys.go:
//
//	originals/sha256/<hex>                        an uploaded file, or a page cut out of one, byte for byte
//	documents/<id>/manifest.json                  the document's manifest (sohoa.Manifest), written with Swap
//	documents/<id>/revisions/<rev>.json           every revision of the manifest, kept for good
//	documents/<id>/pages/<n>/ocr.json             OCR of page n: text, confidence, word boxes (sohoa.PageText)
//	documents/<id>/text.txt                       the whole text, pages separated by form feeds
//	documents/<id>/approvals/<v>/<sha256>.pdf     the signed copy of approved version v (signed.pdf before)
//	directory/units/<id>.json                     a unit (sohoa.Unit)
//	directory/users/<username>.json               a user with its password hash, written with Swap
//	directory/tokens/<id>.json                    an API token's hash and owner (never its value)
//	directory/searches/<username>.json            a user's saved searches, written with Swap
//	audit/batches/<first>-<last>.jsonl            audit entries of one write batch, flushed before the answer
//	audit/segments/<first>-<last>.jsonl           audit entries merged from batches by the sealer
//	reports/monthly/<yyyy-mm>/<unit>.json         the Department's report of a month, made when due (report.Report)
//	healthz                                       never written: read to tell whether the store answers
//
// Integrity is checked once, here at the boundary: PutVerified wraps the
// reader so that a backend never commits bytes whose digest differs from the
// one the key promises. Read-modify-write goes through Swap, which refuses a
// write over a version the writer did not read, and Update, which retries.
// Backends only move bytes; a failure of the store itself is
// sohoa.EUNAVAILABLE.
package store

// Package catalog is the SQL database the service answers from (SQLite, the
// embedded default): documents (what the API lists), the job queue of OCR
// work, units, users and tokens, the audit log and the reuse ledger made of
// it, approved copies. It runs SQL and nothing else: what a value may be is
// the domain's to check, what a password or token is the directory's.
//
// Everything here but login sessions and the queue's bookkeeping is derived
// from the object store and rebuilt from it by `sohoa rebuild`. Its layout
// is changed only by numbered migrations (migrations/NNNN_*.sql, embedded),
// applied in order at Open, each in a transaction; PRAGMA user_version is
// the number of the last one applied. The queue is a table polled by the
// workers: it moves to PostgreSQL, with the rest, when several machines
// share it.
//
// One file per table: documents.go, jobs.go, units.go, users.go, tokens.go,
// audit.go (with the reuse ledger it feeds, reuse.go), approvals.go, meta.go.
package catalog

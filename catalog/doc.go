// Package catalog is the SQLite database the service answers from: the
// documents (what the API lists), the job queue of OCR work, and the API
// tokens (stored as SHA-256 hashes, never in clear).
//
// Documents and jobs are derived from the manifests in the object store and
// are rebuilt from them by `sohoa rebuild`; tokens are not, since the store
// never holds them. The queue is a table polled by the workers: it moves
// unchanged to PostgreSQL when several machines share it.
package catalog

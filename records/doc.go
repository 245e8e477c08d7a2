// Package records owns the use cases on records, below every interface:
// uploads (one document, a ZIP of pages or of documents), reading (lists,
// a record, its text, page images and texts, history, search, a person's
// records), editing and deleting, approvals and the signed copies, the
// verified copies procedure systems fetch, and the reports made of them.
//
// The JSON API, the web page and the command line decode their input,
// call one method here and encode what it returns: every method checks
// the caller's reach (what is out of reach is not found, never named),
// masks personal data for those who need not see it, and records in the
// audit log what was read or changed before it is handed over.
package records

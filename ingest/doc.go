// Package ingest owns the write path: it takes uploaded files, checks them,
// makes them durable in the store with a manifest, queues the OCR job, runs
// the OCR workers and feeds the search index; it also deletes documents and
// rebuilds the catalog and the index from the store.
//
// An upload is accepted only once its originals and manifest are in the store
// and its job is in the catalog. A page whose OCR artifact is in the store is
// never recognised again, so a crash in the middle of a document costs at
// most the pages being read at that moment.
package ingest

// Package store defines the blob store contract that the object store
// backends (store/fs, store/s3) implement, and the key scheme sohoa uses in it.
//
// The store is the system of record. Keys:
//
//	originals/sha256/<hex>                 an uploaded file, byte for byte, named by its SHA-256
//	documents/<id>/manifest.json           the document's manifest (sohoa.Manifest)
//	documents/<id>/pages/<n>/ocr.json      OCR of page n: text, confidence, word boxes (sohoa.PageText)
//	documents/<id>/text.txt                the whole text, pages separated by form feeds
//
// Integrity is checked once, here at the boundary: PutVerified wraps the
// reader so that a backend never commits bytes whose digest differs from the
// one the key promises. Backends only move bytes.
package store

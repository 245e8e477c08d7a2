// Package sohoa holds the domain of the e-records service: documents and
// their pages, the manifest that the object store keeps for each document, the
// statuses a document goes through, and the error codes every layer speaks.
//
// Subpackages depend on this one and never on each other's internals; the
// binary in cmd/sohoa wires them together.
package sohoa

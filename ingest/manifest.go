package ingest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"sohoa"
	"sohoa/store"
)

func errNoDocument() error { return sohoa.Errorf(sohoa.ENOTFOUND, "Không tìm thấy văn bản.") }

// Manifest returns a document's manifest from the store; a deleted one is
// not found.
func (s *Service) Manifest(ctx context.Context, id string) (*sohoa.Manifest, error) {
	if !sohoa.ValidID(id) {
		return nil, errNoDocument()
	}
	data, _, err := s.store.Load(ctx, store.ManifestKey(id))
	if sohoa.IsNotFound(err) {
		return nil, errNoDocument()
	}
	if err != nil {
		return nil, err
	}
	return decodeManifest(id, data)
}

func decodeManifest(id string, data []byte) (*sohoa.Manifest, error) {
	var m sohoa.Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("manifest of %s: %w", id, err)
	}
	if m.Deleted != nil {
		return nil, errNoDocument()
	}
	return &m, nil
}

func encodeManifest(m *sohoa.Manifest) ([]byte, error) { return json.MarshalIndent(m, "", " ") }

// createManifest writes a new document's first revision.
func (s *Service) createManifest(ctx context.Context, m *sohoa.Manifest) error {
	m.Revision = 1
	data, err := encodeManifest(m)
	if err != nil {
		return err
	}
	if _, err := s.store.Swap(ctx, store.ManifestKey(m.ID), data, store.Absent); err != nil {
		return fmt.Errorf("create manifest %s: %w", m.ID, err)
	}
	s.putRevision(ctx, m.ID, m.Revision, data)
	return nil
}

// updateManifest applies fn to document id's current manifest and writes
// the result as its next revision; when another writer (goroutine, process
// or machine) came first, it reads again and calls fn again, so fn must
// only compute. fn returning store.ErrUnchanged leaves the manifest as it
// is. It returns the manifest as written, or as left.
func (s *Service) updateManifest(ctx context.Context, id string, fn func(m *sohoa.Manifest) error) (*sohoa.Manifest, error) {
	if !sohoa.ValidID(id) {
		return nil, errNoDocument()
	}
	var m *sohoa.Manifest
	changed := false
	data, err := store.Update(ctx, s.store, store.ManifestKey(id), func(data []byte, exists bool) ([]byte, error) {
		if !exists {
			return nil, errNoDocument()
		}
		var err error
		if m, err = decodeManifest(id, data); err != nil {
			return nil, err
		}
		s.ensureRevision(ctx, m.ID, m.Revision, data)
		changed = false
		if err := fn(m); err != nil {
			return nil, err
		}
		changed = true
		m.Revision++
		return encodeManifest(m)
	})
	if err != nil {
		return nil, err
	}
	if changed {
		s.putRevision(ctx, id, m.Revision, data)
	}
	return m, nil
}

// putRevision keeps revision rev of a manifest for good. The current
// manifest is the commit: a revision that fails to be kept here is kept by
// the next change's ensureRevision.
func (s *Service) putRevision(ctx context.Context, id string, rev int, data []byte) {
	if err := store.PutBytes(ctx, s.store, store.ManifestRevisionKey(id, rev), data); err != nil {
		s.log.Warn("keep manifest revision", "document", id, "revision", rev, "err", err)
	}
}

// ensureRevision keeps revision rev if an earlier write did not.
func (s *Service) ensureRevision(ctx context.Context, id string, rev int, data []byte) {
	_, err := s.store.Stat(ctx, store.ManifestRevisionKey(id, rev))
	if sohoa.IsNotFound(err) {
		s.putRevision(ctx, id, rev, data)
	}
}

// isUnavailable reports whether err is the store (or the catalog) being
// away rather than anything about the document.
func isUnavailable(err error) bool {
	return sohoa.ErrorCode(err) == sohoa.EUNAVAILABLE && !errors.Is(err, context.Canceled)
}
